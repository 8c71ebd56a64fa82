/// The formats `aicert export` writes.
public enum ExportFormat: String, Hashable, Sendable, CaseIterable {
    /// An in-toto Statement v1 with a SLSA Provenance v1 predicate.
    case slsa
    /// A CycloneDX 1.6 ML-BOM.
    case cyclonedx
    /// The OpenSSF model-signing v1.0 statement of one output (`files` serialization).
    case modelSigning = "model-signing"

    /// Whether the document is an in-toto statement that a DSSE envelope can carry.
    public var isInTotoStatement: Bool { self != .cyclonedx }
}
