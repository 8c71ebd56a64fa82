/// `TPM2_CreatePrimary`: derives a key from a hierarchy's seed and a template.
public struct CreatePrimary: TPMCommand {
    /// Sent as `TPM_CC_CreatePrimary`.
    public static let code = CommandCode.createPrimary
    /// The hierarchy handle needs a password session.
    public static let authorizedHandleCount = 1
    /// The hierarchy whose seed derives the key: ``Handle/endorsement``, ``Handle/owner`` or
    /// ``Handle/platform``. The same template under the same seed gives the same key.
    public var hierarchy: Handle
    /// The key's type, attributes and parameters, with the public key left empty.
    public var template: PublicArea

    /// Creates a primary key from `template` under `hierarchy`.
    public init(hierarchy: Handle, template: PublicArea) {
        self.hierarchy = hierarchy
        self.template = template
    }

    /// The hierarchy: the command's only handle.
    public var handles: [Handle] { [hierarchy] }

    /// Writes an empty sensitive area, the template, no outside info and no creation PCRs.
    public func encodeParameters(into writer: inout TPMWriter) {
        // TPM2B_SENSITIVE_CREATE with an empty userAuth and no data.
        writer.writeSized([0, 0, 0, 0])
        writer.writeSized(template)
        writer.writeSized([UInt8]())  // outsideInfo
        writer.write(PCRSelectionList([]))  // creationPCR
    }

    /// The new key's handle, public area and Name; the creation data is dropped.
    public struct Response: TPMCommandResponse {
        /// The new object's transient handle precedes the parameters.
        public static let handleCount = 1
        /// The transient handle of the key, valid until flushed or the TPM resets.
        public let handle: Handle
        /// The key's public area, with the public key the TPM derived.
        public let publicArea: PublicArea
        /// The key's Name: its name algorithm, then the digest of ``publicArea``.
        public let name: [UInt8]

        /// Reads the public area, then the creation data, hash and ticket (bounded and dropped),
        /// then the Name.
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            handle = handles[0]
            publicArea = try reader.readSized(
                PublicArea.self, max: TPMLimits.publicArea, "TPM2_CreatePrimary.outPublic")
            _ = try reader.readSized(max: TPMLimits.creationData, "TPM2_CreatePrimary.creationData")
            _ = try reader.readSized(max: TPMLimits.digest, "TPM2_CreatePrimary.creationHash")
            _ = try StructureTag(from: &reader)  // creationTicket.tag
            _ = try Handle(from: &reader)  // creationTicket.hierarchy
            _ = try reader.readSized(max: TPMLimits.digest, "TPM2_CreatePrimary.creationTicket.digest")
            name = try reader.readSized(max: TPMLimits.name, "TPM2_CreatePrimary.name")
        }
    }
}

/// `TPM2_ReadPublic`: an object's public area and Name.
public struct ReadPublic: TPMCommand {
    /// Sent as `TPM_CC_ReadPublic`.
    public static let code = CommandCode.readPublic
    /// The loaded or persistent object to describe.
    public var object: Handle
    /// Asks for the public area of `object`; it needs no authorization.
    public init(object: Handle) { self.object = object }
    /// The object: the command's only handle.
    public var handles: [Handle] { [object] }
    /// Writes nothing: the command has no parameters.
    public func encodeParameters(into writer: inout TPMWriter) {}

    /// An object's public area and Names.
    public struct Response: TPMCommandResponse {
        /// The object's public area.
        public let publicArea: PublicArea
        /// The object's Name: its name algorithm, then the digest of ``publicArea``.
        public let name: [UInt8]
        /// The Name qualified by the object's hierarchy and parents.
        public let qualifiedName: [UInt8]

        /// Reads the sized `TPMT_PUBLIC`, the Name and the qualified Name, each bounded.
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            publicArea = try reader.readSized(PublicArea.self, max: TPMLimits.publicArea, "TPM2_ReadPublic.outPublic")
            name = try reader.readSized(max: TPMLimits.name, "TPM2_ReadPublic.name")
            qualifiedName = try reader.readSized(max: TPMLimits.name, "TPM2_ReadPublic.qualifiedName")
        }
    }
}

/// `TPM2_EvictControl`: makes a transient object persistent at `persistentHandle`, or removes
/// a persistent object when `object` is that persistent handle.
public struct EvictControl: TPMCommand {
    /// The command returns no parameters.
    public typealias Response = EmptyResponse
    /// Sent as `TPM_CC_EvictControl`.
    public static let code = CommandCode.evictControl
    /// Only the hierarchy needs authorization; the object is named, not authorized.
    public static let authorizedHandleCount = 1
    /// The hierarchy the persistent handle belongs to, normally ``Handle/owner``.
    public var authorization: Handle
    /// The transient object to persist, or the persistent handle to remove.
    public var object: Handle
    /// The persistent handle (`0x81xxxxxx`) to fill or empty.
    public var persistentHandle: Handle

    /// Persists `object` at `persistentHandle`, or removes it when both are that persistent handle.
    public init(authorization: Handle = .owner, object: Handle, persistentHandle: Handle) {
        self.authorization = authorization
        self.object = object
        self.persistentHandle = persistentHandle
    }

    /// The authorizing hierarchy, then the object.
    public var handles: [Handle] { [authorization, object] }
    /// Writes the persistent handle, which travels as a parameter.
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(persistentHandle) }
}

/// `TPM2_FlushContext`: frees a transient object or session.
public struct FlushContext: TPMCommand {
    /// The command returns no parameters.
    public typealias Response = EmptyResponse
    /// Sent as `TPM_CC_FlushContext`.
    public static let code = CommandCode.flushContext
    /// The transient object or session to free.
    public var handle: Handle
    /// Frees `handle`.
    public init(handle: Handle) { self.handle = handle }
    /// Writes the handle, which travels as a parameter, not in the handle area.
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(handle) }
}

extension TPMClient {
    /// Creates a primary key under `hierarchy` (endorsement for EKs and AKs).
    ///
    /// The key is transient: ``persist(_:at:)`` keeps it across resets, ``flush(_:)`` frees it.
    public func createPrimary(_ template: PublicArea, in hierarchy: Handle = .endorsement) throws
        -> CreatePrimary.Response
    {
        try execute(CreatePrimary(hierarchy: hierarchy, template: template))
    }

    /// An object's public area and Name, e.g. to read a persisted AK.
    public func readPublic(_ object: Handle) throws -> ReadPublic.Response {
        try execute(ReadPublic(object: object))
    }

    /// Persists a transient object at `persistent` (owner authorization).
    public func persist(_ object: Handle, at persistent: Handle) throws {
        _ = try execute(EvictControl(object: object, persistentHandle: persistent))
    }

    /// Removes the persistent object at `persistent` (owner authorization).
    public func evict(_ persistent: Handle) throws {
        _ = try execute(EvictControl(object: persistent, persistentHandle: persistent))
    }

    /// Frees a transient object or session, making room for the next one.
    public func flush(_ handle: Handle) throws {
        _ = try execute(FlushContext(handle: handle))
    }
}
