import Crypto
import TPM2

/// A TCG PC Client firmware event log (`binary_bios_measurements`), parsed and checked, that
/// can be replayed into the PCR values it claims.
///
/// Two formats exist. A log whose first record is an `EV_NO_ACTION` event holding the Spec ID
/// event ("Spec ID Event03") is crypto-agile: every later record (`TCG_PCR_EVENT2`) carries one
/// digest per bank, of the sizes the Spec ID event declares. Any other log is the legacy
/// format (`TCG_PCR_EVENT`), one SHA-1 digest per record. All integers are little-endian.
public struct FirmwareEventLog: Hashable, Sendable {
    /// Which of the two record formats the log uses.
    public enum Format: String, Hashable, Sendable {
        /// `TCG_PCR_EVENT` records with one SHA-1 digest each.
        case sha1 = "SHA-1"
        /// `TCG_PCR_EVENT2` records after a Spec ID event.
        case cryptoAgile = "crypto-agile"
    }

    /// The largest log accepted, in bytes.
    public static let maximumSize = 16 << 20
    /// The most records accepted.
    public static let maximumEvents = 100_000
    /// PCRs 0 to 23: those of a PC Client TPM.
    public static let pcrCount = 24
    /// The locality an H-CRTM event starts PCR 0 from (TPM 2.0 Library, Part 1, "H-CRTM").
    static let hcrtmLocality: UInt8 = 4

    public let format: Format
    /// The Spec ID event of a crypto-agile log; `nil` for the legacy format.
    public let specID: SpecIDEvent?
    /// Every record, the Spec ID event included.
    public let events: [FirmwareEvent]
    /// The locality PCR 0 starts from: that of a StartupLocality event, 4 after an H-CRTM event, else 0.
    public let startupLocality: UInt8

    /// Parses a whole log; any malformed record, limit exceeded or trailing byte throws a
    /// ``FirmwareLogError`` naming the record and the field.
    public init(bytes: [UInt8]) throws {
        guard bytes.count <= Self.maximumSize else {
            throw FirmwareLogError(
                .limitExceeded, record: nil, field: "log",
                "\(bytes.count) bytes exceed the limit of \(Self.maximumSize)")
        }
        guard !bytes.isEmpty else { throw FirmwareLogError(.truncated, record: nil, field: "log", "the log is empty") }
        var reader = LittleEndianReader(bytes, record: 0)
        let first = try Self.readLegacyRecord(&reader)
        var events: [FirmwareEvent]
        if Self.isSpecIDEvent(index: 0, type: first.type, data: first.data) {
            guard first.pcr == 0 else {
                throw reader.error(.invalidValue, "pcrIndex", "the Spec ID event is for PCR 0, not \(first.pcr)")
            }
            guard first.digests.allSatisfy({ $0.value.allSatisfy { $0 == 0 } }) else {
                throw reader.error(.invalidValue, "digest", "the Spec ID event's digest must be zero")
            }
            let specID = try SpecIDEvent(data: first.data, record: 0)
            events = [
                FirmwareEvent(
                    index: 0, pcr: 0, type: first.type, digests: first.digests, data: first.data,
                    payload: .specID(specID))
            ]
            while !reader.isAtEnd {
                try Self.checkEventCount(events.count)
                reader.record = events.count
                events.append(try Self.readAgileRecord(&reader, algorithms: specID.algorithms))
            }
            self.format = .cryptoAgile
            self.specID = specID
        } else {
            events = [first]
            while !reader.isAtEnd {
                try Self.checkEventCount(events.count)
                reader.record = events.count
                events.append(try Self.readLegacyRecord(&reader))
            }
            self.format = .sha1
            self.specID = nil
        }
        self.events = events
        self.startupLocality = try Self.startupLocality(of: events)
    }

