/// Why a runner's identity was not accepted; nothing is sent to a runner whose identity fails.
///
/// Thrown by ``IdentityVerifier/verify(_:nonce:channelKeyDigest:trustStore:platform:knownImages:)``.
/// Equality and hashing use the ``check`` only, so tests compare which check failed, not the words.
public struct IdentityVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which check failed; tests compare this.
    public struct Check: Hashable, Sendable, CustomStringConvertible {
        /// The check's name as messages show it, e.g. `ak-chain`.
        public let description: String
        /// A check named `name`; only the static members below create checks.
        private init(_ name: String) { description = name }
        /// The AK certificate does not chain to a trusted root at the current time.
        public static let chain = Check("ak-chain")
        /// The AK is not a restricted signing key, not the certificate's key, or did not sign.
        public static let signature = Check("quote-signature")
        /// The quote is not a TPM quote of SHA-256 PCRs 0–15 with our nonce and these values.
        public static let quote = Check("quote-content")
        /// The quote or the runner event is bound to another TLS key than the connection's.
        public static let channel = Check("channel-binding")
        /// PCR 14 or 15 is not zero: the TPM has already measured a build.
        public static let freshness = Check("unused-tpm")
        /// The boot is not what the firmware event log or the known image it names says.
        public static let boot = Check("boot-state")
        /// The runner says it is another kind of platform than the one started.
        public static let platform = Check("platform")
    }

    /// The check the identity failed.
    public let check: Check
    /// A sentence for the builder saying what was wrong and, where it helps, what to do.
    public let reason: String

    /// An error for a failed `check`, explained by `reason`.
    public init(_ check: Check, _ reason: String) {
        self.check = check
        self.reason = reason
    }

    /// `the runner's identity fails <check>: <reason>`, as the CLI prints it.
    public var description: String { "the runner's identity fails \(check): \(reason)" }
    /// Whether two errors are of the same ``check``; their reasons are not compared.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.check == rhs.check }
    /// Hashes the ``check`` only, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(check) }
}
