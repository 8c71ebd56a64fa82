import AICertCore
import Hummingbird
import NIOCore

/// `GET /v1/build/logs[?follow=1]`: the job's output so far, or, with `follow`, streamed live
/// until the build ends.
enum LogRoutes {
    static let chunkSize = 64 * 1024

    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.get("/v1/build/logs") { request, _ in
            let follow: Bool
            switch request.uri.queryParameters.get("follow") {
            case nil, "0": follow = false
            case "1", "true": follow = true
            case let other?:
                // The detail is escaped where a RunnerFailure is made.
                throw APIError(.invalidRequest, "follow must be 0, 1 or true, not '\(other)'")
            }
            let log = try await runner.log()
            let body = ResponseBody { writer in
                var offset = 0
                while true {
                    let chunk = log.read(from: offset, maximum: chunkSize)
                    if !chunk.isEmpty {
                        offset += chunk.count
                        try await writer.write(ByteBuffer(bytes: chunk))
                    } else if !follow {
                        break
                    } else if await !log.waitForBytes(beyond: offset) {
                        break
                    }
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .xContentTypeOptions: "nosniff"],
                body: body)
        }
    }
}
