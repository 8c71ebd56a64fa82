import Hummingbird

/// `POST /v1/build`, `GET /v1/build` and `POST /v1/build/start`.
enum BuildRoutes {
    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.post("/v1/build") { request, _ in
            let body = try await JSONResponse.body(of: request, limit: runner.limits.requestBodyBytes)
            return try JSONResponse.make(.created, try await runner.createBuild(try BuildSpecParser.parse(body)))
        }
        router.get("/v1/build") { _, _ in
            try JSONResponse.make(.ok, try await runner.status())
        }
        router.post("/v1/build/start") { _, _ in
            try JSONResponse.make(.accepted, try await runner.start())
        }
    }
}
