import AICertCore
import Hummingbird

/// A failure as the runner's HTTP edge sends it: a ``RunnerErrorCode``, the HTTP status it maps
/// to, and a one-line detail for people, as `{"error": CODE, "detail": DETAIL}`. The runner's
/// domain (fetchers, sandbox, build) throws ``RunnerFailure``; the edge maps it here.
///
/// Equality compares the code only, so tests can match the kind of failure, not its text.
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The failure sent: its code, and what failed and why with anything taken from a request
    /// escaped. Equality is the failure's, on the code only.
    public let failure: RunnerFailure

    public var code: RunnerErrorCode { failure.code }
    public var detail: String { failure.detail }

    public init(_ code: RunnerErrorCode, _ detail: String) {
        failure = RunnerFailure(code, detail)
    }

    /// The edge's form of a domain failure.
    public init(_ failure: RunnerFailure) {
        self.failure = failure
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
    var body: RunnerAPI.ErrorBody { failure.body }

    public var description: String { failure.description }
}
