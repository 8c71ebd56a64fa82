import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One GET over a new TLS 1.3 connection that accepts whatever certificate the server presents
/// and captures it, so that the answer can be tied to the key that served it.
///
/// Only for what carries no secret: a runner's health, and its identity, whose quote must bind
/// the captured key before anything else is sent (``RunnerClient/identity(nonce:)``).
enum CapturingTLSRequest {
    /// The answer and the certificate of the connection it came over.
    struct Answer: Sendable {
        let status: Int
        let body: [UInt8]
        /// The server's leaf certificate, DER.
        let peerCertificate: [UInt8]
    }

    /// Why the request got no answer.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// GETs `target` (a path and query) from `host:port`; a body larger than `limit` bytes, or
    /// no answer within `timeout`, fails.
    static func get(host: String, port: Int, target: String, limit: Int, timeout: TimeAmount) async throws -> Answer {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        // The callback below replaces BoringSSL's chain checks; it runs only when verification is on.
        configuration.certificateVerification = .noHostnameVerification
        let context = try NIOSSLContext(configuration: configuration)
        let captured = CapturedCertificate()
        let group = MultiThreadedEventLoopGroup.singleton
        let answered = group.next().makePromise(of: ResponseCollector.Response.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(30))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try NIOSSLClientHandler(
                            context: context, serverHostname: nil,
                            customVerificationCallback: { certificates, verdict in
                                captured.keep(certificates.first.flatMap { try? $0.toDERBytes() })
                                verdict.succeed(.certificateVerified)
                            })
                        try channel.pipeline.syncOperations.addHandler(tls)
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            ResponseCollector(limit: limit, answered: answered))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            answered.fail(error)
            throw Failure(description: "cannot connect to \(host):\(port): \(error)")
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            answered.fail(Failure(description: "no answer from \(host):\(port) within \(timeout)"))
            channel.close(promise: nil)
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
        head.headers.add(name: "Host", value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        let response: ResponseCollector.Response
        do {
            response = try await answered.futureResult.get()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "GET \(target) from \(host):\(port): \(error)")
        }
        guard let certificate = captured.value else {
            throw Failure(description: "\(host):\(port) presented no certificate")
        }
        return Answer(status: response.status, body: response.body, peerCertificate: certificate)
    }
}

/// The certificate the verification callback saw, handed from the event loop to the caller.
private final class CapturedCertificate: Sendable {
    private let certificate = Mutex<[UInt8]?>(nil)

    func keep(_ der: [UInt8]?) { certificate.withLock { $0 = der } }
    var value: [UInt8]? { certificate.withLock { $0 } }
}

/// Collects one HTTP response, bounded, and completes the promise with it.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    struct Response: Sendable {
        let status: Int
        let body: [UInt8]
    }

    private let limit: Int
    private let answered: EventLoopPromise<Response>
    private var status = 0
    private var body: [UInt8] = []

    init(limit: Int, answered: EventLoopPromise<Response>) {
        self.limit = limit
        self.answered = answered
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= limit else {
                answered.fail(CapturingTLSRequest.Failure(description: "the answer is larger than \(limit) bytes"))
                context.close(promise: nil)
                return
            }
            body += buffer.readableBytesView
        case .end:
            answered.succeed(Response(status: status, body: body))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answered.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        answered.fail(CapturingTLSRequest.Failure(description: "the connection closed before the answer ended"))
        context.fireChannelInactive()
    }
}
