/// Why a certificate could not be exported: what failed and why.
public struct ExportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for tests and callers to compare.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case notVerified, unsupported, badSigningKey }
        private let kind: Kind

        /// The certificate did not verify; nothing it says is exported.
        public static let notVerified = Code(kind: .notVerified)
        /// The certificate verified, but the format cannot say what it holds.
        public static let unsupported = Code(kind: .unsupported)
        /// The key for a DSSE envelope could not be read or used.
        public static let badSigningKey = Code(kind: .badSigningKey)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// What failed, for people.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    /// Errors compare by code only, so that tests need not repeat the text.
    public static func == (lhs: ExportError, rhs: ExportError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
