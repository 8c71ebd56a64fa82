/// Talks TPM 2.0 to one TPM over a transport.
///
/// Authorization is by password sessions with the empty password, which is how the platform
/// hierarchies of a vTPM and the keys AICert creates are set up.
///
/// Every method sends one or more ``TPMCommand`` values through ``execute(_:)``, which checks
/// the response header, retries when the TPM asks, and turns an error code into a ``TPM2Error``
/// that names it. The client is a value: copies share the transport, which sends one command
/// at a time.
///
/// ```swift
/// let tpm = try TPMClient(tcti: "swtpm:host=127.0.0.1,port=2321")
/// try tpm.startup()
/// let pcrs = try tpm.readPCRs(0...15)
/// ```
public struct TPMClient: Sendable {
    /// The transport commands go over.
    public let transport: any TPMTransport
    /// How often to resend a command the TPM answered with a retry warning.
    static let retryLimit = 8

    /// Talks to the TPM at the other end of `transport`.
    public init(transport: any TPMTransport) {
        self.transport = transport
    }

    /// Connects to the TPM named by a TCTI string such as `swtpm:host=127.0.0.1,port=2321`.
    ///
    /// - Throws: ``TPM2Error/Code/invalidTCTI`` for a string ``TCTI`` cannot parse, and
    ///   ``TPM2Error/Code/transport`` when the device cannot be opened or the socket connected.
    public init(tcti: String) throws {
        self.init(transport: try TCTI(parsing: tcti).connect())
    }

    /// Sends `command` and returns its parsed response, or throws the TPM's response code
    /// decoded into a readable message.
    ///
    /// Commands the TPM answers with `TPM_RC_RETRY`, `TPM_RC_YIELDED` or `TPM_RC_TESTING` are
    /// sent again, up to eight times.
    ///
    /// - Throws: ``TPM2Error/Code/tpmResponse(_:)`` with the TPM's code when it refuses the
    ///   command, or a parsing error when the response is malformed or has bytes left over.
    public func execute<Command: TPMCommand>(_ command: Command) throws -> Command.Response {
        let request = Self.marshal(command)
        var attempt = 0
        while true {
            let response = try transport.transmit(request)
            let header = try ResponseHeader(response)
            guard header.size == response.count else {
                throw TPM2Error.invalid(
                    "response header.responseSize", "declares \(header.size) bytes but \(response.count) arrived")
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
            throw TPM2Error.invalid(
                "\(command) response.tag", "0x\(String(tag.rawValue, radix: 16)) is not a response tag")
        }
    }
}
