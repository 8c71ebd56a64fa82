import AICertCore
import Hummingbird

/// `GET /v1/health` (no token) and `GET /v1/identity?nonce=HEX`.
enum IdentityRoutes {
    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.get("/v1/health") { _, _ in
            try JSONResponse.make(
                .ok, RunnerAPI.Health(status: "ok", runner: RunnerEvent.name, version: RunnerEvent.version))
        }
        router.get("/v1/identity") { request, _ in
            let nonce = try Nonce.parse(request.uri.queryParameters.get("nonce"))
            return try JSONResponse.make(.ok, try await runner.identity(nonce: nonce))
        }
    }
}
