import AICertVerify
import Crypto
import Foundation
import SwiftASN1
import TPM2
import TPMTestSupport
import Testing
import X509

/// The client against a real TPM 2.0 (swtpm), cross-checked with tpm2-tools.
@Suite("Against swtpm")
struct SoftwareTPMTests {
    @Test func startupIsIdempotentAndRandomBytesArrive() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        try tpm.startup()
        let random = try tpm.getRandom(100)
        #expect(random.count == 100)
        #expect(try tpm.getRandom(100) != random)
    }

    @Test func capabilitiesReportBanksPropertiesAndHandles() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        let banks = try tpm.pcrBanks()
        let sha256 = try #require(banks.selections.first { $0.hash == .sha256 })
        #expect(sha256.pcrs == Array(0...23))
        #expect(banks.selections.contains { $0.hash == .sha1 && !$0.pcrs.isEmpty })
        #expect(try tpm.nvBufferMax() >= 512)
        let properties = try tpm.properties()
        #expect(properties[.pcrCount] == 24)
        let nvIndices = try tpm.handles(from: Handle(0x0100_0000))
        #expect(nvIndices.contains(.rsaEKCertificateNV))
        #expect(nvIndices.allSatisfy { $0.isNVIndex })
    }

    @Test func allTwentyFourPCRsAreReadAcrossSeveralCalls() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        let values = try tpm.readPCRs(0...23)
        #expect(values.count == 24)
        #expect(values.values.allSatisfy { $0.count == 32 })
        let sha1 = try tpm.readPCRs(0...23, bank: .sha1)
        #expect(sha1.values.allSatisfy { $0.count == 20 })
    }

    @Test func extendedPCRMatchesSoftwareReplay() throws {
        let swtpm = try SoftwareTPM()
        let events = (0..<5).map { Array(SHA256.hash(data: Array("event \($0)".utf8))) }
        try swtpm.withClient { tpm in
            for event in events { try tpm.extendPCR(14, digest: event) }
            #expect(try tpm.readPCRs([14])[14] == PCRMath.replay(events, bank: .sha256))
            #expect(try tpm.readPCRs([15])[15] == [UInt8](repeating: 0, count: 32))
        }
        // tpm2-tools reads the same value.
        let read = try swtpm.tpm2("tpm2_pcrread", ["sha256:14"])
        let hex = try PCRMath.replay(events, bank: .sha256).map { String(format: "%02X", $0) }.joined()
        #expect(read.output.contains("0x\(hex)"))
    }

    @Test func primaryKeyNamesMatchTheTPMsNames() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        for template in [PublicArea.rsaAttestationKeyTemplate, .eccAttestationKeyTemplate, .eccEndorsementKeyTemplate] {
            let key = try tpm.createPrimary(template)
            #expect(try key.publicArea.name() == key.name)
            let read = try tpm.readPublic(key.handle)
            #expect(read.name == key.name)
            #expect(read.publicArea == key.publicArea)
            try tpm.flush(key.handle)
        }
    }

    @Test func ourQuoteIsAcceptedByTpm2Checkquote() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        try tpm.extendPCR(14, digest: Array(SHA256.hash(data: Array("inputs".utf8))))
        let ak = try tpm.createPrimary(.rsaAttestationKeyTemplate)
        let nonce = try tpm.getRandom(32)
        let quote = try tpm.quote(signingKey: ak.handle, nonce: nonce, pcrs: 0...15)
        let pcrs = try tpm.readPCRs(0...15)

        let files = try TemporaryFiles()
        try files.write("ak.pem", Array(AttestationPublicKey(ak.publicArea).pemRepresentation.utf8))
        try files.write("quote.msg", quote.attestation)
        try files.write("quote.sig", quote.signature.tpmEncoded)
        try files.write("pcrs.bin", Tpm2ToolsPCRFile.serialized(sha256: (0...15).map { pcrs[$0] ?? [] }))
        func checkquote(nonce: [UInt8]) throws -> (status: Int32, output: String) {
            try SoftwareTPM.run(
                SoftwareTPM.tool("tpm2_checkquote"),
                [
                    "-u", files.path("ak.pem"), "-m", files.path("quote.msg"), "-s", files.path("quote.sig"),
                    "-f", files.path("pcrs.bin"), "-g", "sha256", "-q", nonce.hex,
                ])
        }
        let accepted = try checkquote(nonce: nonce)
        #expect(accepted.status == 0, "\(accepted.output)")
        // The independent checker is not a rubber stamp: another nonce fails.
        #expect(try checkquote(nonce: [UInt8](repeating: 0, count: 32)).status != 0)
    }

    @Test func tpm2QuoteIsParsedVerifiedAndMatchesTheCompositeOfPcrread() throws {
        let swtpm = try SoftwareTPM()
        let ak = try swtpm.withClient { tpm in
            try tpm.extendPCR(15, digest: Array(SHA256.hash(data: Array("outputs".utf8))))
            let ak = try tpm.createPrimary(.eccAttestationKeyTemplate)
            try tpm.persist(ak.handle, at: .attestationKey)
            try tpm.flush(ak.handle)
            return ak
        }

        let files = try TemporaryFiles()
        let nonce: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02]
        let made = try swtpm.tpm2(
            "tpm2_quote",
            [
                "-c", Handle.attestationKey.description, "-l", "sha256:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
                "-q", nonce.hex, "-m", files.path("quote.msg"), "-s", files.path("quote.sig"), "-g", "sha256",
            ])
        #expect(made.status == 0, "\(made.output)")
        let message = try files.read("quote.msg")
        let attestation = try QuoteAttestation(tpmEncoded: message)
        let signature = try Signature(tpmEncoded: files.read("quote.sig"))
        try AttestationPublicKey(ak.publicArea).verify(signature, over: message)
        #expect(attestation.magic == QuoteAttestation.generatedMagic)
        #expect(attestation.extraData == nonce)

        let read = try swtpm.tpm2(
            "tpm2_pcrread", ["sha256:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", "-o", files.path("pcrs.bin")])
        #expect(read.status == 0, "\(read.output)")
        let raw = try files.read("pcrs.bin")
        try #require(raw.count == 16 * 32)
        var values: [Int: [UInt8]] = [:]
        for pcr in 0...15 { values[pcr] = Array(raw[(pcr * 32)..<((pcr + 1) * 32)]) }
        let composite = try PCRMath.compositeDigest(
            selection: attestation.quote.pcrSelection, values: [.sha256: values])
        #expect(composite == attestation.quote.pcrDigest)
    }

    @Test func rsaPSSQuoteVerifies() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        var template = PublicArea.rsaAttestationKeyTemplate
        template.key = .rsa(
            symmetric: .null, scheme: AsymmetricScheme(scheme: .rsapss, hash: .sha256), keyBits: 2048, exponent: 0,
            modulus: [])
        let ak = try tpm.createPrimary(template)
        let quote = try tpm.quote(signingKey: ak.handle, nonce: [1, 2, 3], pcrs: 0...15)
        guard case .rsapss = quote.signature else {
            Issue.record("expected an RSA-PSS signature, got \(quote.signature.scheme)")
            return
        }
        try AttestationPublicKey(ak.publicArea).verify(quote.signature, over: quote.attestation)
    }

    @Test func tamperedQuoteFailsVerification() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        let ak = try tpm.createPrimary(.rsaAttestationKeyTemplate)
        let quote = try tpm.quote(signingKey: ak.handle, nonce: [7, 7, 7], pcrs: 0...15)
        let key = try AttestationPublicKey(ak.publicArea)
        try key.verify(quote.signature, over: quote.attestation)
        var tampered = quote.attestation
        tampered[tampered.count - 1] ^= 0x01
        #expect(throws: SignatureError.self) { try key.verify(quote.signature, over: tampered) }
    }

    @Test func nvRoundTripOfThreeKilobytesUsesSeveralChunks() throws {
        let swtpm = try SoftwareTPM()
        // 3 KB, or the largest index this TPM allows (swtpm: 2 KB); either way several chunks.
        let size = try swtpm.withClient { tpm in min(3072, Int(try tpm.property(.nvIndexMax) ?? 3072)) }
        let blob = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try swtpm.withClient { tpm in
            #expect(try tpm.nvBufferMax() < blob.count)
            try tpm.defineNVIndex(.attestationKeyCertificateNV, size: blob.count)
            try tpm.nvWrite(.attestationKeyCertificateNV, blob)
            #expect(try tpm.nvRead(.attestationKeyCertificateNV) == blob)
            let info = try tpm.nvReadPublic(.attestationKeyCertificateNV)
            #expect(Int(info.publicInfo.dataSize) == size)
            #expect(info.publicInfo.attributes.contains(.written))
            #expect(try info.publicInfo.name() == info.name)
        }
        // tpm2-tools reads the same bytes.
        let files = try TemporaryFiles()
        let read = try swtpm.tpm2(
            "tpm2_nvread", [Handle.attestationKeyCertificateNV.description, "-C", "o", "-o", files.path("nv.bin")])
        #expect(read.status == 0, "\(read.output)")
        #expect(try files.read("nv.bin") == blob)
        try swtpm.withClient { tpm in
            try tpm.undefineNVIndex(.attestationKeyCertificateNV)
            #expect(throws: TPM2Error.self) { try tpm.nvReadPublic(.attestationKeyCertificateNV) }
        }
    }

    @Test func definingAnExistingIndexReportsTheTPMError() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        try tpm.defineNVIndex(Handle(0x0150_0001), size: 16)
        let error = #expect(throws: TPM2Error(.tpmResponse(.nvDefined), "")) {
            try tpm.defineNVIndex(Handle(0x0150_0001), size: 16)
        }
        #expect(error?.reason == "TPM2_NV_DefineSpace failed: TPM_RC_NV_DEFINED (0x14C)")
    }

    @Test func persistedAttestationKeySurvivesANewConnection() throws {
        let swtpm = try SoftwareTPM()
        let name: [UInt8]
        do {
            let tpm = try swtpm.client()
            let ak = try tpm.createPrimary(.rsaAttestationKeyTemplate)
            try tpm.persist(ak.handle, at: .attestationKey)
            try tpm.flush(ak.handle)
            name = ak.name
        }
        let again = try swtpm.client()
        #expect(try again.handles(from: Handle(0x8100_0000)).contains(.attestationKey))
        let read = try again.readPublic(.attestationKey)
        #expect(read.name == name)
        let quote = try again.quote(signingKey: .attestationKey, nonce: [1], pcrs: 0...15)
        try AttestationPublicKey(read.publicArea).verify(quote.signature, over: quote.attestation)
        try again.evict(.attestationKey)
        #expect(throws: TPM2Error.self) { try again.readPublic(.attestationKey) }
    }

    @Test func endorsementCertificateParsesAndCertifiesTheTemplateKey() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        let der = try tpm.nvRead(.rsaEKCertificateNV)
        let certificate = try Certificate(derEncoded: der)
        let ek = try tpm.createPrimary(.rsaEndorsementKeyTemplate)
        let spki = try AttestationPublicKey(ek.publicArea).derRepresentation
        var serializer = DER.Serializer()
        try serializer.serialize(certificate.publicKey)
        #expect(serializer.serializedBytes == spki)
    }

    @Test func missingObjectErrorNamesTheHandle() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        let error = #expect(throws: TPM2Error.self) { try tpm.readPublic(Handle(0x8100_0999)) }
        #expect(error?.reason.contains("TPM2_ReadPublic failed: TPM_RC_HANDLE") == true)
        #expect(error?.reason.contains("on handle 1") == true)
    }
}

/// A temporary directory for files handed to tpm2-tools, removed when released.
final class TemporaryFiles {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path(name))) }
    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }
}

extension [UInt8] {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
