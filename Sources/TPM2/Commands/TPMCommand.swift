/// A TPM command as data: its handles and parameters. ``TPMClient/execute(_:)`` marshals it,
/// adds password authorizations for the first ``authorizedHandleCount`` handles, sends it and
/// unmarshals the ``Response``.
///
/// A new command is a struct of its handles and parameters, with a response type that reads
/// what the TPM returns; nothing else about the wire format needs writing.
public protocol TPMCommand: Sendable {
    /// The response type, which reads the parameters the TPM returns.
    associatedtype Response: TPMCommandResponse
    /// The command code in the command header.
    static var code: CommandCode { get }
    /// The handle area, in the order the command defines.
    var handles: [Handle] { get }
    /// How many of the leading handles need an authorization session.
    static var authorizedHandleCount: Int { get }
    /// Writes the parameter area, which follows the handles and the authorization area.
    func encodeParameters(into writer: inout TPMWriter)
}

extension TPMCommand {
    /// No handles, for commands that take none.
    public var handles: [Handle] { [] }
    /// No authorization, for commands whose handles need none.
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
    /// No handles, for responses that return none.
    public static var handleCount: Int { 0 }
}

/// A response with no parameters.
public struct EmptyResponse: TPMCommandResponse {
    /// Reads nothing; the parameter area must be empty.
    public init(handles: [Handle], parameters reader: inout TPMReader) throws {}
}
