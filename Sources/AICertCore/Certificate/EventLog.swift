import Crypto

/// The kinds of event the runner records, and the PCR each goes into.
///
/// PCR 14 (inputs) reads `runner`, `build-spec`, `input`…, `environment`, `launch`;
/// PCR 15 (outputs) reads `output`…, `result`. See `docs/certificate-format.md`.
public enum EventType: String, Hashable, Sendable, CaseIterable {
    case runner = "aicert/runner"
    case buildSpec = "aicert/build-spec"
    case input = "aicert/input"
    case environment = "aicert/environment"
    case launch = "aicert/launch"
    case output = "aicert/output"
    case result = "aicert/result"

    /// The PCR this kind of event is extended into.
    public var pcr: Int {
        switch self {
        case .runner, .buildSpec, .input, .environment, .launch: PCRAllocation.inputs
        case .output, .result: PCRAllocation.outputs
        }
    }
}

/// One digest of an event record: `{"hashAlg": "sha256", "digest": "<hex>"}`.
public struct EventDigest: Hashable, Sendable, Codable {
    public var hashAlg: String
    public var digest: String

    public init(hashAlg: String, digest: String) {
        self.hashAlg = hashAlg
        self.digest = digest
    }
}

/// One record of the build's event log, in the TCG Canonical Event Log shape.
public struct EventRecord: Hashable, Sendable, Codable {
    public var recnum: Int
    public var pcr: Int
    public var digests: [EventDigest]
    public var contentType: String
    public var content: JSONValue

    enum CodingKeys: String, CodingKey {
        case recnum, pcr, digests
        case contentType = "content_type"
        case content
    }

    public init(recnum: Int, pcr: Int, digests: [EventDigest], contentType: String, content: JSONValue) {
        self.recnum = recnum
        self.pcr = pcr
        self.digests = digests
        self.contentType = contentType
        self.content = content
    }

    /// A record of `type` with its digest computed and its PCR set by the type.
    public init(recnum: Int, type: EventType, content: JSONValue) {
        self.init(
            recnum: recnum, pcr: type.pcr,
            digests: [EventDigest(hashAlg: "sha256", digest: Self.digest(type: type.rawValue, content: content).hex)],
            contentType: type.rawValue, content: content)
    }

    /// The bytes an event's digest is computed over: the RFC 8785 encoding of
    /// `{"content": content, "type": type}`, so an event cannot be read as another type.
    public static func canonicalBytes(type: String, content: JSONValue) -> [UInt8] {
        JSONValue.object(["type": .string(type), "content": content]).canonicalBytes
    }

    /// SHA-256 of ``canonicalBytes(type:content:)``: what is extended into the PCR.
    public static func digest(type: String, content: JSONValue) -> SHA256Hash {
        SHA256Hash.of(canonicalBytes(type: type, content: content))
    }

    /// The SHA-256 digest this record claims, if it has exactly one well-formed one.
    public var sha256Digest: SHA256Hash? {
        let sha256 = digests.filter { $0.hashAlg == "sha256" }
        guard sha256.count == 1 else { return nil }
        return SHA256Hash(hex: sha256[0].digest)
    }
}
