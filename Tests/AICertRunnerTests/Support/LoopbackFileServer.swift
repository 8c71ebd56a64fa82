import Foundation
import Hummingbird
import Logging
import NIOCore

/// A small HTTP server on 127.0.0.1 that serves fixed files, the origin of `url` inputs.
final class LoopbackFileServer: Sendable {
    let port: Int
    private let serving: Task<Void, any Error>

    /// Serves each `files` entry at `/NAME`.
    static func start(_ files: [String: [UInt8]]) async throws -> LoopbackFileServer {
        let router = Router()
        for (name, bytes) in files {
            router.get("/\(name)") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/octet-stream"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        // Stopped by cancellation, which Hummingbird logs as an error: keep the test output quiet.
        var logger = Logger(label: "loopback-file-server")
        logger.logLevel = .critical
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let serving = Task {
            defer { continuation.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await serving.value
            throw CancellationError()
        }
        return LoopbackFileServer(port: port, serving: serving)
    }

    /// Runs `body` with a server of `files`, then stops it whether `body` threw or not.
    static func with<T>(_ files: [String: [UInt8]], _ body: (LoopbackFileServer) async throws -> T) async throws -> T {
        let server = try await start(files)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private init(port: Int, serving: Task<Void, any Error>) {
        self.port = port
        self.serving = serving
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    func stop() async {
        serving.cancel()
        _ = try? await serving.value
    }
}
