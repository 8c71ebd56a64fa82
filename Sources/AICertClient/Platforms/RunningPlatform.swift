import AICertCore
import Foundation
import X509

/// A platform ready for one build: a runner's URL and token, and the roots its attestation
/// key must chain to. ``stop()`` ends what was started for it (nothing, for a remote runner).
public struct RunningPlatform: Sendable {
    public let kind: PlatformKind
    public let runnerURL: URL
    public let token: String
    /// Roots trusted besides the built-in ones: the development CA's root for a development
    /// platform, the ones given with `--trust-root` for a remote one.
    public let trustRoots: [Certificate]
    /// The development CA's root, which certificates of a development platform (local, qemu)
    /// chain to; `nil` for any other.
    public let developmentRoot: Certificate?
    private let teardown: PlatformTeardown?

    /// A runner whose attestation key chains to a built-in root or one of `trustRoots`, one of
    /// them `developmentRoot` on a development platform; `teardown` holds what was started.
    init(
        kind: PlatformKind, runnerURL: URL, token: String, trustRoots: [Certificate],
        developmentRoot: Certificate? = nil, teardown: PlatformTeardown? = nil
    ) {
        self.kind = kind
        self.runnerURL = runnerURL
        self.token = token
        self.trustRoots = trustRoots
        self.developmentRoot = developmentRoot
        self.teardown = teardown
    }

    /// Stops what the platform started (runner or machine, swtpm) and removes their state.
    /// Idempotent.
    public func stop() {
        teardown?.release()
    }
}
