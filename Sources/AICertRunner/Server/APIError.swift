import AICertCore
import Hummingbird

/// A failure as the runner's HTTP edge sends it: a ``RunnerErrorCode``, the HTTP status it maps
/// to, and a one-line detail for people, as `{"error": CODE, "detail": DETAIL}`. The runner's
/// domain (fetchers, sandbox, build) throws ``RunnerFailure``; the edge maps it here.
///
/// Equality compares the code only, so tests can match the kind of failure, not its text.
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: RunnerErrorCode
    /// What failed and why, with anything taken from a request escaped.
    public let detail: String

    public init(_ code: RunnerErrorCode, _ detail: String) {
        self.code = code
        self.detail = TerminalText.escaped(detail, limit: 2048)
    }

    /// The edge's form of a domain failure.
    public init(_ failure: RunnerFailure) {
        code = failure.code
        detail = failure.detail
    }

    /// The HTTP status the code is sent with.
    public var status: HTTPResponse.Status {
        switch code {
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        case .invalidRequest, .invalidSpec, .invalidInput: .badRequest
        case .tooLarge: .contentTooLarge
        case .buildExists, .wrongState, .tpmUsed: .conflict
        case .inputFailed, .outputsFailed: .unprocessableContent
        case .tpmFailure, .sandboxFailure, .internalError: .internalServerError
        }
    }

    /// The JSON body.
    var body: RunnerAPI.ErrorBody { RunnerAPI.ErrorBody(code, detail) }

    public var description: String { "\(code.rawValue): \(detail)" }

    public static func == (lhs: APIError, rhs: APIError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
