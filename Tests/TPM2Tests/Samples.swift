import TPM2

/// One valid instance of every wire structure, for round-trip and hostile-input tests.
enum Samples {
    static let selection = PCRSelectionList([
        PCRSelection(hash: .sha256, pcrs: 0...15),
        PCRSelection(hash: .sha1, pcrs: [0, 7, 23]),
    ])

    static let attestation = QuoteAttestation(
        qualifiedSigner: [0x00, 0x0B] + [UInt8](repeating: 0xAB, count: 32),
        extraData: [1, 2, 3, 4, 5, 6, 7, 8],
        clockInfo: ClockInfo(clock: 0x0102_0304_0506_0708, resetCount: 3, restartCount: 1, safe: true),
        firmwareVersion: 0x2019_1023_0016_3636,
        quote: QuoteInfo(pcrSelection: selection, pcrDigest: [UInt8](repeating: 0x5A, count: 32)))

    static let signatures: [Signature] = [
        .rsassa(hash: .sha256, signature: [UInt8](repeating: 0x11, count: 256)),
        .rsapss(hash: .sha384, signature: [UInt8](repeating: 0x22, count: 384)),
        .ecdsa(hash: .sha256, r: [UInt8](repeating: 0x33, count: 32), s: [UInt8](repeating: 0x44, count: 32)),
    ]

    static let publicAreas: [PublicArea] = [
        .rsaEndorsementKeyTemplate,
        .eccEndorsementKeyTemplate,
        .rsaAttestationKeyTemplate,
        .eccAttestationKeyTemplate,
        PublicArea(
            nameAlg: .sha256, attributes: PublicArea.attestationKeyAttributes,
            key: .ecc(
                symmetric: .null, scheme: AsymmetricScheme(scheme: .ecdaa, hash: .sha256, count: 7),
                curve: .bnP256, kdf: KDFScheme(scheme: .kdf1SP800_108, hash: .sha256),
                x: [1, 2], y: [3, 4])),
    ]

    static let nvPublic = NVPublic(
        index: .attestationKeyCertificateNV, nameAlg: .sha256, attributes: [.ownerWrite, .authRead, .noDA],
        authPolicy: [9, 9, 9], dataSize: 3072)

    static let capabilities: [CapabilityData] = [
        .handles([Handle(0x8100_0003), Handle(0x8101_0001)]),
        .pcrs(selection),
        .properties([
            TaggedProperty(property: .nvBufferMax, value: 1024), TaggedProperty(property: .pcrCount, value: 24),
        ]),
    ]

    /// Encodings of every sample, each with a function that parses such bytes.
    static var encodings: [(name: String, bytes: [UInt8], parse: ([UInt8]) throws -> Void)] {
        var result: [(String, [UInt8], ([UInt8]) throws -> Void)] = [
            ("TPML_PCR_SELECTION", selection.tpmEncoded, { _ = try PCRSelectionList(tpmEncoded: $0) }),
            ("TPMS_ATTEST", attestation.tpmEncoded, { _ = try QuoteAttestation(tpmEncoded: $0) }),
            ("TPMS_NV_PUBLIC", nvPublic.tpmEncoded, { _ = try NVPublic(tpmEncoded: $0) }),
            (
                "TPML_DIGEST", DigestList([[1, 2, 3], [UInt8](repeating: 7, count: 32)]).tpmEncoded,
                { _ = try DigestList(tpmEncoded: $0) }
            ),
            (
                "TPML_DIGEST_VALUES",
                TaggedDigestList([TaggedDigest(hash: .sha256, digest: [UInt8](repeating: 1, count: 32))]).tpmEncoded,
                { _ = try TaggedDigestList(tpmEncoded: $0) }
            ),
        ]
        for (index, signature) in signatures.enumerated() {
            result.append(("TPMT_SIGNATURE[\(index)]", signature.tpmEncoded, { _ = try Signature(tpmEncoded: $0) }))
        }
        for (index, area) in publicAreas.enumerated() {
            result.append(("TPMT_PUBLIC[\(index)]", area.tpmEncoded, { _ = try PublicArea(tpmEncoded: $0) }))
        }
        for (index, capability) in capabilities.enumerated() {
            result.append(
                ("TPMS_CAPABILITY_DATA[\(index)]", capability.tpmEncoded, { _ = try CapabilityData(tpmEncoded: $0) }))
        }
        return result
    }
}
