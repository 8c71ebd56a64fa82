/// `TPM2_Startup(TPM_SU_CLEAR)`: the first command after power-on; it resets the PCRs.
public struct Startup: TPMCommand {
    /// The command returns no parameters.
    public typealias Response = EmptyResponse
    /// Sent as `TPM_CC_Startup`.
    public static let code = CommandCode.startup
    /// A startup of type `TPM_SU_CLEAR`.
    public init() {}
    /// Writes `TPM_SU_CLEAR` (0).
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(UInt16(0x0000)) }
}

/// `TPM2_GetRandom`: up to a digest's worth of random bytes per call.
public struct GetRandom: TPMCommand {
    /// Sent as `TPM_CC_GetRandom`.
    public static let code = CommandCode.getRandom
    /// How many bytes to ask for; the TPM returns at most a digest's worth.
    public var bytesRequested: UInt16
    /// Asks for `bytesRequested` random bytes.
    public init(bytesRequested: UInt16) { self.bytesRequested = bytesRequested }
    /// Writes the byte count.
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(bytesRequested) }

    /// The random bytes the TPM returned.
    public struct Response: TPMCommandResponse {
        /// At most ``TPMLimits/digest`` bytes, possibly fewer than asked.
        public let randomBytes: [UInt8]
        /// Reads the `TPM2B_DIGEST` of random bytes.
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            randomBytes = try reader.readSized(max: TPMLimits.digest, "TPM2_GetRandom.randomBytes")
        }
    }
}

/// `TPM2_GetCapability`: reads handles, PCR banks or properties, a page at a time.
public struct GetCapability: TPMCommand {
    /// Sent as `TPM_CC_GetCapability`.
    public static let code = CommandCode.getCapability
    /// Which kind of information to read.
    public var capability: Capability
    /// Where to start: the first handle or property of interest (0 for PCR banks).
    public var property: UInt32
    /// How many entries to return at most; the TPM may return fewer.
    public var propertyCount: UInt32

    /// Asks for up to `propertyCount` entries of `capability` from `property` on.
    public init(capability: Capability, property: UInt32, propertyCount: UInt32) {
        self.capability = capability
        self.property = property
        self.propertyCount = propertyCount
    }

    /// Writes the capability, the first property and the count.
    public func encodeParameters(into writer: inout TPMWriter) {
        writer.write(capability.rawValue)
        writer.write(property)
        writer.write(propertyCount)
    }

    /// One page of capability data.
    public struct Response: TPMCommandResponse {
        /// Whether more entries follow those returned.
        public let moreData: Bool
        /// The entries returned.
        public let data: CapabilityData
        /// Reads the `moreData` flag and the `TPMS_CAPABILITY_DATA`.
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            moreData = try reader.read(UInt8.self, "TPM2_GetCapability.moreData") != 0
            data = try CapabilityData(from: &reader)
        }
    }
}

extension TPMClient {
    /// Starts the TPM after power-on; a TPM that is already started is fine.
    ///
    /// A software TPM needs this once after it is launched; a kernel-managed device is already
    /// started, and its `TPM_RC_INITIALIZE` answer is taken as success.
    public func startup() throws {
        do {
            _ = try execute(Startup())
        } catch let error as TPM2Error where error.code == .tpmResponse(.initialize) {
            return
        }
    }

    /// Returns `count` random bytes from the TPM, in as many calls as it takes.
    ///
    /// - Throws: ``TPM2Error`` if the TPM returns no bytes, which would otherwise never end.
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
    ///
    /// - Parameters:
    ///   - first: The first property to return.
    ///   - count: How many properties to return at most.
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
        let response = try execute(
            GetCapability(capability: .tpmProperties, property: property.rawValue, propertyCount: 1))
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
