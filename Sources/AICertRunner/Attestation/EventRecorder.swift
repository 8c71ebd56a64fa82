import AICertCore
import TPM2

/// Extends the TPM and keeps the event log in step with it: every extend has its record, and a
/// record is kept only once its extend succeeded.
///
/// Not thread-safe by itself; the build owns one recorder and calls it in order.
public final class EventRecorder {
    private let tpm: TPMClient
    public private(set) var records: [EventRecord] = []

    public init(tpm: TPMClient) {
        self.tpm = tpm
    }

    /// Extends the event's digest into the PCR its type names, then records it.
    @discardableResult
    public func record(_ type: EventType, _ content: JSONValue) throws -> EventRecord {
        let record = EventRecord(recnum: records.count, type: type, content: content)
        let digest = EventRecord.digest(type: type.rawValue, content: content)
        try tpm.extendPCR(type.pcr, bank: .sha256, digest: digest.bytes)
        records.append(record)
        return record
    }
}
