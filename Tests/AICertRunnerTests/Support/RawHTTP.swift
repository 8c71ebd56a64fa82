import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Requests sent exactly as written, for the tests that probe what the typed client never sends.
///
/// Over TLS they accept any certificate: these tests probe the API, not the channel.
enum RawHTTP {
    /// Lives as long as the test process, so it is never shut down.
    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(certificateVerification: .none))

    struct Answer {
        let status: Int
        let body: Data

        /// The `error` member of a JSON error body.
        var errorCode: String? {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["error"] as? String
        }
    }

    static func send(
        _ method: HTTPMethod, _ url: String, token: String?, body: [UInt8]? = nil, contentType: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), body: Data(collected.readableBytesView))
    }
}
