import AICertCore
import Foundation
import X509

/// What a verifier expects beyond the signature: reference boot-state PCR values per platform
/// and required inputs and outputs. Read from a policy file (docs/policy.md) by the CLI.
public struct VerificationPolicy: Hashable, Sendable {
    /// An input or output the build must have, by name, with its manifest digest and (inputs
    /// only) git commit, each optional.
    public struct Requirement: Hashable, Sendable {
        public var name: String
        public var digest: String?
        public var commit: String?

        public init(name: String, digest: String? = nil, commit: String? = nil) {
            self.name = name
            self.digest = digest
            self.commit = commit
        }
    }

    /// Rules on the events of a firmware event log, for platforms that have one.
    public struct BootRules: Hashable, Sendable {
        /// Secure Boot must be on (`true`) or off (`false`); not checked when `nil`.
        public var secureBoot: Bool?
        /// Allowed SHA-256 Authenticode digests (lowercase hex) of every EFI application run.
        public var applications: [String]?
        /// Allowed kernel command lines.
        public var commandLines: [String]?
        /// PCRs 0–7 must each have a separator, and none an error separator.
        public var requireSeparators: Bool

        public init(secureBoot: Bool? = nil, applications: [String]? = nil, commandLines: [String]? = nil, requireSeparators: Bool = false) {
            self.secureBoot = secureBoot
            self.applications = applications
            self.commandLines = commandLines
            self.requireSeparators = requireSeparators
        }
    }

    /// Platform → PCR index (0–13) → allowed SHA-256 values (lowercase hex).
    public var referencePCRs: [String: [Int: [String]]]
    /// Platform → rules on its firmware event log.
    public var bootRules: [String: BootRules]
    public var inputs: [Requirement]
    public var outputs: [Requirement]

    public init(
        referencePCRs: [String: [Int: [String]]] = [:], bootRules: [String: BootRules] = [:], inputs: [Requirement] = [],
        outputs: [Requirement] = []
    ) {
        self.referencePCRs = referencePCRs
        self.bootRules = bootRules
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// How to verify: the roots to trust, a policy, files to check against the outputs, and the
/// time at which to evaluate the chain (the certificate's own time when `nil`).
public struct VerificationOptions: Sendable {
    public var trustStore: TrustStore
    public var policy: VerificationPolicy?
    public var artifacts: [String]
    public var validationTime: Date?

    /// The built-in roots plus `trustRoots`.
    public init(trustRoots: [Certificate] = [], policy: VerificationPolicy? = nil, artifacts: [String] = [], validationTime: Date? = nil) {
        self.trustStore = TrustStore(roots: TrustStore.builtIn.roots + trustRoots)
        self.policy = policy
        self.artifacts = artifacts
        self.validationTime = validationTime
    }
}
