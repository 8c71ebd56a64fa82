/// `TPM2_NV_DefineSpace`: creates an NV index (owner authorization, empty index password).
public struct NVDefineSpace: TPMCommand {
    /// The command returns no parameters.
    public typealias Response = EmptyResponse
    /// Sent as `TPM_CC_NV_DefineSpace`.
    public static let code = CommandCode.nvDefineSpace
    /// The hierarchy handle needs authorization (a password session).
    public static let authorizedHandleCount = 1
    /// The hierarchy that authorizes the definition, normally ``Handle/owner``.
    public var authorization: Handle
    /// The index's handle, Name algorithm, attributes and size.
    public var publicInfo: NVPublic

    /// Defines `publicInfo` under `authorization`, the owner hierarchy by default.
    public init(authorization: Handle = .owner, publicInfo: NVPublic) {
        self.authorization = authorization
        self.publicInfo = publicInfo
    }

    /// The authorizing hierarchy: the command's only handle.
    public var handles: [Handle] { [authorization] }

    /// Writes an empty index password (`auth`), then the sized `TPMS_NV_PUBLIC`.
    public func encodeParameters(into writer: inout TPMWriter) {
        writer.writeSized([UInt8]())  // auth
        writer.writeSized(publicInfo)
    }
}

/// `TPM2_NV_UndefineSpace`: deletes an NV index and its contents (owner authorization).
public struct NVUndefineSpace: TPMCommand {
    /// The command returns no parameters.
    public typealias Response = EmptyResponse
    /// Sent as `TPM_CC_NV_UndefineSpace`.
    public static let code = CommandCode.nvUndefineSpace
    /// Only the hierarchy needs authorization; the index is named, not authorized.
    public static let authorizedHandleCount = 1
    /// The hierarchy that defined the index, normally ``Handle/owner``.
    public var authorization: Handle
    /// The NV index to delete.
    public var index: Handle

    /// Deletes `index` under `authorization`, the owner hierarchy by default.
    public init(authorization: Handle = .owner, index: Handle) {
        self.authorization = authorization
        self.index = index
    }

    /// The authorizing hierarchy, then the index.
    public var handles: [Handle] { [authorization, index] }
    /// Writes nothing: the command has no parameters.
    public func encodeParameters(into writer: inout TPMWriter) {}
}

/// `TPM2_NV_Write`: one chunk of at most `TPM_PT_NV_BUFFER_MAX` bytes.
public struct NVWrite: TPMCommand {
    /// The command returns no parameters.
    public typealias Response = EmptyResponse
    /// Sent as `TPM_CC_NV_Write`.
    public static let code = CommandCode.nvWrite
    /// The authorizing handle needs a password session.
    public static let authorizedHandleCount = 1
    /// Who authorizes the write: ``Handle/owner`` or the index itself.
    public var authorization: Handle
    /// The NV index to write.
    public var index: Handle
    /// The bytes to write, at most the TPM's `TPM_PT_NV_BUFFER_MAX`.
    public var data: [UInt8]
    /// Where in the index the bytes go.
    public var offset: UInt16

    /// Writes `data` at `offset` of `index`, authorized by `authorization`.
    public init(authorization: Handle, index: Handle, data: [UInt8], offset: UInt16) {
        self.authorization = authorization
        self.index = index
        self.data = data
        self.offset = offset
    }

    /// The authorizing handle, then the index.
    public var handles: [Handle] { [authorization, index] }

    /// Writes the data as a `TPM2B_MAX_NV_BUFFER`, then the offset.
    public func encodeParameters(into writer: inout TPMWriter) {
        writer.writeSized(data)
        writer.write(offset)
    }
}

/// `TPM2_NV_Read`: one chunk of at most `TPM_PT_NV_BUFFER_MAX` bytes.
public struct NVRead: TPMCommand {
    /// Sent as `TPM_CC_NV_Read`.
    public static let code = CommandCode.nvRead
    /// The authorizing handle needs a password session.
    public static let authorizedHandleCount = 1
    /// Who authorizes the read: the index itself (its empty password) or ``Handle/owner``.
    public var authorization: Handle
    /// The NV index to read.
    public var index: Handle
    /// How many bytes to read, at most the TPM's `TPM_PT_NV_BUFFER_MAX`.
    public var size: UInt16
    /// Where in the index to start reading.
    public var offset: UInt16

    /// Reads `size` bytes at `offset` of `index`, authorized by `authorization`.
    public init(authorization: Handle, index: Handle, size: UInt16, offset: UInt16) {
        self.authorization = authorization
        self.index = index
        self.size = size
        self.offset = offset
    }

    /// The authorizing handle, then the index.
    public var handles: [Handle] { [authorization, index] }

    /// Writes the size, then the offset.
    public func encodeParameters(into writer: inout TPMWriter) {
        writer.write(size)
        writer.write(offset)
    }

