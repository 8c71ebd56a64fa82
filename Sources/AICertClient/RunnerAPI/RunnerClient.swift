import AICertCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// A typed client of a runner's HTTP API (docs/runner-api.yaml), over AsyncHTTPClient.
///
/// A runner serves TLS with a key it made at start and binds into its quotes. Until that key
/// is pinned (``pinned(to:)``, once ``identity(nonce:)`` has verified), only ``health()`` and
/// ``identity(nonce:)`` may be asked, and they carry no token. A pinned client sends the
/// bearer token, and refuses a connection that presents any other certificate. Plain `http:`
/// is for tests of a runner on loopback only. A runner's error answer becomes a
/// ``RunnerClientError`` with its status, code and detail.
public struct RunnerClient: Sendable {
    /// How long a plain request may take.
    public static let requestTimeout = TimeAmount.seconds(300)
    /// How long an upload, download or followed log may take: a build's longest time limit.
    public static let transferTimeout = TimeAmount.hours(24 * 7)
    /// The largest JSON answer accepted (a certificate carries manifests of up to a million entries).
    public static let maximumResponseBytes = 512 << 20

    public let baseURL: URL
    /// The runner's TLS certificate that every connection must present, once pinned.
    public let pin: RunnerPin?
    private let token: String
    /// `nil` over TLS until the key is pinned: nothing but health and identity may be asked.
    private let http: HTTPClient?
    private let ownsHTTPClient: Bool

    /// A client of the runner at `baseURL` (`https:`, or `http:` to a test runner on
    /// loopback), not yet pinned.
    public init(baseURL: URL, token: String) {
        self.init(baseURL: baseURL, token: token, pin: nil, http: baseURL.scheme == "http" ? .shared : nil, owns: false)
    }

    private init(baseURL: URL, token: String, pin: RunnerPin?, http: HTTPClient?, owns: Bool) {
        self.baseURL = baseURL
        self.token = token
        self.pin = pin
        self.http = http
        self.ownsHTTPClient = owns
    }

