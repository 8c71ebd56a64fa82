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

        public init(
            secureBoot: Bool? = nil, applications: [String]? = nil, commandLines: [String]? = nil,
            requireSeparators: Bool = false
        ) {
            self.secureBoot = secureBoot
            self.applications = applications
            self.commandLines = commandLines
            self.requireSeparators = requireSeparators
        }
    }

    /// Platform (as the runner event signs it) → PCR index (0–13) → allowed SHA-256 values.
    public var referencePCRs: [String: [Int: [String]]]
    /// Platform → rules on its firmware event log.
    public var bootRules: [String: BootRules]
    /// Base images whose reference values the policy gives, looked up by the signed identity.
    public var images: [KnownImage]
    /// Accept a certificate whose boot no reference value describes (`boot-state` skipped).
    public var allowUnmeasuredBoot: Bool
    public var inputs: [Requirement]
    public var outputs: [Requirement]

    public init(
        referencePCRs: [String: [Int: [String]]] = [:], bootRules: [String: BootRules] = [:], images: [KnownImage] = [],
        allowUnmeasuredBoot: Bool = false, inputs: [Requirement] = [], outputs: [Requirement] = []
    ) {
        self.referencePCRs = referencePCRs
        self.bootRules = bootRules
        self.images = images
        self.allowUnmeasuredBoot = allowUnmeasuredBoot
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// A base image a verifier knows: its identity and the PCR values (and boot rules) a boot of it
/// produces. Built in for released images, registered on the machine, or given by a policy.
public struct KnownImage: Hashable, Sendable {
    public var identity: ImageIdentity
    /// PCR index (0–13) → allowed SHA-256 values (lowercase hex).
    public var referencePCRs: [Int: [String]]
    public var bootRules: VerificationPolicy.BootRules?

    public init(identity: ImageIdentity, referencePCRs: [Int: [String]], bootRules: VerificationPolicy.BootRules? = nil)
    {
        self.identity = identity
        self.referencePCRs = referencePCRs
        self.bootRules = bootRules
    }

    /// The images the project has released, measured from reproducible builds (see
    /// docs/verification-rules.md, "Releasing an image"). None is released yet.
    public static let builtIn: [KnownImage] = []
}

/// How to verify: the roots to trust, a policy, the images known on this machine, files to
/// check against the outputs, and the time at which to evaluate the chain (now when `nil`;
/// never a time the certificate states).
public struct VerificationOptions: Sendable {
    public var trustStore: TrustStore
    public var policy: VerificationPolicy?
    /// Images known besides the built-in ones and the policy's (e.g. registered locally).
    public var knownImages: [KnownImage]
    /// Accept a boot that no reference value describes; the policy can say so too.
    public var allowUnmeasuredBoot: Bool
    public var artifacts: [String]
    /// When to check the AK chain, if no valid time-stamp token says when the quote existed.
    public var validationTime: Date?
    /// The roots a time-stamp token's TSA certificate may chain to; none are built in.
    public var timestampRoots: [Certificate]

    /// The built-in roots plus `trustRoots`.
    public init(
        trustRoots: [Certificate] = [], policy: VerificationPolicy? = nil, knownImages: [KnownImage] = [],
        allowUnmeasuredBoot: Bool = false, artifacts: [String] = [], validationTime: Date? = nil,
        timestampRoots: [Certificate] = []
    ) {
        self.timestampRoots = timestampRoots
        self.trustStore = TrustStore(roots: TrustStore.builtIn.roots + trustRoots)
        self.policy = policy
        self.knownImages = knownImages
        self.allowUnmeasuredBoot = allowUnmeasuredBoot
        self.artifacts = artifacts
        self.validationTime = validationTime
    }

    /// Every image the verifier can look an identity up in: built-in, given, the policy's.
    var allKnownImages: [KnownImage] { KnownImage.builtIn + knownImages + (policy?.images ?? []) }

    /// Whether an unmeasured boot is accepted, by option or by policy.
    var acceptsUnmeasuredBoot: Bool { allowUnmeasuredBoot || policy?.allowUnmeasuredBoot == true }
}
