/// `TPM2_NV_DefineSpace`: creates an NV index (owner authorization, empty index password).
public struct NVDefineSpace: TPMCommand {
    public typealias Response = EmptyResponse
    public static let code = CommandCode.nvDefineSpace
    public static let authorizedHandleCount = 1
    public var authorization: Handle
    public var publicInfo: NVPublic

    public init(authorization: Handle = .owner, publicInfo: NVPublic) {
        self.authorization = authorization
        self.publicInfo = publicInfo
    }

    public var handles: [Handle] { [authorization] }

    public func encodeParameters(into writer: inout TPMWriter) {
        writer.writeSized([UInt8]())  // auth
        writer.writeSized(publicInfo)
    }
}

/// `TPM2_NV_UndefineSpace`.
public struct NVUndefineSpace: TPMCommand {
    public typealias Response = EmptyResponse
    public static let code = CommandCode.nvUndefineSpace
    public static let authorizedHandleCount = 1
    public var authorization: Handle
    public var index: Handle

    public init(authorization: Handle = .owner, index: Handle) {
        self.authorization = authorization
        self.index = index
    }

    public var handles: [Handle] { [authorization, index] }
    public func encodeParameters(into writer: inout TPMWriter) {}
}

/// `TPM2_NV_Write`: one chunk of at most `TPM_PT_NV_BUFFER_MAX` bytes.
public struct NVWrite: TPMCommand {
    public typealias Response = EmptyResponse
    public static let code = CommandCode.nvWrite
    public static let authorizedHandleCount = 1
    public var authorization: Handle
    public var index: Handle
    public var data: [UInt8]
    public var offset: UInt16

    public init(authorization: Handle, index: Handle, data: [UInt8], offset: UInt16) {
        self.authorization = authorization
        self.index = index
        self.data = data
        self.offset = offset
    }

    public var handles: [Handle] { [authorization, index] }

    public func encodeParameters(into writer: inout TPMWriter) {
        writer.writeSized(data)
        writer.write(offset)
    }
}

/// `TPM2_NV_Read`: one chunk of at most `TPM_PT_NV_BUFFER_MAX` bytes.
public struct NVRead: TPMCommand {
    public static let code = CommandCode.nvRead
    public static let authorizedHandleCount = 1
    public var authorization: Handle
    public var index: Handle
    public var size: UInt16
    public var offset: UInt16

    public init(authorization: Handle, index: Handle, size: UInt16, offset: UInt16) {
        self.authorization = authorization
        self.index = index
        self.size = size
        self.offset = offset
    }

    public var handles: [Handle] { [authorization, index] }

    public func encodeParameters(into writer: inout TPMWriter) {
        writer.write(size)
        writer.write(offset)
    }

    public struct Response: TPMCommandResponse {
        public let data: [UInt8]
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            data = try reader.readSized(max: TPMLimits.nvBuffer, "TPM2_NV_Read.data")
        }
    }
}

/// `TPM2_NV_ReadPublic`: an index's public area and Name.
public struct NVReadPublic: TPMCommand {
    public static let code = CommandCode.nvReadPublic
    public var index: Handle
    public init(index: Handle) { self.index = index }
    public var handles: [Handle] { [index] }
    public func encodeParameters(into writer: inout TPMWriter) {}

    public struct Response: TPMCommandResponse {
        public let publicInfo: NVPublic
        public let name: [UInt8]
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            publicInfo = try reader.readSized(NVPublic.self, max: TPMLimits.publicArea, "TPM2_NV_ReadPublic.nvPublic")
            name = try reader.readSized(max: TPMLimits.name, "TPM2_NV_ReadPublic.nvName")
        }
    }
}

extension TPMClient {
    /// Attributes for an index that holds a certificate: written with owner authorization,
    /// readable by anyone with the (empty) index password or owner authorization.
    public static let certificateIndexAttributes: NVAttributes = [.ownerWrite, .ownerRead, .authRead, .noDA]

    /// Defines an ordinary NV index of `size` bytes.
    public func defineNVIndex(_ index: Handle, size: Int, attributes: NVAttributes = certificateIndexAttributes) throws {
        guard index.isNVIndex else { throw TPM2Error.invalid("NV index", "\(index) is not an NV index handle") }
        guard let dataSize = UInt16(exactly: size) else {
            throw TPM2Error.tooLarge("NV index size", size: size, max: Int(UInt16.max))
        }
        _ = try execute(NVDefineSpace(publicInfo: NVPublic(index: index, nameAlg: .sha256, attributes: attributes, dataSize: dataSize)))
    }

    public func undefineNVIndex(_ index: Handle) throws {
        _ = try execute(NVUndefineSpace(index: index))
    }

    public func nvReadPublic(_ index: Handle) throws -> NVReadPublic.Response {
        try execute(NVReadPublic(index: index))
    }

    /// Writes `data` at the start of the index in chunks of the TPM's NV buffer size.
    public func nvWrite(_ index: Handle, _ data: [UInt8], authorization: Handle = .owner) throws {
        let chunkSize = try nvBufferMax()
        guard UInt16(exactly: data.count) != nil else {
            throw TPM2Error.tooLarge("NV data", size: data.count, max: Int(UInt16.max))
        }
        var offset = 0
        repeat {
            let end = min(offset + chunkSize, data.count)
            _ = try execute(NVWrite(authorization: authorization, index: index, data: Array(data[offset..<end]), offset: UInt16(offset)))
            offset = end
        } while offset < data.count
    }

    /// Reads the whole index (its size from `NV_ReadPublic`) in chunks of the NV buffer size.
    /// By default the index authorizes its own read with its (empty) password.
    public func nvRead(_ index: Handle, authorization: Handle? = nil) throws -> [UInt8] {
        let size = Int(try nvReadPublic(index).publicInfo.dataSize)
        let chunkSize = try nvBufferMax()
        var data: [UInt8] = []
        data.reserveCapacity(size)
        while data.count < size {
            let want = min(chunkSize, size - data.count)
            let chunk = try execute(
                NVRead(authorization: authorization ?? index, index: index, size: UInt16(want), offset: UInt16(data.count)))
            guard chunk.data.count == want else {
                throw TPM2Error.invalid("TPM2_NV_Read.data", "asked for \(want) bytes, got \(chunk.data.count)")
            }
            data += chunk.data
        }
        return data
    }
}
