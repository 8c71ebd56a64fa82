/// Why the local platform could not be set up or run: what failed, and why.
public struct LocalPlatformError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The step that failed, e.g. `swtpm_setup` or `aicert-runner`.
    public let step: String
    public let reason: String

    public init(_ step: String, _ reason: String) {
        self.step = step
        self.reason = reason
    }

    public var description: String { "\(step): \(reason)" }
}