    /// The bytes the TPM read.
    public struct Response: TPMCommandResponse {
        /// The bytes read: at most ``TPMLimits/nvBuffer``, and as many as asked.
        public let data: [UInt8]
        /// Reads the `TPM2B_MAX_NV_BUFFER`, refusing one over ``TPMLimits/nvBuffer``.
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            data = try reader.readSized(max: TPMLimits.nvBuffer, "TPM2_NV_Read.data")
        }
    }
}

/// `TPM2_NV_ReadPublic`: an index's public area and Name.
public struct NVReadPublic: TPMCommand {
    /// Sent as `TPM_CC_NV_ReadPublic`.
    public static let code = CommandCode.nvReadPublic
    /// The NV index to describe.
    public var index: Handle
    /// Asks for the public area of `index`; it needs no authorization.
    public init(index: Handle) { self.index = index }
    /// The index: the command's only handle.
    public var handles: [Handle] { [index] }
    /// Writes nothing: the command has no parameters.
    public func encodeParameters(into writer: inout TPMWriter) {}

    /// An index's public area and Name.
    public struct Response: TPMCommandResponse {
        /// The index's attributes and size, as it was defined.
        public let publicInfo: NVPublic
        /// The index's Name: its name algorithm, then the digest of ``publicInfo``.
        public let name: [UInt8]
        /// Reads the sized `TPMS_NV_PUBLIC`, then the Name, each bounded.
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

    /// Defines an ordinary NV index of `size` bytes, with owner authorization.
    ///
    /// - Parameters:
    ///   - index: An NV index handle (`0x01xxxxxx`), e.g. ``Handle/attestationKeyCertificateNV``.
    ///   - size: The data size in bytes, at most 65,535.
    ///   - attributes: How the index is written and read; by default a certificate index.
    /// - Throws: ``TPM2Error`` for a handle that is not an NV index or a size too large, and
    ///   the TPM's response code otherwise (`TPM_RC_NV_DEFINED` when the index exists).
    public func defineNVIndex(_ index: Handle, size: Int, attributes: NVAttributes = certificateIndexAttributes) throws
    {
        guard index.isNVIndex else { throw TPM2Error.invalid("NV index", "\(index) is not an NV index handle") }
        guard let dataSize = UInt16(exactly: size) else {
            throw TPM2Error.tooLarge("NV index size", size: size, max: Int(UInt16.max))
        }
        _ = try execute(
            NVDefineSpace(
                publicInfo: NVPublic(index: index, nameAlg: .sha256, attributes: attributes, dataSize: dataSize)))
    }

    /// Deletes an NV index and its contents, with owner authorization.
    public func undefineNVIndex(_ index: Handle) throws {
        _ = try execute(NVUndefineSpace(index: index))
    }

    /// An NV index's public area and Name; the TPM answers `TPM_RC_HANDLE` when it is not defined.
    public func nvReadPublic(_ index: Handle) throws -> NVReadPublic.Response {
        try execute(NVReadPublic(index: index))
    }

    /// Writes `data` at the start of the index in chunks of the TPM's NV buffer size.
    ///
    /// - Parameters:
    ///   - index: A defined NV index at least `data.count` bytes long.
    ///   - data: The bytes to write, at most 65,535.
    ///   - authorization: Who authorizes each write: ``Handle/owner`` (the default) or the index.
    public func nvWrite(_ index: Handle, _ data: [UInt8], authorization: Handle = .owner) throws {
        let chunkSize = try nvBufferMax()
        guard UInt16(exactly: data.count) != nil else {
            throw TPM2Error.tooLarge("NV data", size: data.count, max: Int(UInt16.max))
        }
        var offset = 0
        repeat {
            let end = min(offset + chunkSize, data.count)
            _ = try execute(
                NVWrite(
                    authorization: authorization, index: index, data: Array(data[offset..<end]), offset: UInt16(offset))
            )
            offset = end
        } while offset < data.count
    }

    /// Reads the whole index (its size from `NV_ReadPublic`) in chunks of the NV buffer size.
    /// By default the index authorizes its own read with its (empty) password.
    ///
    /// - Throws: ``TPM2Error`` when the TPM returns fewer bytes than asked for a chunk.
    public func nvRead(_ index: Handle, authorization: Handle? = nil) throws -> [UInt8] {
        let size = Int(try nvReadPublic(index).publicInfo.dataSize)
        let chunkSize = try nvBufferMax()
        var data: [UInt8] = []
        data.reserveCapacity(size)
        while data.count < size {
            let want = min(chunkSize, size - data.count)
            let chunk = try execute(
                NVRead(
                    authorization: authorization ?? index, index: index, size: UInt16(want), offset: UInt16(data.count))
            )
            guard chunk.data.count == want else {
                throw TPM2Error.invalid("TPM2_NV_Read.data", "asked for \(want) bytes, got \(chunk.data.count)")
            }
            data += chunk.data
        }
        return data
    }
}
