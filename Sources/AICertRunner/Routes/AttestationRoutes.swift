import AICertCore
import Foundation
import Hummingbird

/// `POST /v1/build/attestation` with `{"nonce": HEX}`: the build's `aicert/v1` certificate,
/// quoted with that nonce, once the build has finished.
enum AttestationRoutes {
    struct Request: Decodable {
        var nonce: String
    }

    static func add(to router: Router<some RequestContext>, runner: Runner) {
        router.post("/v1/build/attestation") { request, _ in
            let body = try await JSONResponse.body(of: request, limit: 4096)
            let nonce: String
            do {
                nonce = try JSONDecoder().decode(Self.Request.self, from: body).nonce
            } catch {
                throw APIError(.invalidRequest, #"the body is {"nonce": HEX}"#)
            }
            let certificate = try await runner.certificate(nonce: try Nonce.parse(nonce))
            return JSONResponse.make(.ok, bytes: Array(try certificate.jsonData()))
        }
    }
}
