/// A build's life on the runner: `created` (waiting for uploads) → `preparing` (fetching
/// remote inputs, measuring) → `running` (the job is in its sandbox) → `finished` (outputs
/// measured, a certificate can be issued), or `failed` at any step, with the reason.
public enum BuildState: String, Hashable, Sendable, Codable, CaseIterable {
    case created, preparing, running, finished, failed

    /// Whether the build has ended, one way or the other.
    public var hasEnded: Bool { self == .finished || self == .failed }
}

/// Where one input of a build stands: `pending`, `uploading` (an upload in progress),
/// `interrupted` (an upload broke off; the runner keeps the bytes it received, measured, and the
/// upload resumes at that offset) or `ready` (measured).
public enum InputState: String, Hashable, Sendable, Codable, CaseIterable {
    case pending, uploading, interrupted, ready
}