    /// The PCR values that replaying the log gives: bank name (`sha1`, `sha256`, `sha384`,
    /// `sha512`) → PCR index → value.
    ///
    /// Each event but `EV_NO_ACTION` extends its PCR in every bank it has a digest for, from
    /// zero (PCR 0 from ``startupLocality`` in its last byte). A bank appears when some event
    /// after the Spec ID event has a digest for it; a PCR when some event extended it, or PCR 0
    /// with a non-zero startup locality. Algorithms this library cannot compute are not replayed.
    public func replay() -> [String: [Int: [UInt8]]] {
        var banks: [ReplayBank: [Int: [UInt8]]] = [:]
        for event in events {
            // The Spec ID event's digest field is a placeholder, not a bank.
            if case .specID = event.payload { continue }
            for digest in event.digests {
                guard let bank = ReplayBank(digest.algorithm) else { continue }
                if banks[bank] == nil {
                    banks[bank] = startupLocality == 0 ? [:] : [0: bank.initialValue(startupLocality)]
                }
                if event.isExtended {
                    let old = banks[bank]?[event.pcr] ?? bank.initialValue(0)
                    banks[bank]?[event.pcr] = bank.extend(old, with: digest.value)
                }
            }
        }
        return Dictionary(uniqueKeysWithValues: banks.map { ($0.key.name, $0.value) })
    }

    /// A summary of what booted, read from the events.
    public var bootChain: BootChain { BootChain(log: self) }

    private static func checkEventCount(_ count: Int) throws {
        guard count < maximumEvents else {
            throw FirmwareLogError(
                .limitExceeded, record: count, field: "log", "more than \(maximumEvents) events")
        }
    }

    /// Reads a `TCG_PCR_EVENT`: PCR index, event type, SHA-1 digest, event size, event data.
    private static func readLegacyRecord(_ reader: inout LittleEndianReader) throws -> FirmwareEvent {
        let index = reader.record ?? 0
        let pcr = try readPCRIndex(&reader)
        let type = FirmwareEventType(rawValue: try reader.read(UInt32.self, "eventType"))
        let digest = try reader.readBytes(20, "digest")
        let size = try reader.readLength(UInt32.self, "eventSize")
        let data = try reader.readBytes(size, "event")
        // The caller decodes the Spec ID event, and with it the format of the whole log.
        let payload: FirmwareEventPayload =
            isSpecIDEvent(index: index, type: type, data: data)
            ? .undecoded : try FirmwareEventPayload(type: type, data: data, record: index)
        return FirmwareEvent(
            index: index, pcr: pcr, type: type, digests: [FirmwareDigest(algorithm: .sha1, value: digest)],
            data: data, payload: payload)
    }

    /// Whether a record opens a crypto-agile log: the first, `EV_NO_ACTION`, with the Spec ID signature.
    private static func isSpecIDEvent(index: Int, type: FirmwareEventType, data: [UInt8]) -> Bool {
        index == 0 && type == .noAction && data.starts(with: SpecIDEvent.signature)
    }

    /// Reads a `TCG_PCR_EVENT2`, whose digests must be of algorithms the Spec ID event declares,
    /// each at most once.
    private static func readAgileRecord(
        _ reader: inout LittleEndianReader, algorithms: [SpecIDEvent.Algorithm]
    ) throws -> FirmwareEvent {
        let index = reader.record ?? 0
        let pcr = try readPCRIndex(&reader)
        let type = FirmwareEventType(rawValue: try reader.read(UInt32.self, "eventType"))
        let count = try reader.readLength(UInt32.self, limit: algorithms.count, "digestCount")
        var digests: [FirmwareDigest] = []
        for number in 0..<count {
            let field = "digests[\(number)]"
            let algorithm = AlgorithmID(rawValue: try reader.read(UInt16.self, "\(field).algorithmId"))
            guard let declared = algorithms.first(where: { $0.algorithm == algorithm }) else {
                throw reader.error(
                    .invalidValue, "\(field).algorithmId", "\(algorithm) is not declared in the Spec ID event")
            }
            guard !digests.contains(where: { $0.algorithm == algorithm }) else {
                throw reader.error(.invalidValue, "\(field).algorithmId", "a second \(algorithm) digest")
            }
            let value = try reader.readBytes(declared.digestSize, "\(field).digest")
            digests.append(FirmwareDigest(algorithm: algorithm, value: value))
        }
        let size = try reader.readLength(UInt32.self, "eventSize")
        let data = try reader.readBytes(size, "event")
        let payload = try FirmwareEventPayload(type: type, data: data, record: index)
        return FirmwareEvent(index: index, pcr: pcr, type: type, digests: digests, data: data, payload: payload)
    }

