import AICertCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches a `url` input over HTTP(S) into the staging area, hashing it as it arrives, and
/// checks its SHA-256 against the build spec before anything else happens.
struct URLFetcher: InputFetcher {
    /// The longest a download may take.
    static let timeout = TimeAmount.hours(2)

    /// The SHA-256 the spec pins.
    let expected: SHA256Hash

    /// Downloads the input's source to `path`. A status other than 200, a body beyond the limit
    /// or a digest other than ``expected`` is an error.
    func fetch(_ input: InputSpec, to path: String, context: FetchContext) async throws -> FetchedInput {
        let source = input.source
        let name = input.name
        let limit = context.limit
        var request = HTTPClientRequest(url: source)
        request.method = .GET
        let receiver = try FileReceiver(path: path, name: name, limit: limit)
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: Self.timeout)
        } catch {
            throw RunnerFailure(.inputFailed, "input '\(name)': fetching \(source) failed: \(error)")
        }
        guard response.status == .ok else {
            throw RunnerFailure(.inputFailed, "input '\(name)': \(source) answered \(response.status.code), not 200")
        }
        if let length = response.headers.first(name: "content-length").flatMap(Int64.init), length > limit {
            throw RunnerFailure(
                .tooLarge,
                "input '\(name)': \(source) is \(length) bytes, more than the limit of "
                    + "\(limit)")
        }
        do {
            for try await buffer in response.body {
                try buffer.withUnsafeReadableBytes { try receiver.consume($0) }
            }
        } catch let error as RunnerFailure {
            throw error
        } catch {
            throw RunnerFailure(.inputFailed, "input '\(name)': the download of \(source) broke off: \(error)")
        }
        let manifest = try receiver.finish()
        guard receiver.digest.sha256 == expected else {
            throw RunnerFailure(
                .inputFailed,
                "input '\(name)': \(source) has SHA-256 \(receiver.digest.sha256.hex), but the build spec requires "
                    + "\(expected.hex)"
            )
        }
        return FetchedInput(manifest: manifest, commit: nil)
    }
}
