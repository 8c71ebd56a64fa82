import AICertCore
import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on every request but `GET /v1/health` and
/// `GET /v1/identity`.
///
/// The identity is asked for before the client has pinned the runner's TLS key, so it must not
/// need the token: a client sends the token only over a connection whose key the identity's
/// quote binds. It answers public data only (the AK chain and a quote).
///
/// The comparison is of SHA-256 digests in constant time, so neither the token's bytes nor its
/// length can be learnt from how long a refusal takes.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    private let expected: [UInt8]

    init(token: String) {
        expected = SHA256Hash.of(Array(token.utf8)).bytes
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if request.method == .get && BearerTokenExemption.paths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "this endpoint requires an Authorization: Bearer header")
        }
        let prefix = "Bearer "
        let presented = header.hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
        guard Self.constantTimeEqual(SHA256Hash.of(presented).bytes, expected), !presented.isEmpty else {
            throw APIError(.unauthorized, "the bearer token is not this runner's")
        }
        return try await next(request, context)
    }

    /// Whether two equal-length byte arrays are equal, in time independent of where they differ.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// The paths a GET needs no token for.
enum BearerTokenExemption {
    static let paths: Set<String> = ["/v1/health", "/v1/identity"]
}
