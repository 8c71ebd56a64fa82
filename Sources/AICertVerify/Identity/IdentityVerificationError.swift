/// Why a runner's identity was not accepted; nothing is sent to a runner whose identity fails.
public struct IdentityVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which check failed; tests compare this.
    public struct Check: Hashable, Sendable, CustomStringConvertible {
        public let description: String
        private init(_ name: String) { description = name }
        /// The AK certificate does not chain to a trusted root at the current time.
        public static let chain = Check("ak-chain")
        /// The AK is not a restricted signing key, not the certificate's key, or did not sign.
        public static let signature = Check("quote-signature")
        /// The quote is not a TPM quote of SHA-256 PCRs 0–15 with our nonce and these values.
        public static let quote = Check("quote-content")
        /// PCR 14 or 15 is not zero: the TPM has already measured a build.
        public static let freshness = Check("unused-tpm")
        /// The runner says it is another kind of platform than the one started.
        public static let platform = Check("platform")
    }

    public let check: Check
    public let reason: String

    public init(_ check: Check, _ reason: String) {
        self.check = check
        self.reason = reason
    }

    public var description: String { "the runner's identity fails \(check): \(reason)" }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.check == rhs.check }
    public func hash(into hasher: inout Hasher) { hasher.combine(check) }
}
