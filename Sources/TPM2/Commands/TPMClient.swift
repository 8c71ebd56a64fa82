/// Talks TPM 2.0 to one TPM over a transport.
///
/// Authorization is by password sessions with the empty password, which is how the platform
/// hierarchies of a vTPM and the keys AICert creates are set up.
public struct TPMClient: Sendable {
    public let transport: any TPMTransport
    /// How often to resend a command the TPM answered with a retry warning.
    static let retryLimit = 8

    public init(transport: any TPMTransport) {
        self.transport = transport
    }

    /// Connects to the TPM named by a TCTI string such as `swtpm:host=127.0.0.1,port=2321`.
    public init(tcti: String) throws {
        self.init(transport: try TCTI(parsing: tcti).connect())
    }

    /// Sends `command` and returns its parsed response, or throws the TPM's response code
    /// decoded into a readable message.
    public func execute<Command: TPMCommand>(_ command: Command) throws -> Command.Response {
        let request = Self.marshal(command)
        var attempt = 0
        while true {
            let response = try transport.transmit(request)
            let header = try ResponseHeader(response)
            guard header.size == response.count else {
                throw TPM2Error.invalid("response header.responseSize", "declares \(header.size) bytes but \(response.count) arrived")
            }
            if header.code.isRetryable && attempt < Self.retryLimit {
                attempt += 1
                continue
            }
            guard header.code == .success else {
                throw TPM2Error(.tpmResponse(header.code), "\(Command.code) failed: \(header.code)")
            }
            return try Self.unmarshal(Command.Response.self, response, tag: header.tag, command: Command.code)
        }
    }

    static func marshal<Command: TPMCommand>(_ command: Command) -> [UInt8] {
        var parameters = TPMWriter()
        command.encodeParameters(into: &parameters)
        var body = TPMWriter()
        for handle in command.handles { body.write(handle) }
        let sessions = Command.authorizedHandleCount
        if sessions > 0 {
            // One password session per authorized handle: handle, empty nonce, attributes
            // (continueSession), empty password.
            body.write(UInt32(sessions * 9))
            for _ in 0..<sessions {
                body.write(Handle.passwordSession)
                body.write(UInt16(0))
                body.write(UInt8(0x01))
                body.write(UInt16(0))
            }
        }
        body.write(bytes: parameters.bytes)
        var writer = TPMWriter()
        writer.write(sessions > 0 ? StructureTag.sessions : StructureTag.noSessions)
        writer.write(UInt32(ResponseHeader.size + body.bytes.count))
        writer.write(Command.code.rawValue)
        writer.write(bytes: body.bytes)
        return writer.bytes
    }

    static func unmarshal<Response: TPMCommandResponse>(
        _: Response.Type, _ bytes: [UInt8], tag: StructureTag, command: CommandCode
    ) throws -> Response {
        var reader = TPMReader(bytes.dropFirst(ResponseHeader.size))
        var handles: [Handle] = []
        for _ in 0..<Response.handleCount { handles.append(try Handle(from: &reader)) }
        switch tag {
        case .noSessions:
            let response = try Response(handles: handles, parameters: &reader)
            try reader.expectEnd("\(command) response")
            return response
        case .sessions:
            let parameterSize = Int(try reader.read(UInt32.self, "\(command) response.parameterSize"))
            var parameters = TPMReader(try reader.readBytes(parameterSize, "\(command) response.parameters"))
            let response = try Response(handles: handles, parameters: &parameters)
            try parameters.expectEnd("\(command) response parameters")
            // The rest is the authorization area: one acknowledgement per session we sent.
            return response
        default:
            throw TPM2Error.invalid("\(command) response.tag", "0x\(String(tag.rawValue, radix: 16)) is not a response tag")
        }
    }
}
