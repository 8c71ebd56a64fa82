/// Public-area templates for the keys AICert creates: TCG endorsement keys and attestation keys.
extension PublicArea {
    /// `PolicySecret(TPM_RH_ENDORSEMENT)`: the authPolicy of the TCG EK templates.
    static let endorsementPolicy: [UInt8] = [
        0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
        0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
    ]

    private static let endorsementAttributes: ObjectAttributes = [
        .fixedTPM, .fixedParent, .sensitiveDataOrigin, .adminWithPolicy, .restricted, .decrypt,
    ]

    /// The TCG EK Credential Profile template L-1: RSA 2048, AES-128-CFB storage key.
    public static let rsaEndorsementKeyTemplate = PublicArea(
        nameAlg: .sha256, attributes: endorsementAttributes, authPolicy: endorsementPolicy,
        key: .rsa(
            symmetric: .aes128CFB, scheme: .null, keyBits: 2048, exponent: 0,
            modulus: [UInt8](repeating: 0, count: 256)))

    /// The TCG EK Credential Profile template L-2: ECC NIST P-256, AES-128-CFB storage key.
    public static let eccEndorsementKeyTemplate = PublicArea(
        nameAlg: .sha256, attributes: endorsementAttributes, authPolicy: endorsementPolicy,
        key: .ecc(
            symmetric: .aes128CFB, scheme: .null, curve: .nistP256, kdf: .null,
            x: [UInt8](repeating: 0, count: 32), y: [UInt8](repeating: 0, count: 32)))

    /// Attributes of an attestation key: a restricted signing key that never leaves this TPM,
    /// so it can only sign structures the TPM itself generated (quotes, certifications).
    public static let attestationKeyAttributes: ObjectAttributes = [
        .fixedTPM, .fixedParent, .sensitiveDataOrigin, .userWithAuth, .noDA, .restricted, .sign,
    ]

    /// An RSA 2048 attestation key signing with RSASSA-PKCS1-v1_5 and SHA-256.
    public static let rsaAttestationKeyTemplate = PublicArea(
        nameAlg: .sha256, attributes: attestationKeyAttributes,
        key: .rsa(
            symmetric: .null, scheme: AsymmetricScheme(scheme: .rsassa, hash: .sha256),
            keyBits: 2048, exponent: 0, modulus: []))

    /// An ECC P-256 attestation key signing with ECDSA and SHA-256.
    public static let eccAttestationKeyTemplate = PublicArea(
        nameAlg: .sha256, attributes: attestationKeyAttributes,
        key: .ecc(
            symmetric: .null, scheme: AsymmetricScheme(scheme: .ecdsa, hash: .sha256),
            curve: .nistP256, kdf: .null, x: [], y: []))
}
