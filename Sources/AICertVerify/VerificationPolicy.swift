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

    /// Platform → PCR index (0–13) → allowed SHA-256 values (lowercase hex).
    public var referencePCRs: [String: [Int: [String]]]
    public var inputs: [Requirement]
    public var outputs: [Requirement]

    public init(referencePCRs: [String: [Int: [String]]] = [:], inputs: [Requirement] = [], outputs: [Requirement] = []) {
        self.referencePCRs = referencePCRs
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
