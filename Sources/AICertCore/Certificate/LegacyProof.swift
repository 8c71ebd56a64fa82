import Foundation

/// A proof file of the original (Python) AICert, `attestation.json`: a quote made with
/// tpm2-tools, the AK certificate chain, and a log of JSON strings extended into one PCR.
///
/// Shape: `{"ca_cert": str, "event_log": [str, …], "remote_attestation": {"quote": {"message":
/// {"base64"}, "signature": {"base64"}, "pcr": {"base64"}}, "cert_chain": [{"base64"}, …]}}`.
public struct LegacyProof: Hashable, Sendable {
    public static let format = "aicert-legacy"

    /// The TLS certificate of the original runner; it was extended into a PCR too.
    public var caCertificate: String?
    public var eventLog: [String]
    /// `TPMS_ATTEST`, as `tpm2_quote -m` writes it.
    public var message: [UInt8]
    /// `TPMT_SIGNATURE`, as `tpm2_quote -s` writes it.
    public var signature: [UInt8]
    /// tpm2-tools' PCR file, as `tpm2_quote -o` writes it (see ``Tpm2ToolsPCRValues``).
    public var pcrFile: [UInt8]
    /// The AK certificate (DER) first, then the CA certificates (DER or PEM).
    public var certificateChain: [[UInt8]]

    /// Whether a parsed JSON document has the legacy shape (and no `format`).
    public static func looksLegacy(_ object: [String: Any]) -> Bool {
        object["format"] == nil && object["remote_attestation"] is [String: Any]
    }

    /// Parses a legacy file strictly; errors name the field.
    public init(json data: Data) throws {
        guard data.count <= AICertificate.maximumFileSize else {
            throw CertificateFormatError(
                field: "", "the file is \(data.count) bytes, more than \(AICertificate.maximumFileSize)")
        }
        try JSONStructure.check(data)
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CertificateFormatError(field: "", "not a JSON object")
            }
            root = object
        } catch let error as CertificateFormatError {
            throw error
        } catch {
            throw CertificateFormatError(field: "", "not valid JSON")
        }
        func base64(_ value: Any?, _ field: String) throws -> [UInt8] {
            guard let object = value as? [String: Any] else {
                throw CertificateFormatError(field: field, "required object is missing")
            }
            guard let text = object["base64"] as? String else {
                throw CertificateFormatError(field: "\(field).base64", "required string is missing")
            }
            guard let bytes = Data(base64Encoded: text) else {
                throw CertificateFormatError(field: "\(field).base64", "not valid base64")
            }
            return Array(bytes)
        }
        if let ca = root["ca_cert"], !(ca is String) {
            throw CertificateFormatError(field: "ca_cert", "expected a string")
        }
        caCertificate = root["ca_cert"] as? String
        guard let log = root["event_log"] as? [Any] else {
            throw CertificateFormatError(field: "event_log", "required array is missing")
        }
        guard log.count <= 10_000 else { throw CertificateFormatError(field: "event_log", "more than 10,000 events") }
        eventLog = try log.enumerated().map { index, item in
            guard let text = item as? String else {
                throw CertificateFormatError(field: "event_log[\(index)]", "expected a string")
            }
            return text
        }
        guard let attestation = root["remote_attestation"] as? [String: Any] else {
            throw CertificateFormatError(field: "remote_attestation", "required object is missing")
        }
        guard let quote = attestation["quote"] as? [String: Any] else {
            throw CertificateFormatError(field: "remote_attestation.quote", "required object is missing")
        }
        message = try base64(quote["message"], "remote_attestation.quote.message")
        signature = try base64(quote["signature"], "remote_attestation.quote.signature")
        pcrFile = try base64(quote["pcr"], "remote_attestation.quote.pcr")
        guard let chain = attestation["cert_chain"] as? [Any] else {
            throw CertificateFormatError(field: "remote_attestation.cert_chain", "required array is missing")
        }
        guard chain.count <= 8 else {
            throw CertificateFormatError(field: "remote_attestation.cert_chain", "more than 8 certificates")
        }
        certificateChain = try chain.enumerated().map { try base64($1, "remote_attestation.cert_chain[\($0)]") }
    }
}

/// The PCR values in tpm2-tools' PCR file (`tpm2_quote -o`): its in-memory
/// `TPML_PCR_SELECTION` (a 32-bit count and 16 slots of hash, size and 4-byte bitmap, each
/// padded to 8 bytes), then a 32-bit count of `TPML_DIGEST` blocks, each a 32-bit count and 8
/// slots of a 16-bit size and 64 bytes. Little-endian, as written on x86 and ARM hosts.
public struct Tpm2ToolsPCRValues: Hashable, Sendable {
    /// Bank (TPM algorithm id) and index of each value, in file order.
    public var selection: [(hash: UInt16, pcr: Int)]
    public var values: [[UInt8]]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.values == rhs.values
            && lhs.selection.elementsEqual(rhs.selection) { $0.hash == $1.hash && $0.pcr == $1.pcr }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(values) }

    public init(_ bytes: [UInt8]) throws {
        var offset = 0
        func u32() throws -> Int {
            guard offset + 4 <= bytes.count else {
                throw CertificateFormatError(field: "remote_attestation.quote.pcr", "truncated at byte \(offset)")
            }
            defer { offset += 4 }
            return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(
                bytes[offset + 3]) << 24
        }
        func fail(_ reason: String) -> CertificateFormatError {
            CertificateFormatError(field: "remote_attestation.quote.pcr", reason)
        }
        let selections = try u32()
        guard selections <= 16 else { throw fail("\(selections) PCR selections, more than 16") }
        guard offset + 16 * 8 <= bytes.count else { throw fail("truncated in the PCR selection") }
        var selection: [(hash: UInt16, pcr: Int)] = []
        for slot in 0..<selections {
            let base = offset + slot * 8
            let hash = UInt16(bytes[base]) | UInt16(bytes[base + 1]) << 8
            let size = Int(bytes[base + 2])
            guard size <= 4 else { throw fail("a PCR bitmap of \(size) bytes, more than 4") }
            for byte in 0..<size {
                for bit in 0..<8 where bytes[base + 3 + byte] & (1 << bit) != 0 {
                    selection.append((hash, byte * 8 + bit))
                }
            }
        }
        offset += 16 * 8
        let blocks = try u32()
        guard blocks <= 16 else { throw fail("\(blocks) digest blocks, more than 16") }
        var values: [[UInt8]] = []
        for _ in 0..<blocks {
            let count = try u32()
            guard count <= 8 else { throw fail("a digest block of \(count) digests, more than 8") }
            guard offset + 8 * 66 <= bytes.count else { throw fail("truncated in a digest block") }
            for slot in 0..<count {
                let base = offset + slot * 66
                let size = Int(bytes[base]) | Int(bytes[base + 1]) << 8
                guard size <= 64 else { throw fail("a digest of \(size) bytes, more than 64") }
                values.append(Array(bytes[(base + 2)..<(base + 2 + size)]))
            }
            offset += 8 * 66
        }
        guard offset == bytes.count else { throw fail("\(bytes.count - offset) bytes after the last digest block") }
        guard values.count == selection.count else {
            throw fail("\(values.count) values for \(selection.count) selected PCRs")
        }
        self.selection = selection
        self.values = values
    }
}
