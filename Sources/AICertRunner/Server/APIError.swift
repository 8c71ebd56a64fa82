import Hummingbird

/// A failure the runner reports to its client: a stable machine-readable code, the HTTP status
/// it maps to, and a one-line detail for people. Sent as `{"error": CODE, "detail": DETAIL}`.
///
/// Equality compares the code only, so tests can match the kind of failure, not its text.
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is: the `error` member of the JSON body.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        /// The HTTP status the code is sent with.
        public let status: HTTPResponse.Status

        private init(_ rawValue: String, _ status: HTTPResponse.Status) {
            self.rawValue = rawValue
            self.status = status
        }

        /// No bearer token, or not the runner's.
        public static let unauthorized = Code("unauthorized", .unauthorized)
        /// No such route, build, input or output.
        public static let notFound = Code("not_found", .notFound)
        /// A request that is malformed: a body that is not the JSON asked for, a bad nonce or path.
        public static let invalidRequest = Code("invalid_request", .badRequest)
        /// A build spec that breaks a rule; the detail names the field.
        public static let invalidSpec = Code("invalid_spec", .badRequest)
        /// An input that cannot be accepted: a rejected archive entry, a broken upload.
        public static let invalidInput = Code("invalid_input", .badRequest)
        /// A body larger than the runner accepts.
        public static let tooLarge = Code("too_large", .contentTooLarge)
        /// This runner already has a build: one build per runner and TPM reset.
        public static let buildExists = Code("build_exists", .conflict)
        /// The request does not fit the build's state (an upload after the start, a certificate
        /// before the end, a second upload of one input).
        public static let wrongState = Code("wrong_state", .conflict)
        /// An input could not be fetched or did not have the digest the spec requires.
        public static let inputFailed = Code("input_failed", .unprocessableContent)
        /// The TPM already measured a build since it was reset.
        public static let tpmUsed = Code("tpm_used", .conflict)
        /// The TPM failed or could not be reached.
        public static let tpmFailure = Code("tpm_failure", .internalServerError)
        /// The sandbox could not run the job.
        public static let sandboxFailure = Code("sandbox_failure", .internalServerError)
        /// The outputs could not be measured.
        public static let outputsFailed = Code("outputs_failed", .unprocessableContent)
        /// Anything else that went wrong inside the runner.
        public static let internalError = Code("internal", .internalServerError)

        public var description: String { rawValue }
    }

    public let code: Code
    /// What failed and why, with anything taken from a request escaped.
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = LogText.escaped(detail)
    }

    public var description: String { "\(code): \(detail)" }

    public static func == (lhs: APIError, rhs: APIError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// The JSON body of every error response.
struct ErrorBody: Codable, Sendable {
    var error: String
    var detail: String

    init(_ error: APIError) {
        self.error = error.code.rawValue
        self.detail = error.detail
    }
}
