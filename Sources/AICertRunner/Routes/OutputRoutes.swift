import AICertCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/build/outputs` (the outputs manifest, in its canonical encoding) and
/// `GET /v1/build/outputs/{path}` (one file of it, streamed; with `Range: bytes=N-`, from byte
/// N on, so that a broken download resumes).
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
            let start = try request.headers[.range].map { try Self.start(ofRange: $0, size: size) } ?? 0
            let body = ResponseBody(contentLength: Int(size - start)) { writer in
                var offset = start
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
            var headers: HTTPFields = [.contentType: "application/octet-stream", contentSHA256: file.digest.sha256.hex]
            if request.headers[.range] != nil { headers[.contentRange] = "bytes \(start)-\(size - 1)/\(size)" }
            return Response(
                status: request.headers[.range] == nil ? .ok : .partialContent, headers: headers, body: body)
        }
    }

    /// The first byte a `Range` header asks for: only `bytes=N-`, with N below the file's size
    /// (what a download that broke after N bytes asks), is served.
    static func start(ofRange value: String, size: UInt64) throws -> UInt64 {
        let prefix = "bytes="
        guard value.hasPrefix(prefix), value.hasSuffix("-") else {
            throw APIError(.invalidRequest, "Range: only bytes=N- is served")
        }
        let digits = value.dropFirst(prefix.count).dropLast()
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let start = UInt64(digits), start < size
        else {
            throw APIError(.invalidRequest, "Range: bytes=N- with N a byte of the file (it has \(size))")
        }
        return start
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
