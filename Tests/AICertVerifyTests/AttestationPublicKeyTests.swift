import AICertVerify
import Foundation
import TPM2
import TPMTestSupport
import Testing

@Suite("Attestation public keys")
struct AttestationPublicKeyTests {
    @Test func signatureWithAnotherSchemeThanTheKeysIsRejected() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        let ak = try tpm.createPrimary(.rsaAttestationKeyTemplate)
        let quote = try tpm.quote(signingKey: ak.handle, nonce: [1], pcrs: 0...15)
        guard case .rsassa(let hash, let bytes) = quote.signature else {
            Issue.record("expected RSASSA, got \(quote.signature.scheme)")
            return
        }
        let key = try AttestationPublicKey(ak.publicArea)
        #expect(throws: SignatureError.self) {
            try key.verify(.rsapss(hash: hash, signature: bytes), over: quote.attestation)
        }
        #expect(throws: SignatureError.self) {
            try key.verify(.rsassa(hash: .sha384, signature: bytes), over: quote.attestation)
        }
    }

    @Test func signatureFromAnotherKeyIsRejected() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        let signer = try tpm.createPrimary(.eccAttestationKeyTemplate)
        let other = try tpm.createPrimary(.eccAttestationKeyTemplate, in: .owner)
        let quote = try tpm.quote(signingKey: signer.handle, nonce: [2], pcrs: 0...15)
        try AttestationPublicKey(signer.publicArea).verify(quote.signature, over: quote.attestation)
        let error = #expect(throws: SignatureError.self) {
            try AttestationPublicKey(other.publicArea).verify(quote.signature, over: quote.attestation)
        }
        #expect(error?.code == .invalidSignature)
    }

    @Test func keysOnUnsupportedCurvesOrTooSmallAreRefused() {
        let bn = PublicArea(
            nameAlg: .sha256, attributes: PublicArea.attestationKeyAttributes,
            key: .ecc(symmetric: .null, scheme: .null, curve: .bnP256, kdf: .null, x: [1], y: [2]))
        #expect(throws: SignatureError.self) { try AttestationPublicKey(bn) }
        let small = PublicArea(
            nameAlg: .sha256, attributes: PublicArea.attestationKeyAttributes,
            key: .rsa(
                symmetric: .null, scheme: .null, keyBits: 1024, exponent: 0,
                modulus: [UInt8](repeating: 0xC1, count: 128)))
        #expect(throws: SignatureError.self) { try AttestationPublicKey(small) }
        let offCurve = PublicArea(
            nameAlg: .sha256, attributes: PublicArea.attestationKeyAttributes,
            key: .ecc(
                symmetric: .null, scheme: .null, curve: .nistP256, kdf: .null,
                x: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32)))
        #expect(throws: SignatureError.self) { try AttestationPublicKey(offCurve) }
    }

    @Test func exportedPEMIsReadByOpenSSL() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        for template in [PublicArea.rsaAttestationKeyTemplate, .eccAttestationKeyTemplate] {
            let ak = try tpm.createPrimary(template)
            let pem = try AttestationPublicKey(ak.publicArea).pemRepresentation
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "aicert-ak-\(UUID().uuidString).pem")
            try pem.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try SoftwareTPM.run(
                "/usr/bin/openssl", ["pkey", "-pubin", "-in", file.path, "-noout", "-text"])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains(template.type == .rsa ? "2048 bit" : "P-256"))
            try tpm.flush(ak.handle)
        }
    }
}
