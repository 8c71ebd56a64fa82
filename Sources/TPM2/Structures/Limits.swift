/// Upper bounds on sizes and counts, applied while parsing so that hostile bytes cannot make
/// the parser allocate or loop beyond what a real TPM could send.
public enum TPMLimits {
    /// `sizeof(TPMU_HA)`: the largest digest (SHA-512).
    public static let digest = 64
    /// `TPM2B_DATA` holds at most a `TPMT_HA`.
    public static let data = 66
    /// `TPM2B_NAME`: an algorithm id plus the largest digest.
    public static let name = 66
    /// `TPM2B_PUBLIC_KEY_RSA` and RSA signatures: RSA-4096.
    public static let rsaKey = 512
    /// `TPM2B_ECC_PARAMETER`: P-521 coordinates.
    public static let eccParameter = 66
    /// `TPM2B_ATTEST`: the largest attestation structure we accept.
    public static let attest = 2048
    /// `TPM2B_PUBLIC`: generous for RSA-4096 plus a policy digest.
    public static let publicArea = 1024
    /// `TPM2B_MAX_NV_BUFFER`: above any TPM's `TPM_PT_NV_BUFFER_MAX`.
    public static let nvBuffer = 4096
    /// `TPM2B_CREATION_DATA` and `TPM2B_SENSITIVE_DATA`.
    public static let creationData = 2048
    /// Entries in a `TPML_PCR_SELECTION` (one per bank).
    public static let pcrBanks = 16
    /// Bytes in a `TPMS_PCR_SELECTION` bitmap: 32 PCRs.
    public static let pcrSelectBytes = 4
    /// Digests in a `TPML_DIGEST` (the TPM returns at most 8).
    public static let digestListCount = 8
    /// Handles in one `TPML_HANDLE`.
    public static let handles = 254
    /// Properties in one `TPML_TAGGED_TPM_PROPERTY`.
    public static let properties = 256
    /// A whole response from the TPM.
    public static let response = 64 * 1024
}
