import AICertCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches a `url` input over HTTP(S) into the staging area, hashing it as it arrives, and
/// checks its SHA-256 against the build spec before anything else happens.
enum URLFetcher {
    /// The longest a download may take.
    static let timeout = TimeAmount.hours(2)

    /// Downloads `source` to `path` as input `name`; returns its manifest. A status other than
    /// 200, a body beyond `limit` bytes or a digest other than `expected` is an error.
    static func fetch(
        _ source: String, to path: String, name: String, expected: SHA256Hash, limit: Int64
    ) async throws -> Manifest {
        var request = HTTPClientRequest(url: source)
        request.method = .GET
        let receiver = try FileReceiver(path: path, name: name, limit: limit)
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw APIError(.inputFailed, "input '\(name)': fetching \(source) failed: \(error)")
        }
        guard response.status == .ok else {
            throw APIError(.inputFailed, "input '\(name)': \(source) answered \(response.status.code), not 200")
        }
        if let length = response.headers.first(name: "content-length").flatMap(Int64.init), length > limit {
            throw APIError(.tooLarge, "input '\(name)': \(source) is \(length) bytes, more than the limit of \(limit)")
        }
        do {
            for try await buffer in response.body {
                try buffer.withUnsafeReadableBytes { try receiver.consume($0) }
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.inputFailed, "input '\(name)': the download of \(source) broke off: \(error)")
        }
        let manifest = try receiver.finish()
        guard receiver.digest.sha256 == expected else {
            throw APIError(
                .inputFailed,
                "input '\(name)': \(source) has SHA-256 \(receiver.digest.sha256.hex), but the build spec requires \(expected.hex)")
        }
        return manifest
    }
}
