/// `TPM2_Startup(TPM_SU_CLEAR)`.
public struct Startup: TPMCommand {
    public typealias Response = EmptyResponse
    public static let code = CommandCode.startup
    public init() {}
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(UInt16(0x0000)) }
}

/// `TPM2_GetRandom`: up to a digest's worth of random bytes per call.
public struct GetRandom: TPMCommand {
    public static let code = CommandCode.getRandom
    public var bytesRequested: UInt16
    public init(bytesRequested: UInt16) { self.bytesRequested = bytesRequested }
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(bytesRequested) }

    public struct Response: TPMCommandResponse {
        public let randomBytes: [UInt8]
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            randomBytes = try reader.readSized(max: TPMLimits.digest, "TPM2_GetRandom.randomBytes")
        }
    }
}

/// `TPM2_GetCapability`.
public struct GetCapability: TPMCommand {
    public static let code = CommandCode.getCapability
    public var capability: Capability
    public var property: UInt32
    public var propertyCount: UInt32

    public init(capability: Capability, property: UInt32, propertyCount: UInt32) {
        self.capability = capability
        self.property = property
        self.propertyCount = propertyCount
    }

    public func encodeParameters(into writer: inout TPMWriter) {
        writer.write(capability.rawValue)
        writer.write(property)
        writer.write(propertyCount)
    }

    public struct Response: TPMCommandResponse {
        public let moreData: Bool
        public let data: CapabilityData
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            moreData = try reader.read(UInt8.self, "TPM2_GetCapability.moreData") != 0
            data = try CapabilityData(from: &reader)
        }
    }
}

extension TPMClient {
    /// Starts the TPM after power-on; a TPM that is already started is fine.
    public func startup() throws {
        do {
            _ = try execute(Startup())
        } catch let error as TPM2Error where error.code == .tpmResponse(.initialize) {
            return
        }
    }

    /// Returns `count` random bytes from the TPM, in as many calls as it takes.
    public func getRandom(_ count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count {
            let chunk = try execute(GetRandom(bytesRequested: UInt16(min(count - result.count, TPMLimits.digest))))
            guard !chunk.randomBytes.isEmpty else {
                throw TPM2Error.invalid("TPM2_GetRandom.randomBytes", "the TPM returned no bytes")
            }
            result += chunk.randomBytes
        }
        return Array(result.prefix(count))
    }

    /// The PCR banks the TPM has and which PCRs are allocated in each.
    public func pcrBanks() throws -> PCRSelectionList {
        let response = try execute(GetCapability(capability: .pcrs, property: 0, propertyCount: 1))
        guard case .pcrs(let list) = response.data else {
            throw TPM2Error.invalid("TPM2_GetCapability.capabilityData", "expected PCR banks")
        }
        return list
    }

    /// The fixed and variable TPM properties from `first` on, following `moreData`.
    public func properties(from first: TPMProperty = .fixedStart, count: Int = TPMLimits.properties)
        throws -> [TPMProperty: UInt32]
    {
        var values: [TPMProperty: UInt32] = [:]
        var next = first.rawValue
        // Each round trip returns at least one property and moves `next` forward, so this ends.
        while values.count < count {
            let response = try execute(
                GetCapability(capability: .tpmProperties, property: next, propertyCount: UInt32(count - values.count)))
            guard case .properties(let batch) = response.data else {
                throw TPM2Error.invalid("TPM2_GetCapability.capabilityData", "expected TPM properties")
            }
            for tagged in batch { values[tagged.property] = tagged.value }
            guard response.moreData, let last = batch.last, last.property.rawValue >= next,
                last.property.rawValue < UInt32.max
            else { break }
            next = last.property.rawValue + 1
        }
        return values
    }

    /// One TPM property, or `nil` when the TPM does not report it.
    public func property(_ property: TPMProperty) throws -> UInt32? {
        let response = try execute(GetCapability(capability: .tpmProperties, property: property.rawValue, propertyCount: 1))
        guard case .properties(let batch) = response.data else {
            throw TPM2Error.invalid("TPM2_GetCapability.capabilityData", "expected TPM properties")
        }
        return batch.first { $0.property == property }?.value
    }

    /// `TPM_PT_NV_BUFFER_MAX`: how many bytes one NV read or write may move.
    public func nvBufferMax() throws -> Int {
        guard let value = try property(.nvBufferMax), value > 0 else {
            throw TPM2Error.invalid("TPM_PT_NV_BUFFER_MAX", "the TPM did not report its NV buffer size")
        }
        return min(Int(value), TPMLimits.nvBuffer)
    }

    /// Handles of one kind (the first byte of `start`, e.g. `0x81000000` for persistent
    /// objects, `0x01000000` for NV indices), following `moreData`.
    public func handles(from start: Handle) throws -> [Handle] {
        var result: [Handle] = []
        var next = start.rawValue
        while true {
            let response = try execute(
                GetCapability(capability: .handles, property: next, propertyCount: UInt32(TPMLimits.handles)))
            guard case .handles(let batch) = response.data else {
                throw TPM2Error.invalid("TPM2_GetCapability.capabilityData", "expected handles")
            }
            let sameKind = batch.filter { $0.kind == start.kind && $0.rawValue >= next }
            result += sameKind
            guard response.moreData, let last = sameKind.last, last.rawValue < UInt32.max else { break }
            next = last.rawValue + 1
        }
        return result
    }
}
