import Foundation

/// Why a file is not a readable `aicert/v1` certificate; names the field at fault.
public struct CertificateFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public init(field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}

/// Bytes carried as base64 in JSON.
public struct Base64Bytes: Hashable, Sendable, Codable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not valid base64")
        }
        bytes = Array(data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(bytes).base64EncodedString())
    }
}

/// An AI certificate, `aicert/v1`: the evidence that a build ran as its event log says.
///
/// Everything here is a claim until ``AICertVerify`` checks it: the quote and its signature,
/// the PCR values, the attestation key and its chain, the event log and the manifests. The
/// summary is derived from the event log by the verifier and compared, never trusted.
public struct AICertificate: Hashable, Sendable, Codable {
    public static let currentFormat = "aicert/v1"
    /// The largest certificate file accepted.
    public static let maximumFileSize = 256 * 1024 * 1024

    /// The quote as the TPM produced it.
    public struct Quote: Hashable, Sendable, Codable {
        /// The exact `TPMS_ATTEST` bytes that were signed.
        public var attest: Base64Bytes
        /// The `TPMT_SIGNATURE`.
        public var signature: Base64Bytes

        public init(attest: [UInt8], signature: [UInt8]) {
            self.attest = Base64Bytes(attest)
            self.signature = Base64Bytes(signature)
        }
    }

    /// The attestation key and the platform's certificate chain for it.
    public struct AttestationKey: Hashable, Sendable, Codable {
        /// The AK's `TPMT_PUBLIC`.
        public var publicArea: Base64Bytes
        /// DER certificates: the AK certificate first, then intermediates (not the root).
        public var certificateChain: [Base64Bytes]

        enum CodingKeys: String, CodingKey {
            case publicArea = "public"
            case certificateChain = "certificate_chain"
        }

        public init(publicArea: [UInt8], certificateChain: [[UInt8]]) {
            self.publicArea = Base64Bytes(publicArea)
            self.certificateChain = certificateChain.map(Base64Bytes.init)
        }
    }

    /// The manifests of the build's inputs and outputs, each by the name its event gives.
    public struct Manifests: Hashable, Sendable, Codable {
        public var inputs: [String: Manifest]
        public var outputs: [String: Manifest]

        public init(inputs: [String: Manifest], outputs: [String: Manifest]) {
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    public var format: String
    /// `local` (development), `remote`, `qemu` or `azure`.
    public var platform: String
    /// The runner's clock when the certificate was made (RFC 3339), the time the chain is
    /// checked at unless the verifier is told otherwise.
    public var runnerTime: String
    /// The client's fresh nonce, as hex; the quote's `extraData` must equal it.
    public var nonce: String
    public var eventLog: [EventRecord]
    public var manifests: Manifests
    public var quote: Quote
    /// Quoted PCR values: bank name → PCR index (decimal string) → hex value.
    public var pcrs: [String: [String: String]]
    public var attestationKey: AttestationKey
    public var summary: BuildSummary
    /// The `summary` member exactly as the file had it, when the certificate was parsed from
    /// JSON: the verifier compares it whole, so that a member the log does not imply is caught.
    public var summaryJSON: JSONValue? = nil
    /// The machine's TCG firmware event log (`binary_bios_measurements`), when it has one.
    public var firmwareEventLog: Base64Bytes?
    /// An RFC 3161 time-stamp token (DER `TimeStampToken`) over the SHA-256 of the quote's
    /// signature, when the builder asked a Time-Stamping Authority for one (docs/timestamps.md).
    public var timestampToken: Base64Bytes?

    enum CodingKeys: String, CodingKey {
        case format, platform, nonce, manifests, quote, pcrs, summary
        case runnerTime = "runner_time"
        case eventLog = "event_log"
        case attestationKey = "attestation_key"
        case firmwareEventLog = "firmware_event_log"
        case timestampToken = "timestamp_token"
    }

    public init(
        platform: String, runnerTime: String, nonce: String, eventLog: [EventRecord], manifests: Manifests,
        quote: Quote, pcrs: [String: [String: String]], attestationKey: AttestationKey, summary: BuildSummary,
        firmwareEventLog: [UInt8]? = nil
    ) {
        self.format = Self.currentFormat
        self.platform = platform
        self.runnerTime = runnerTime
        self.nonce = nonce
        self.eventLog = eventLog
        self.manifests = manifests
        self.quote = quote
        self.pcrs = pcrs
        self.attestationKey = attestationKey
        self.summary = summary
        self.firmwareEventLog = firmwareEventLog.map(Base64Bytes.init)
    }

    /// Parses a certificate strictly: a missing or mistyped field is an error naming it.
    /// Unknown fields are ignored, so later versions can add to the format.
    public init(json data: Data) throws {
        guard data.count <= Self.maximumFileSize else {
            throw CertificateFormatError(
                field: "", "the file is \(data.count) bytes, more than \(Self.maximumFileSize)")
        }
        try JSONStructure.check(data)
        let format: String
        do {
            struct Header: Decodable { var format: String }
            format = try JSONDecoder().decode(Header.self, from: data).format
        } catch {
            throw Self.describe(error)
        }
        guard format == Self.currentFormat else {
            throw CertificateFormatError(field: "format", "'\(format)' is not \(Self.currentFormat)")
        }
        do {
            self = try JSONDecoder().decode(AICertificate.self, from: data)
        } catch {
            throw Self.describe(error)
        }
        struct RawSummary: Decodable { var summary: JSONValue }
        summaryJSON = (try? JSONDecoder().decode(RawSummary.self, from: data))?.summary ?? .null
    }

    /// The certificate as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Turns a decoding error into one that names the field by its JSON path.
    static func describe(_ error: any Error) -> CertificateFormatError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        guard let decoding = error as? DecodingError else {
            return CertificateFormatError(field: "", "\(error)")
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            return CertificateFormatError(field: path(context.codingPath + [key]), "required field is missing")
        case .typeMismatch(let type, let context):
            return CertificateFormatError(field: path(context.codingPath), "expected \(Self.jsonName(of: type))")
        case .valueNotFound(let type, let context):
            return CertificateFormatError(
                field: path(context.codingPath), "expected \(Self.jsonName(of: type)), found null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return CertificateFormatError(field: "", "not valid JSON")
            }
            return CertificateFormatError(field: path(context.codingPath), context.debugDescription)
        @unknown default:
            return CertificateFormatError(field: "", "\(error)")
        }
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Bool.Type: "true or false"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}
