import TPM2
import TPMTestSupport
import Testing

@Suite("Wire format")
struct WireFormatTests {
    @Test func everyStructureRoundTripsToTheSameBytes() throws {
        #expect(try PCRSelectionList(tpmEncoded: Samples.selection.tpmEncoded) == Samples.selection)
        #expect(try QuoteAttestation(tpmEncoded: Samples.attestation.tpmEncoded) == Samples.attestation)
        #expect(try NVPublic(tpmEncoded: Samples.nvPublic.tpmEncoded) == Samples.nvPublic)
        for signature in Samples.signatures {
            #expect(try Signature(tpmEncoded: signature.tpmEncoded) == signature)
        }
        for area in Samples.publicAreas {
            #expect(try PublicArea(tpmEncoded: area.tpmEncoded) == area)
        }
        for capability in Samples.capabilities {
            #expect(try CapabilityData(tpmEncoded: capability.tpmEncoded) == capability)
        }
    }

    @Test func everyStrictPrefixIsRejectedAsTruncated() {
        for sample in Samples.encodings {
            for length in 0..<sample.bytes.count {
                #expect(throws: TPM2Error.self, "\(sample.name) prefix of \(length) bytes") {
                    try sample.parse(Array(sample.bytes.prefix(length)))
                }
            }
        }
    }

    @Test func trailingBytesAreRejected() {
        for sample in Samples.encodings {
            #expect(throws: TPM2Error(.trailingBytes, ""), "\(sample.name)") {
                try sample.parse(sample.bytes + [0])
            }
        }
    }

    @Test func randomAndMutatedBytesThrowOrParseButNeverCrash() {
        var generator = SplitMix64(seed: 0xA1CE_27)
        for sample in Samples.encodings {
            for _ in 0..<300 {
                var bytes = sample.bytes
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[index] = UInt8.random(in: 0...255, using: &generator)
                }
                _ = try? sample.parse(bytes)
                let noise = (0..<Int.random(in: 0...96, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
                _ = try? sample.parse(noise)
            }
        }
    }

    @Test func oversizedBufferIsRejectedBeforeAllocation() {
        // TPM2B_DIGEST claiming 65,535 bytes inside a quote's pcrDigest.
        var bytes = Samples.attestation.tpmEncoded
        bytes.removeLast(34)
        bytes += [0xFF, 0xFF]
        #expect(throws: TPM2Error(.sizeLimitExceeded, "")) { try QuoteAttestation(tpmEncoded: bytes) }
    }

    @Test func absurdListCountIsRejected() {
        #expect(throws: TPM2Error(.sizeLimitExceeded, "")) {
            try PCRSelectionList(tpmEncoded: [0xFF, 0xFF, 0xFF, 0xFF])
        }
        #expect(throws: TPM2Error(.sizeLimitExceeded, "")) {
            try DigestList(tpmEncoded: [0x00, 0x00, 0x00, 0x09])
        }
        #expect(throws: TPM2Error(.sizeLimitExceeded, "")) {
            try CapabilityData(tpmEncoded: [0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF])
        }
    }

    @Test func oversizedPCRBitmapIsRejected() {
        #expect(throws: TPM2Error(.sizeLimitExceeded, "")) {
            try PCRSelection(tpmEncoded: [0x00, 0x0B, 0xFF] + [UInt8](repeating: 0xFF, count: 255))
        }
    }

    @Test func attestationTypesOtherThanQuoteAreRejected() throws {
        var bytes = Samples.attestation.tpmEncoded
        bytes[4] = 0x80
        bytes[5] = 0x17  // TPM_ST_ATTEST_CERTIFY
        let error = #expect(throws: TPM2Error(.unsupported, "")) { try QuoteAttestation(tpmEncoded: bytes) }
        #expect(error?.reason.contains("TPMS_ATTEST.type") == true)
    }

    @Test func signatureSchemesOtherThanRSAAndECDSAAreRejected() {
        // TPM_ALG_HMAC signature.
        #expect(throws: TPM2Error(.unsupported, "")) {
            try Signature(tpmEncoded: [0x00, 0x05, 0x00, 0x0B] + [UInt8](repeating: 0, count: 32))
        }
    }

    @Test func keyTypesOtherThanRSAAndECCAreRejected() {
        var bytes = PublicArea.rsaAttestationKeyTemplate.tpmEncoded
        bytes[1] = 0x08  // TPM_ALG_KEYEDHASH
        #expect(throws: TPM2Error(.unsupported, "")) { try PublicArea(tpmEncoded: bytes) }
    }

    @Test func errorsNameTheStructureAndField() {
        let error = #expect(throws: TPM2Error.self) {
            try QuoteAttestation(tpmEncoded: Array(Samples.attestation.tpmEncoded.prefix(5)))
        }
        #expect(error?.reason == "TPMS_ATTEST.type: input ends before the field does")
    }

    @Test func pcrSelectionListsPCRsInBitmapOrder() {
        let selection = PCRSelection(hash: .sha256, pcrs: [15, 0, 7, 8])
        #expect(selection.bitmap == [0x81, 0x81, 0x00])
        #expect(selection.pcrs == [0, 7, 8, 15])
    }
}
