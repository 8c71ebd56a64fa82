import AICertCore
import Foundation
import X509

/// The `remote` platform: a runner already running on a machine with its own TPM, reached by
/// URL with a bearer token. Nothing is started or stopped for it; its attestation key must
/// chain to a built-in root or to one of ``trustRoots``.
public struct RemotePlatform: Platform {
    /// The runner's base URL, https: the runner's own TLS, whose key its quote binds.
    public let runnerURL: URL
    public let token: String
    /// Roots trusted besides the built-in ones (`--trust-root`).
    public let trustRoots: [Certificate]

    public init(runnerURL: URL, token: String, trustRoots: [Certificate]) {
        self.runnerURL = runnerURL
        self.token = token
        self.trustRoots = trustRoots
    }

    public var kind: PlatformKind { .remote }
    public var isDevelopment: Bool { false }

    public func start(progress: @escaping @Sendable (String) -> Void) -> RunningPlatform {
        RunningPlatform(kind: kind, runnerURL: runnerURL, token: token, trustRoots: trustRoots)
    }
}
