import TPM2

/// One record of a firmware event log: the PCR it extends, its type, its digests and its data.
public struct FirmwareEvent: Hashable, Sendable {
    /// The position of the record in the log, the first record being 0.
    public let index: Int
    /// The PCR that the event extends (or, for `EV_NO_ACTION`, names without extending).
    public let pcr: Int
    public let type: FirmwareEventType
    /// The digests in log order: one per bank in a crypto-agile log, one SHA-1 digest in a legacy log.
    public let digests: [FirmwareDigest]
    /// The event data exactly as logged.
    public let data: [UInt8]
    /// The event data decoded, for the types this library reads.
    public let payload: FirmwareEventPayload

    /// The digest for `algorithm`, if the event carries one.
    public func digest(for algorithm: AlgorithmID) -> [UInt8]? {
        digests.first { $0.algorithm == algorithm }?.value
    }

    /// Whether replaying the log extends a PCR with this event: every type but `EV_NO_ACTION`.
    public var isExtended: Bool { type != .noAction }
}

/// One digest of an event: the hash algorithm (the PCR bank) and the value extended into it.
public struct FirmwareDigest: Hashable, Sendable {
    public let algorithm: AlgorithmID
    public let value: [UInt8]

    public init(algorithm: AlgorithmID, value: [UInt8]) {
        self.algorithm = algorithm
        self.value = value
    }
}