    /// A client whose every connection must present `pin`'s certificate, TLS 1.3 only, and
    /// that sends the token. ``close()`` it when done.
    public func pinned(to pin: RunnerPin) throws -> RunnerClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv13
        // The runner's certificate is self-signed and names no host: it is its own and only
        // root, so a certificate of any other key fails the chain.
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: pin.certificate, format: .der)])
        tls.additionalTrustRoots = []
        tls.certificateVerification = .noHostnameVerification
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        return RunnerClient(baseURL: baseURL, token: token, pin: pin, http: http, owns: true)
    }

    /// The same client, over the same connections, sending `token` instead; closing it closes
    /// nothing.
    public func authorized(by token: String) -> RunnerClient {
        RunnerClient(baseURL: baseURL, token: token, pin: pin, http: http, owns: false)
    }

    /// Releases the connections of a pinned client.
    public func close() async {
        if ownsHTTPClient { try? await http?.shutdown() }
    }

    private var isTLS: Bool { baseURL.scheme == "https" }

    public func health() async throws -> RunnerAPI.Health {
        guard isTLS, pin == nil else { return try await json(send(.GET, "/v1/health", authorized: false)) }
        let answer = try await capturing("/v1/health", limit: 1 << 16)
        do {
            return try JSONDecoder().decode(RunnerAPI.Health.self, from: Data(answer.body))
        } catch {
            throw RunnerClientError(status: 0, code: "bad_response", detail: "Health: \(error)")
        }
    }

    /// The runner's identity quoted with `nonce` (16 to 64 bytes), asked for over a new
    /// connection without the token, and the certificate that connection presented: the
    /// quote must bind `nonce` to its key (``IdentityVerifier``) before the client is
    /// ``pinned(to:)`` it. Over plain HTTP (tests) there is no certificate.
    public func identity(nonce: [UInt8]) async throws -> (identity: RunnerIdentity, pin: RunnerPin?) {
        let target = "/v1/identity?nonce=\(Hex.string(nonce))"
        let body: Data
        let pin: RunnerPin?
        if isTLS {
            let answer = try await capturing(target, limit: RunnerIdentity.maximumSize)
            body = Data(answer.body)
            pin = try RunnerPin(certificate: answer.peerCertificate)
        } else {
            body = try await Self.data(send(.GET, target, authorized: false))
            pin = nil
        }
        do {
            return (try RunnerIdentity(json: body), pin)
        } catch let error as CertificateFormatError {
            throw RunnerClientError(status: 0, code: "bad_response", detail: "the identity document: \(error)")
        }
    }

    /// A GET over a connection that captures the certificate presented (``CapturingTLSRequest``).
    private func capturing(_ target: String, limit: Int) async throws -> CapturingTLSRequest.Answer {
        guard let host = baseURL.host, !host.isEmpty else {
            throw RunnerClientError(status: 0, code: "transport", detail: "\(baseURL) names no host")
        }
        let answer: CapturingTLSRequest.Answer
        do {
            answer = try await CapturingTLSRequest.get(
                host: host, port: baseURL.port ?? 443, target: target, limit: limit, timeout: Self.requestTimeout)
        } catch {
            throw RunnerClientError(status: 0, code: "transport", detail: "GET \(target): \(error)")
        }
        guard (200..<300).contains(answer.status) else {
            let failure = try? JSONDecoder().decode(RunnerAPI.ErrorBody.self, from: Data(answer.body))
            throw RunnerClientError(
                status: answer.status, code: failure?.error ?? "http_\(answer.status)",
                detail: failure?.detail ?? "HTTP \(answer.status)")
        }
        return answer
    }

    public func createBuild(_ spec: RunnerAPI.BuildSpec) async throws -> RunnerAPI.BuildStatus {
        try await json(
            send(
                .POST, "/v1/build", body: .bytes(ByteBuffer(bytes: try JSONEncoder().encode(spec))),
                contentType: "application/json"))
    }

    /// How an upload or a download is retried when its connection breaks: up to `attempts` in
    /// all, waiting `firstDelay`, then twice as long each time.
    public struct Retries: Sendable {
        public var attempts: Int
        public var firstDelay: Duration

        public init(attempts: Int = 5, firstDelay: Duration = .milliseconds(500)) {
            self.attempts = attempts
            self.firstDelay = firstDelay
        }
    }

    /// Sends an upload input as ``uploadInput(_:from:offset:)`` does, and when the connection
    /// breaks, asks the runner how many bytes it kept and sends the rest, with backoff, up to
    /// `retries.attempts` in all. `onRetry` hears each retry in a line for the progress display.
    public func uploadInput(
        _ name: String, from url: URL, retries: Retries, onRetry: @Sendable (String) -> Void = { _ in }
    ) async throws -> RunnerAPI.UploadResult {
        var offset: Int64 = 0
        var delay = retries.firstDelay
        for attempt in 1... {
            do {
                return try await uploadInput(name, from: url, offset: offset)
            } catch let error as RunnerClientError where error.code == "transport" && attempt < retries.attempts {
                onRetry(
                    "the upload of \(name) broke off (\(error.detail.prefix(120))); retrying in \(delay) "
                        + "(attempt \(attempt + 1) of \(retries.attempts))")
                try await Task.sleep(for: delay)
                delay *= 2
                let input = try await settledInput(name)
                switch input.state {
                case .ready:
                    // It arrived whole; only the answer was lost.
                    return RunnerAPI.UploadResult(
                        name: name, manifestDigest: input.manifestDigest ?? "", files: input.files ?? 0,
                        bytes: input.bytes ?? 0)
                case .interrupted: offset = input.received ?? 0
                case .pending, .uploading: offset = 0
                }
                onRetry("resuming the upload of \(name) at byte \(offset)")
            }
        }
        preconditionFailure("the loop returns or throws")
    }

    /// The input's state once the runner has seen the end of a broken upload (it stops being
    /// `uploading` when the runner reads the break), or as it is after 10 s.
    private func settledInput(_ name: String) async throws -> RunnerAPI.BuildStatus.Input {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            guard let input = try await status().inputs.first(where: { $0.name == name }) else {
                throw RunnerClientError(status: 0, code: "bad_response", detail: "the build has no input \(name)")
            }
            if input.state != .uploading || ContinuousClock.now >= deadline { return input }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sends an upload input from byte `offset` of its stream: a regular file as it is, a
    /// directory as a tar archive, either streamed from disk. A non-zero offset resumes an
    /// interrupted upload, which the runner accepts only at exactly the bytes it kept.
    public func uploadInput(_ name: String, from url: URL, offset: Int64 = 0) async throws -> RunnerAPI.UploadResult {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            throw RunnerClientError(status: 0, code: "local_file", detail: "\(url.path): \(error.localizedDescription)")
        }
        let path = "/v1/build/inputs/\(Self.encoded(name))" + (offset > 0 ? "?offset=\(offset)" : "")
        switch attributes[.type] as? FileAttributeType {
        case .typeDirectory?:
            var archive = try TarArchive(directory: url)
            try Self.check(offset: offset, of: archive.length, name)
            archive.start = offset
            return try await json(
                send(
                    .PUT, path, body: .stream(archive, length: .known(archive.length - offset)),
                    contentType: "application/x-tar",
                    timeout: Self.transferTimeout))
        case .typeRegular?:
            let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            try Self.check(offset: offset, of: Int64(size), name)
            let chunks = FileChunks(path: url.path, size: size, start: UInt64(offset))
            return try await json(
                send(
                    .PUT, path, body: .stream(chunks, length: .known(Int64(size) - offset)),
                    contentType: "application/octet-stream",
                    timeout: Self.transferTimeout))
        default:
            throw RunnerClientError(
                status: 0, code: "local_file", detail: "\(url.path) is neither a regular file nor a directory")
        }
    }

    /// Refuses an offset outside the stream: a runner cannot make us send a negative length.
    private static func check(offset: Int64, of length: Int64, _ name: String) throws {
        guard (0...length).contains(offset) else {
            throw RunnerClientError(
                status: 0, code: "bad_response", detail: "offset \(offset) is outside input \(name)'s \(length) bytes")
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
    /// When the connection breaks, the download resumes with `Range: bytes=N-` at the bytes
    /// already written and hashed, with backoff, up to `retries.attempts` in all; `onRetry`
    /// hears each retry.
    @discardableResult
    public func downloadOutput(
        _ path: String, to destination: URL, maximumSize: UInt64 = .max, retries: Retries = Retries(),
        onRetry: @Sendable (String) -> Void = { _ in }
    ) async throws -> FileDigest {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map { Self.encoded(String($0)) }
            .joined(separator: "/")
        let file = try OutputDestination(destination.path)
        var download = Download(path: path, maximumSize: maximumSize)
        var delay = retries.firstDelay
        for attempt in 1... {
            do {
                try await receive("/v1/build/outputs/\(encoded)", into: file, download: &download)
                break
            } catch let broken as Download.Broken where attempt < retries.attempts {
                onRetry(
                    "the download of \(path) broke off after \(download.hasher.byteCount) bytes (\(broken)); "
                        + "retrying in \(delay) (attempt \(attempt + 1) of \(retries.attempts))")
                try await Task.sleep(for: delay)
                delay *= 2
            } catch let broken as Download.Broken {
                try? file.close()
                throw RunnerClientError(status: 0, code: "transport", detail: "GET \(path): \(broken)")
            } catch {
                try? file.close()
                throw error
            }
        }
        try file.close()
        let digest = FileDigest(size: download.hasher.byteCount, sha256: download.hasher.finalize())
        if let announced = download.announced, announced != digest.sha256.hex {
            throw RunnerClientError(
                status: 0, code: "digest_mismatch",
                detail: "\(path) arrived with SHA-256 \(digest.sha256.hex), not \(announced)")
        }
        return digest
    }

    /// A download in progress: what was hashed (and written) so far, and what the runner announced.
    private struct Download {
        /// The connection broke before the end: the download can resume.
        struct Broken: Error, CustomStringConvertible {
            let description: String
        }

        let path: String
        let maximumSize: UInt64
        var hasher = IncrementalSHA256()
        var announced: String?
    }

    /// Receives the rest of `download` (from the bytes it has), appending to `file`.
    private func receive(_ target: String, into file: OutputDestination, download: inout Download) async throws {
        let start = download.hasher.byteCount
        let response: HTTPClientResponse
        do {
            response = try await send(
                .GET, target, timeout: Self.transferTimeout, headers: start > 0 ? [("Range", "bytes=\(start)-")] : [])
        } catch let error as RunnerClientError where error.code == "transport" {
            throw Download.Broken(description: error.detail)
        }
        if start > 0 {
            // The runner must answer from exactly where we are, or the file would be spliced.
            guard response.status == .partialContent,
                response.headers.first(name: "Content-Range")?.hasPrefix("bytes \(start)-") == true
            else {
                throw RunnerClientError(
                    status: Int(response.status.code), code: "bad_response",
                    detail: "\(download.path): the runner did not resume the download at byte \(start)")
            }
        }
        let announced = response.headers.first(name: "X-AICert-SHA256")
        if let previous = download.announced, previous != announced {
            throw RunnerClientError(
                status: 0, code: "digest_mismatch", detail: "\(download.path) changed on the runner while it was sent")
        }
        download.announced = announced
        var body = response.body.makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do {
                next = try await body.next()
            } catch {
                throw Download.Broken(description: "\(error)")
            }
            guard let buffer = next else { return }
            guard UInt64(buffer.readableBytes) <= download.maximumSize - download.hasher.byteCount else {
                throw RunnerClientError(
                    status: 0, code: "too_large",
                    detail: "\(download.path) is larger than the \(download.maximumSize) bytes measured")
            }
            try buffer.withUnsafeReadableBytes { bytes in
                try file.write(bytes)
                download.hasher.update(bytes)
            }
        }
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
        authorized: Bool = true, timeout: TimeAmount = requestTimeout, headers: [(String, String)] = []
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(
            url: baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.body = body
        if authorized { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        guard let http else {
            throw RunnerClientError(
                status: 0, code: "not_pinned",
                detail: "\(method) \(path): the runner's TLS key is not verified yet; only its health and identity "
                    + "may be asked")
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            if let pin, error is NIOSSLError || error is BoringSSLError {
                throw RunnerClientError(
                    status: 0, code: "tls_key_changed",
                    detail: "\(method) \(path): the TLS handshake failed: the runner presented another certificate "
                        + "than the one its verified identity bound (SPKI SHA-256 \(pin.keyDigest.hex)), or none; "
                        + "nothing was sent over it")
            }
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
