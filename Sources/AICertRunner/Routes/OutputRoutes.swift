import AICertCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/build/outputs` (the outputs manifest, in its canonical encoding) and
/// `GET /v1/build/outputs/{path}` (one file of it, streamed).
enum OutputRoutes {
    static let prefix = "/v1/build/outputs/"
    static let chunkSize = 1 << 20

    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.get("/v1/build/outputs") { _, _ in
            let manifest = try await runner.outputsManifest()
            return JSONResponse.make(
                .ok, bytes: manifest.canonicalJSON(), headers: [manifestDigest: manifest.digest.hex])
        }
        router.get("/v1/build/outputs/**") { request, _ in
            let file = try await runner.outputFile(try path(request.uri.path))
            let size = file.digest.size
            let body = ResponseBody(contentLength: Int(size)) { writer in
                var offset: UInt64 = 0
                while offset < size {
                    let chunk = try file.read(at: offset, count: Int(min(UInt64(chunkSize), size - offset)))
                    guard chunk.readableBytes > 0 else {
                        throw APIError(.outputsFailed, "an output file shrank while it was sent")
                    }
                    offset += UInt64(chunk.readableBytes)
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", contentSHA256: file.digest.sha256.hex], body: body)
        }
    }

    /// `X-AICert-Manifest-Digest`: the outputs manifest's digest.
    static let manifestDigest = HTTPField.Name("X-AICert-Manifest-Digest")!
    /// `X-AICert-SHA256`: the measured SHA-256 of a downloaded file.
    static let contentSHA256 = HTTPField.Name("X-AICert-SHA256")!

    /// The output path of a request path: each component percent-decoded and then checked, so
    /// that no encoding can smuggle in a `/`, `.`, `..`, empty or control-character name.
    static func path(_ requestPath: String) throws -> String {
        guard requestPath.hasPrefix(prefix) else { throw APIError(.notFound, "no output path") }
        var components: [String] = []
        for raw in requestPath.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false) {
            guard let component = String(raw).removingPercentEncoding, !component.isEmpty, component != ".",
                component != "..",
                !component.contains("/"),
                !component.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw APIError(.invalidRequest, "'\(raw)' is not a valid component of an output path")
            }
            components.append(component)
        }
        return components.joined(separator: "/")
    }
}
