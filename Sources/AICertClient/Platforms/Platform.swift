import AICertCore

/// A kind of machine `aicert run` can run a build on: one type per ``PlatformKind`` this
/// version supports (``LocalPlatform``, ``QemuPlatform``, ``RemotePlatform``), each built from
/// the options it needs.
///
/// `RunCommand` looks the platform up from its kind (`--platform` or the config's `platform`),
/// starts it, runs the build against the runner it returns and stops it. A new platform is a
/// type conforming to this protocol and a case in that look-up.
public protocol Platform: Sendable {
    /// What the runner on this platform says it is, and its certificates sign.
    var kind: PlatformKind { get }

    /// Whether the platform's attestation key chains to the development CA in `AICERT_HOME`:
    /// its certificates verify only with that root given as a trust root (`aicert run` writes
    /// it as `development-root.pem`), and verifiers report "development platform".
    var isDevelopment: Bool { get }

    /// Starts the platform, or reaches it, and returns once its runner answers; `progress`
    /// gets a line for each step. What was started stops with ``RunningPlatform/stop()``, and
    /// on SIGINT, SIGTERM and SIGHUP until then.
    func start(progress: @escaping @Sendable (String) -> Void) async throws -> RunningPlatform
}
