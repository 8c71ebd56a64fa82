/// Why the local platform (its swtpm, its runner, its development CA) could not be set up or
/// run: what failed, and why.
public struct LocalPlatformError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The step that failed, e.g. `swtpm_setup` or `aicert-runner`, or the file of the
    /// development CA that could not be used.
    public let step: String
    public let reason: String

    public init(_ step: String, _ reason: String) {
        self.step = step
        self.reason = reason
    }

    public var description: String { "\(step): \(reason)" }
}
