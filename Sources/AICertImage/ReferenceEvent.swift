import AICertCore
import Crypto

/// One event a boot of the image is expected to extend, to predict and explain a PCR's value.
///
/// It has its PCR, its TCG event type, what it measures and the SHA-256 digest it extends with.
public struct ReferenceEvent: Hashable, Sendable, Encodable {
    /// The PCR the event extends.
    public let pcr: Int
    /// The TCG event type's name, e.g. `EV_EFI_BOOT_SERVICES_APPLICATION`.
    public let type: String
    /// What is measured, for people, e.g. `.linux section name`.
    public let description: String
    /// The digest extended into the SHA-256 bank.
    public let sha256: SHA256Hash

    /// An event with a known digest, e.g. one read from a firmware event log, to compare with predicted ones.
    public init(pcr: Int, type: String, description: String, sha256: SHA256Hash) {
        self.pcr = pcr
        self.type = type
        self.description = description
        self.sha256 = sha256
    }

    /// An event whose digest is the SHA-256 of `data`.
    init(pcr: Int, type: String, description: String, measuring data: some Sequence<UInt8>) {
        self.init(pcr: pcr, type: type, description: description, sha256: .of(data))
    }

    private enum CodingKeys: String, CodingKey { case pcr, type, description, sha256 }

    /// Writes the event as a JSON object with the digest in hexadecimal, for `aicert image measure --json`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pcr, forKey: .pcr)
        try container.encode(type, forKey: .type)
        try container.encode(description, forKey: .description)
        try container.encode(sha256.hex, forKey: .sha256)
    }

    /// The SHA-256 value of each PCR that starts at zero and is extended with `events` in order: the predicted PCRs.
    public static func replay(_ events: [ReferenceEvent]) -> [Int: SHA256Hash] {
        var values: [Int: [UInt8]] = [:]
        for event in events {
            let old = values[event.pcr] ?? [UInt8](repeating: 0, count: SHA256.byteCount)
            values[event.pcr] = Array(SHA256.hash(data: old + event.sha256.bytes))
        }
        return values.compactMapValues { SHA256Hash(bytes: $0) }
    }
}
