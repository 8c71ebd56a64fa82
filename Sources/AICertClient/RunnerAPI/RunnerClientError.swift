import AICertCore

/// A request to a runner that failed: the HTTP status and the runner's `{error, detail}`, or
/// what went wrong on the way.
public struct RunnerClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The HTTP status, or 0 when no response arrived.
    public let status: Int
    /// The runner's error body, or the client's own when no usable answer came.
    public let body: RunnerAPI.ErrorBody

    /// The runner's error code (`unauthorized`, `build_exists`, …), or a client-side one
    /// (`transport`, `bad_response`, `local_file`, `digest_mismatch`).
    public var code: String { body.error }
    public var detail: String { body.detail }

    public init(status: Int, code: String, detail: String) {
        self.status = status
        body = RunnerAPI.ErrorBody(code, detail)
    }

    public var description: String {
        status == 0 ? "\(code): \(detail)" : "runner answered \(status) \(code): \(detail)"
    }
}
