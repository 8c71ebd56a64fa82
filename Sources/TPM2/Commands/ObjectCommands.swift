/// `TPM2_CreatePrimary`: derives a key from a hierarchy's seed and a template.
public struct CreatePrimary: TPMCommand {
    public static let code = CommandCode.createPrimary
    public static let authorizedHandleCount = 1
    public var hierarchy: Handle
    public var template: PublicArea

    public init(hierarchy: Handle, template: PublicArea) {
        self.hierarchy = hierarchy
        self.template = template
    }

    public var handles: [Handle] { [hierarchy] }

    public func encodeParameters(into writer: inout TPMWriter) {
        // TPM2B_SENSITIVE_CREATE with an empty userAuth and no data.
        writer.writeSized([0, 0, 0, 0])
        writer.writeSized(template)
        writer.writeSized([UInt8]())  // outsideInfo
        writer.write(PCRSelectionList([]))  // creationPCR
    }

    public struct Response: TPMCommandResponse {
        public static let handleCount = 1
        public let handle: Handle
        public let publicArea: PublicArea
        public let name: [UInt8]

        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            handle = handles[0]
            publicArea = try reader.readSized(PublicArea.self, max: TPMLimits.publicArea, "TPM2_CreatePrimary.outPublic")
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
    public static let code = CommandCode.readPublic
    public var object: Handle
    public init(object: Handle) { self.object = object }
    public var handles: [Handle] { [object] }
    public func encodeParameters(into writer: inout TPMWriter) {}

    public struct Response: TPMCommandResponse {
        public let publicArea: PublicArea
        public let name: [UInt8]
        public let qualifiedName: [UInt8]

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
    public typealias Response = EmptyResponse
    public static let code = CommandCode.evictControl
    public static let authorizedHandleCount = 1
    public var authorization: Handle
    public var object: Handle
    public var persistentHandle: Handle

    public init(authorization: Handle = .owner, object: Handle, persistentHandle: Handle) {
        self.authorization = authorization
        self.object = object
        self.persistentHandle = persistentHandle
    }

    public var handles: [Handle] { [authorization, object] }
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(persistentHandle) }
}

/// `TPM2_FlushContext`: frees a transient object or session.
public struct FlushContext: TPMCommand {
    public typealias Response = EmptyResponse
    public static let code = CommandCode.flushContext
    public var handle: Handle
    public init(handle: Handle) { self.handle = handle }
    // The handle travels as a parameter, not in the handle area.
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(handle) }
}

extension TPMClient {
    /// Creates a primary key under `hierarchy` (endorsement for EKs and AKs).
    public func createPrimary(_ template: PublicArea, in hierarchy: Handle = .endorsement) throws -> CreatePrimary.Response {
        try execute(CreatePrimary(hierarchy: hierarchy, template: template))
    }

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

    public func flush(_ handle: Handle) throws {
        _ = try execute(FlushContext(handle: handle))
    }
}
