/// Carries one marshalled TPM command to a TPM and brings back its response.
///
/// Implementations frame nothing: they send the command bytes as they are and return the whole
/// response, bounded by ``TPMLimits/response``. The Linux device and swtpm's TCP command port
/// both speak this raw form, so the client above does not care which it has.
public protocol TPMTransport: Sendable {
    /// Sends one marshalled command and returns the TPM's whole response.
    func transmit(_ command: [UInt8]) throws -> [UInt8]
}

/// The response header every TPM response starts with: tag, total size, response code.
struct ResponseHeader {
    static let size = 10
    let tag: StructureTag
    let size: Int
    let code: ResponseCode

    /// Parses the header and checks the declared size against the protocol's limits.
    init(_ bytes: [UInt8]) throws {
        var reader = TPMReader(bytes.prefix(Self.size))
        tag = try StructureTag(from: &reader)
        let declared = Int(try reader.read(UInt32.self, "response header.responseSize"))
        code = ResponseCode(rawValue: try reader.read(UInt32.self, "response header.responseCode"))
        guard declared >= Self.size else {
            throw TPM2Error.invalid("response header.responseSize", "\(declared) is smaller than the header")
        }
        guard declared <= TPMLimits.response else {
            throw TPM2Error.tooLarge("response header.responseSize", size: declared, max: TPMLimits.response)
        }
        size = declared
    }
}
