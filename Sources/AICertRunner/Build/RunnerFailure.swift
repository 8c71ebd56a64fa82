import AICertCore

/// Why the runner's domain (a fetcher, the sandbox, the build) could not do what was asked:
/// a stable ``RunnerErrorCode`` and a one-line detail, with anything taken from a request
/// escaped. The HTTP edge sends it as an ``APIError``.
///
/// Equality compares the code only, so tests can match the kind of failure, not its text.
public struct RunnerFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: RunnerErrorCode
    public let detail: String

    public init(_ code: RunnerErrorCode, _ detail: String) {
        self.code = code
        self.detail = TerminalText.escaped(detail, limit: 2048)
    }

    /// The `{error, detail}` body an error response or a failed build's status carries.
    public var body: RunnerAPI.ErrorBody { RunnerAPI.ErrorBody(code, detail) }

    public var description: String { "\(code.rawValue): \(detail)" }

    public static func == (lhs: RunnerFailure, rhs: RunnerFailure) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
