import AICertCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A typed client of a runner's HTTP API (docs/runner-api.yaml), over AsyncHTTPClient.
///
/// Every call but ``health()`` sends the bearer token. A runner's error answer becomes a
/// ``RunnerClientError`` with its status, code and detail.
public struct RunnerClient: Sendable {
    /// How long a plain request may take.
    public static let requestTimeout = TimeAmount.seconds(300)
    /// How long an upload, download or followed log may take: a build's longest time limit.
    public static let transferTimeout = TimeAmount.hours(24 * 7)
    /// The largest JSON answer accepted (a certificate carries manifests of up to a million entries).
    public static let maximumResponseBytes = 512 << 20

    public let baseURL: URL
    private let token: String
    private let http: HTTPClient

    public init(baseURL: URL, token: String, httpClient: HTTPClient = .shared) {
        self.baseURL = baseURL
        self.token = token
        self.http = httpClient
    }

    public func health() async throws -> RunnerAPI.Health {
        try await json(send(.GET, "/v1/health", authorized: false))
    }

    /// The runner's identity quoted with `nonce` (16 to 64 bytes).
    public func identity(nonce: [UInt8]) async throws -> RunnerIdentity {
        let response = try await send(.GET, "/v1/identity?nonce=\(Hex.string(nonce))")
        do {
            return try RunnerIdentity(json: try await Self.data(response))
        } catch let error as CertificateFormatError {
            throw RunnerClientError(status: 0, code: "bad_response", detail: "the identity document: \(error)")
        }
    }

    public func createBuild(_ spec: RunnerAPI.BuildSpec) async throws -> RunnerAPI.BuildStatus {
        try await json(
            send(
                .POST, "/v1/build", body: .bytes(ByteBuffer(bytes: try JSONEncoder().encode(spec))),
                contentType: "application/json"))
    }