    private static func readPCRIndex(_ reader: inout LittleEndianReader) throws -> Int {
        let pcr = try reader.read(UInt32.self, "pcrIndex")
        guard pcr < pcrCount else {
            throw reader.error(.invalidValue, "pcrIndex", "PCR \(pcr) does not exist (PCRs are 0 to \(pcrCount - 1))")
        }
        return Int(pcr)
    }

    /// The locality PCR 0 starts from, after checking that the events that set it are for PCR 0,
    /// come before anything extends PCR 0, and agree with each other.
    private static func startupLocality(of events: [FirmwareEvent]) throws -> UInt8 {
        var locality: UInt8?
        var pcr0Extended = false
        for event in events {
            var claimed: UInt8?
            if case .startupLocality(let value) = event.payload { claimed = value }
            if event.type == .efiHCRTMEvent { claimed = hcrtmLocality }
            if let claimed {
                let error = { (field: String, why: String) in
                    FirmwareLogError(.invalidValue, record: event.index, field: field, why)
                }
                guard event.pcr == 0 else {
                    throw error("pcrIndex", "sets the starting value of PCR 0 but is for PCR \(event.pcr)")
                }
                guard !pcr0Extended else {
                    throw error("event", "sets the starting value of PCR 0 after PCR 0 was extended")
                }
                guard locality == nil || locality == claimed else {
                    let earlier = locality ?? 0
                    throw error("event", "starts PCR 0 from locality \(claimed), but an earlier event said \(earlier)")
                }
                locality = claimed
            }
            if event.isExtended && event.pcr == 0 && !event.digests.isEmpty { pcr0Extended = true }
        }
        return locality ?? 0
    }
}

/// A PCR bank that replay computes: the hash algorithms swift-crypto provides.
private enum ReplayBank: Hashable {
    case sha1, sha256, sha384, sha512

    init?(_ algorithm: AlgorithmID) {
        switch algorithm {
        case .sha1: self = .sha1
        case .sha256: self = .sha256
        case .sha384: self = .sha384
        case .sha512: self = .sha512
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .sha1: "sha1"
        case .sha256: "sha256"
        case .sha384: "sha384"
        case .sha512: "sha512"
        }
    }

    /// All zeros but the last byte, which holds `locality`.
    func initialValue(_ locality: UInt8) -> [UInt8] {
        let size: Int
        switch self {
        case .sha1: size = 20
        case .sha256: size = 32
        case .sha384: size = 48
        case .sha512: size = 64
        }
        return [UInt8](repeating: 0, count: size - 1) + [locality]
    }

    /// `H(old || digest)`, as `TPM2_PCR_Extend` computes it.
    func extend(_ old: [UInt8], with digest: [UInt8]) -> [UInt8] {
        let input = old + digest
        switch self {
        case .sha1: return Insecure.SHA1.hash(data: input).withUnsafeBytes { Array($0) }
        case .sha256: return SHA256.hash(data: input).withUnsafeBytes { Array($0) }
        case .sha384: return SHA384.hash(data: input).withUnsafeBytes { Array($0) }
        case .sha512: return SHA512.hash(data: input).withUnsafeBytes { Array($0) }
        }
    }
}
