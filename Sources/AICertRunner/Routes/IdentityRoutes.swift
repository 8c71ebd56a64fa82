import AICertCore
import Hummingbird

/// `GET /v1/health` (no token) and `GET /v1/identity?nonce=HEX`.
enum IdentityRoutes {
    struct Health: Codable, Sendable {
        var status = "ok"
        var runner = RunnerEvent.name
        var version = RunnerEvent.version
    }

    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.get("/v1/health") { _, _ in
            try JSONResponse.make(.ok, Health())
        }
        router.get("/v1/identity") { request, _ in
            let nonce = try Nonce.parse(request.uri.queryParameters.get("nonce"))
            return try JSONResponse.make(.ok, try await runner.identity(nonce: nonce))
        }
    }
}
