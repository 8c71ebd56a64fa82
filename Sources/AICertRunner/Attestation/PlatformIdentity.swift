import TPM2

/// The attestation key of the machine's TPM and the platform's certificate chain for it, read
/// where an Azure vTPM keeps them: the AK at `0x81000003`, its certificate at NV `0x01C101D0`.
public struct PlatformIdentity: Sendable {
    public let publicArea: PublicArea
    /// The AK's `TPMT_PUBLIC` bytes.
    public let publicAreaBytes: [UInt8]
    /// DER certificates, the AK certificate first, then the intermediates.
    public let certificateChain: [[UInt8]]

    /// Why the TPM does not hold a usable platform identity.
    public struct Missing: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads the AK and its certificate; `intermediates` (DER) are appended to the chain.
    public static func read(from tpm: TPMClient, intermediates: [[UInt8]]) throws -> PlatformIdentity {
        let key: ReadPublic.Response
        do {
            key = try tpm.readPublic(.attestationKey)
        } catch {
            throw Missing(description: "no attestation key at \(Handle.attestationKey): \(error)")
        }
        let certificate: [UInt8]
        do {
            certificate = try tpm.nvRead(.attestationKeyCertificateNV)
        } catch {
            throw Missing(description: "no AK certificate at NV \(Handle.attestationKeyCertificateNV): \(error)")
        }
        var writer = TPMWriter()
        key.publicArea.encode(into: &writer)
        return PlatformIdentity(
            publicArea: key.publicArea, publicAreaBytes: writer.bytes,
            certificateChain: [Self.trimmed(certificate)] + intermediates)
    }

    /// An NV index may be larger than the certificate it holds: keep the DER SEQUENCE only.
    static func trimmed(_ der: [UInt8]) -> [UInt8] {
        guard der.count >= 2, der[0] == 0x30 else { return der }
        let first = Int(der[1])
        var length = first
        var header = 2
        if first & 0x80 != 0 {
            let count = first & 0x7F
            guard count >= 1, count <= 4, der.count >= 2 + count else { return der }
            length = der[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
            header = 2 + count
        }
        return header + length <= der.count ? Array(der[0..<(header + length)]) : der
    }
}
