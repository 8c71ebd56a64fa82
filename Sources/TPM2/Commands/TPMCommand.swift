/// A TPM command as data: its handles and parameters. ``TPMClient/execute(_:)`` marshals it,
/// adds password authorizations for the first ``authorizedHandleCount`` handles, sends it and
/// unmarshals the ``Response``.
public protocol TPMCommand: Sendable {
    associatedtype Response: TPMCommandResponse
    static var code: CommandCode { get }
    /// The handle area, in the order the command defines.
    var handles: [Handle] { get }
    /// How many of the leading handles need an authorization session.
    static var authorizedHandleCount: Int { get }
    func encodeParameters(into writer: inout TPMWriter)
}

extension TPMCommand {
    public var handles: [Handle] { [] }
    public static var authorizedHandleCount: Int { 0 }
}

/// A command's response: the handles the TPM returned and its parameters.
public protocol TPMCommandResponse: Sendable {
    /// How many handles precede the parameters.
    static var handleCount: Int { get }
    /// Reads the parameters, which must be consumed whole.
    init(handles: [Handle], parameters reader: inout TPMReader) throws
}

extension TPMCommandResponse {
    public static var handleCount: Int { 0 }
}

/// A response with no parameters.
public struct EmptyResponse: TPMCommandResponse {
    public init(handles: [Handle], parameters reader: inout TPMReader) throws {}
}
