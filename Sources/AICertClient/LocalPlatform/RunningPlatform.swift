import Foundation
import X509

/// A platform ready for one build: a runner's URL and token, and the roots its attestation
/// key must chain to. ``stop()`` ends what was started for it (nothing, for a remote runner).
public struct RunningPlatform: Sendable {
    public let kind: RunPlatform
    public let runnerURL: URL
    public let token: String
    /// Roots trusted besides the built-in ones: the development CA's root for a local or qemu platform,
    /// the ones given with `--trust-root` for a remote one.
    public let trustRoots: [Certificate]
    private let teardown: PlatformTeardown?

    /// A runner started elsewhere.
    public static func remote(runnerURL: URL, token: String, trustRoots: [Certificate]) -> RunningPlatform {
        RunningPlatform(kind: .remote, runnerURL: runnerURL, token: token, trustRoots: trustRoots, teardown: nil)
    }

    init(kind: RunPlatform, runnerURL: URL, token: String, trustRoots: [Certificate], teardown: PlatformTeardown?) {
        self.kind = kind
        self.runnerURL = runnerURL
        self.token = token
        self.trustRoots = trustRoots
        self.teardown = teardown
    }

    /// The development CA's root, which certificates of a local or qemu platform chain to.
    public var developmentRoot: Certificate? {
        kind == .remote ? nil : trustRoots.first
    }

    /// Stops what a local or qemu platform started (runner or machine, swtpm) and removes their
    /// state. Idempotent.
    public func stop() {
        teardown?.release()
    }
}