    /// Sends an upload input: a regular file as it is, a directory as a tar archive, either
    /// streamed from disk.
    public func uploadInput(_ name: String, from url: URL) async throws -> RunnerAPI.UploadResult {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            throw RunnerClientError(status: 0, code: "local_file", detail: "\(url.path): \(error.localizedDescription)")
        }
        let path = "/v1/build/inputs/\(Self.encoded(name))"
        switch attributes[.type] as? FileAttributeType {
        case .typeDirectory?:
            let archive = try TarArchive(directory: url)
            return try await json(
                send(
                    .PUT, path, body: .stream(archive, length: .known(archive.length)),
                    contentType: "application/x-tar",
                    timeout: Self.transferTimeout))
        case .typeRegular?:
            let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            let chunks = FileChunks(path: url.path, size: size)
            return try await json(
                send(
                    .PUT, path, body: .stream(chunks, length: .known(Int64(size))),
                    contentType: "application/octet-stream",
                    timeout: Self.transferTimeout))
        default:
            throw RunnerClientError(
                status: 0, code: "local_file", detail: "\(url.path) is neither a regular file nor a directory")
        }
    }

    public func start() async throws -> RunnerAPI.BuildStatus {
        try await json(send(.POST, "/v1/build/start"))
    }

    public func status() async throws -> RunnerAPI.BuildStatus {
        try await json(send(.GET, "/v1/build"))
    }

    /// Polls the build's status until it has ended.
    public func waitUntilEnded(polling interval: Duration = .milliseconds(200)) async throws -> RunnerAPI.BuildStatus {
        while true {
            let status = try await status()
            if status.state.hasEnded { return status }
            try await Task.sleep(for: interval)
        }
    }

    /// The job's output as it arrives; with `follow`, the stream lasts until the build ends.
    public func logs(follow: Bool) async throws -> RunnerLogStream {
        let response = try await send(
            .GET, "/v1/build/logs" + (follow ? "?follow=1" : ""), timeout: Self.transferTimeout)
        return RunnerLogStream(body: response.body)
    }

    /// The outputs manifest, checked against the digest the runner announces for it.
    public func outputsManifest() async throws -> Manifest {
        let response = try await send(.GET, "/v1/build/outputs")
        let data = try await Self.data(response)
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw RunnerClientError(status: 0, code: "bad_response", detail: "the outputs manifest: \(error)")
        }
        if let announced = response.headers.first(name: "X-AICert-Manifest-Digest"), announced != manifest.digest.hex {
            throw RunnerClientError(
                status: 0, code: "digest_mismatch", detail: "the outputs manifest does not have the announced digest")
        }
        return manifest
    }

    /// Downloads the output file at `path` (relative to the outputs) to `destination`, hashing
    /// it on the way; the SHA-256 must be the one the runner measured. More than `maximumSize`
    /// bytes (the measured size, when known) stop the download: a runner cannot fill the disk.
    @discardableResult
    public func downloadOutput(_ path: String, to destination: URL, maximumSize: UInt64 = .max) async throws
        -> FileDigest
    {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map { Self.encoded(String($0)) }
            .joined(separator: "/")
        let response = try await send(.GET, "/v1/build/outputs/\(encoded)", timeout: Self.transferTimeout)
        let file = try OutputDestination(destination.path)
        var hasher = IncrementalSHA256()
        for try await buffer in response.body {
            guard UInt64(buffer.readableBytes) <= maximumSize - hasher.byteCount else {
                try? file.close()
                throw RunnerClientError(
                    status: 0, code: "too_large", detail: "\(path) is larger than the \(maximumSize) bytes measured")
            }
            try buffer.withUnsafeReadableBytes { bytes in
                hasher.update(bytes)
                try file.write(bytes)
            }
        }
        try file.close()
        let digest = FileDigest(size: hasher.byteCount, sha256: hasher.finalize())
        if let announced = response.headers.first(name: "X-AICert-SHA256"), announced != digest.sha256.hex {
            throw RunnerClientError(
                status: 0, code: "digest_mismatch",
                detail: "\(path) arrived with SHA-256 \(digest.sha256.hex), not \(announced)")
        }
        return digest
    }

    /// The build's certificate, quoted with `nonce` (16 to 64 bytes).
    public func attestation(nonce: [UInt8]) async throws -> AICertificate {
        let body = try JSONEncoder().encode(["nonce": Hex.string(nonce)])
        let response = try await send(
            .POST, "/v1/build/attestation", body: .bytes(ByteBuffer(bytes: body)), contentType: "application/json")
        do {
            return try AICertificate(json: try await Self.data(response))
        } catch let error as CertificateFormatError {
            throw RunnerClientError(status: 0, code: "bad_response", detail: "the certificate: \(error)")
        }
    }

    // MARK: Transport

    private func send(
        _ method: HTTPMethod, _ path: String, body: HTTPClientRequest.Body? = nil, contentType: String? = nil,
        authorized: Bool = true, timeout: TimeAmount = requestTimeout
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(
            url: baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.body = body
        if authorized { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            // Never the token, whatever the HTTP library put in its error.
            let reason = "\(error)".replacingOccurrences(of: token, with: "<token>")
            throw RunnerClientError(status: 0, code: "transport", detail: "\(method) \(path): \(reason)")
        }
        guard (200..<300).contains(response.status.code) else {
            let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            let failure = try? JSONDecoder().decode(RunnerAPI.ErrorBody.self, from: data)
            throw RunnerClientError(
                status: Int(response.status.code), code: failure?.error ?? "http_\(response.status.code)",
                detail: failure?.detail ?? response.status.reasonPhrase)
        }
        return response
    }

    private func json<T: Decodable>(_ response: HTTPClientResponse) async throws -> T {
        let data = try await Self.data(response)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw RunnerClientError(status: 0, code: "bad_response", detail: "\(T.self): \(error)")
        }
    }

    private static func data(_ response: HTTPClientResponse) async throws -> Data {
        do {
            return Data(try await response.body.collect(upTo: maximumResponseBytes).readableBytesView)
        } catch {
            throw RunnerClientError(status: 0, code: "transport", detail: "reading the answer failed: \(error)")
        }
    }

    /// A path component percent-encoded: everything but unreserved characters.
    private static func encoded(_ component: String) -> String {
        component.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(
                charactersIn:
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? component
    }
}

/// The job's log as it arrives: chunks of bytes, in order.
public struct RunnerLogStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let body: HTTPClientResponse.Body

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: body.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator

        public mutating func next() async throws -> [UInt8]? {
            try await base.next().map { Array($0.readableBytesView) }
        }
    }
}
