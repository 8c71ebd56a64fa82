import AICertCore
import Hummingbird

/// `PUT /v1/build/inputs/{name}[?offset=N]`: an upload input's bytes, streamed to disk and
/// measured as they arrive. `Content-Type: application/x-tar` sends a directory as a tar
/// archive; any other type sends one file. An upload whose connection breaks is kept as it was
/// (`interrupted`, with the bytes received in `GET /v1/build`) and resumes with `?offset=` at
/// exactly that many bytes; what was received is not measured again.
enum InputRoutes {
    /// The body ended before the bytes its `Content-Length` announced, or its stream failed:
    /// the connection broke, and the upload can resume.
    struct StreamBroken: Error, CustomStringConvertible {
        let description: String
    }

    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.put("/v1/build/inputs/:name") { request, context in
            let name = try context.parameters.require("name")
            if let problem = InputName.problem(with: name) { throw APIError(.invalidRequest, "'\(name)': \(problem)") }
            let offset = try Self.offset(request)
            let limits = runner.limits
            let length = request.headers[.contentLength].flatMap(Int64.init)
            if let length, length > limits.inputBytes - offset {
                throw APIError(
                    .tooLarge,
                    "input '\(name)' is \(offset + length) bytes, more than the limit of \(limits.inputBytes)")
            }
            let isArchive = request.headers[.contentType]?.lowercased().hasPrefix("application/x-tar") ?? false
            let upload = try await runner.beginUpload(name, offset: offset, isArchive: isArchive)
            let manifest: Manifest
            do {
                manifest = try await receive(request, into: upload, name: name, length: length, limits: limits)
            } catch let broken as StreamBroken {
                await runner.interruptUpload(name)
                throw APIError(.invalidRequest, "input '\(name)': \(broken); resume it with ?offset=")
            } catch {
                await runner.abandonUpload(name)
                if let archive = error as? ArchiveError { throw APIError(.invalidInput, "input '\(name)': \(archive)") }
                throw error
            }
            try await runner.completeUpload(name, manifest: manifest)
            return try JSONResponse.make(.created, RunnerAPI.UploadResult(name: name, manifest: manifest))
        }
    }

    /// The `offset` query: a non-negative decimal integer, 0 when absent.
    private static func offset(_ request: Request) throws -> Int64 {
        guard let text = request.uri.queryParameters.get("offset") else { return 0 }
        guard text.count <= 19, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int64(text) else {
            throw APIError(.invalidRequest, "offset is a non-negative integer of bytes")
        }
        return value
    }

    private static func receive(
        _ request: Request, into upload: PartialUpload, name: String, length: Int64?, limits: RunnerLimits
    ) async throws -> Manifest {
        var body = request.body.makeAsyncIterator()
        var received: Int64 = 0
        while true {
            let next: ByteBuffer?
            do {
                next = try await body.next()
            } catch {
                throw StreamBroken(description: "the connection broke after \(upload.received) bytes (\(error))")
            }
            guard let buffer = next else { break }
            received += Int64(buffer.readableBytes)
            guard upload.received + Int64(buffer.readableBytes) <= limits.inputBytes else {
                throw APIError(.tooLarge, "input '\(name)' is larger than the limit of \(limits.inputBytes) bytes")
            }
            try buffer.withUnsafeReadableBytes { try upload.consume($0) }
        }
        if let length, received < length {
            throw StreamBroken(description: "the body ended after \(received) of its \(length) bytes")
        }
        return try upload.receiver.finish()
    }
}
