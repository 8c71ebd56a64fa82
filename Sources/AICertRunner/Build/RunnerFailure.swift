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

extension RunnerFailure {
    /// The failure, with `code`, of `what` (e.g. "writing input 'data'"), which found the file
    /// system holding `directory` full (``DiskSpace``).
    ///
    /// Nothing already in place is touched when it happens: an upload that cannot be written is
    /// abandoned whole (its staging directory removed), inputs already received stay as measured,
    /// and a build whose job filled the disk fails before its outputs are measured.
    static func diskFull(_ code: RunnerErrorCode, _ what: String, in directory: String) -> RunnerFailure {
        RunnerFailure(code, "\(what): \(DiskSpace.noSpace(holding: directory))")
    }
}
