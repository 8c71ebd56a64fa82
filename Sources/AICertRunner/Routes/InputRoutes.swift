import AICertCore
import Hummingbird

/// `PUT /v1/build/inputs/{name}`: an upload input's bytes, streamed to disk and measured as
/// they arrive. `Content-Type: application/x-tar` sends a directory as a tar archive; any other
/// type sends one file.
enum InputRoutes {
    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.put("/v1/build/inputs/:name") { request, context in
            let name = try context.parameters.require("name")
            if let problem = InputName.problem(with: name) { throw APIError(.invalidRequest, "'\(name)': \(problem)") }
            let limits = runner.limits
            if let length = request.headers[.contentLength].flatMap(Int64.init), length > limits.inputBytes {
                throw APIError(
                    .tooLarge, "input '\(name)' is \(length) bytes, more than the limit of \(limits.inputBytes)")
            }
            let isArchive = request.headers[.contentType]?.lowercased().hasPrefix("application/x-tar") ?? false
            let staged = try await runner.beginUpload(name)
            let manifest: Manifest
            do {
                manifest = try await receive(request, into: staged, name: name, isArchive: isArchive, limits: limits)
            } catch {
                await runner.abandonUpload(name)
                if let archive = error as? ArchiveError { throw APIError(.invalidInput, "input '\(name)': \(archive)") }
                throw error
            }
            try await runner.completeUpload(name, manifest: manifest)
            return try JSONResponse.make(.created, RunnerAPI.UploadResult(name: name, manifest: manifest))
        }
    }

    private static func receive(
        _ request: Request, into path: String, name: String, isArchive: Bool, limits: RunnerLimits
    ) async throws -> Manifest {
        let receiver: any InputReceiver =
            isArchive
            ? try TarUnpacker(path: path, limits: limits)
            : try FileReceiver(path: path, name: name, limit: limits.inputBytes)
        var received: Int64 = 0
        for try await buffer in request.body {
            received += Int64(buffer.readableBytes)
            guard received <= limits.inputBytes else {
                throw APIError(.tooLarge, "input '\(name)' is larger than the limit of \(limits.inputBytes) bytes")
            }
            try buffer.withUnsafeReadableBytes { try receiver.consume($0) }
        }
        return try receiver.finish()
    }
}
