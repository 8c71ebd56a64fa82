"""TPM 2.0 constants used by the verifier (TPM 2.0 Part 2: TPM_ALG_ID, TPM_ST, TPM_ECC_CURVE).

Algorithm identifiers are open-ended on the wire, so they stay plain integers; the tables
below only give names to the ones the verifier understands.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

# TPM_ALG_ID
ALG_RSA = 0x0001
ALG_SHA1 = 0x0004
ALG_HMAC = 0x0005
ALG_AES = 0x0006
ALG_KEYEDHASH = 0x0008
ALG_XOR = 0x000A
ALG_SHA256 = 0x000B
ALG_SHA384 = 0x000C
ALG_SHA512 = 0x000D
ALG_NULL = 0x0010
ALG_SM3_256 = 0x0012
ALG_SM4 = 0x0013
ALG_RSASSA = 0x0014
ALG_RSAES = 0x0015
ALG_RSAPSS = 0x0016
ALG_OAEP = 0x0017
ALG_ECDSA = 0x0018
ALG_ECDH = 0x0019
ALG_ECDAA = 0x001A
ALG_SM2 = 0x001B
ALG_ECSCHNORR = 0x001C
ALG_ECMQV = 0x001D
ALG_KDF1_SP800_56A = 0x0020
ALG_KDF2 = 0x0021
ALG_KDF1_SP800_108 = 0x0022
ALG_ECC = 0x0023
ALG_SYMCIPHER = 0x0025
ALG_CAMELLIA = 0x0026
ALG_SHA3_256 = 0x0027
ALG_SHA3_384 = 0x0028
ALG_SHA3_512 = 0x0029

ALGORITHM_NAMES: dict[int, str] = {
    ALG_RSA: "rsa",
    ALG_SHA1: "sha1",
    ALG_HMAC: "hmac",
    ALG_AES: "aes",
    ALG_KEYEDHASH: "keyedhash",
    ALG_XOR: "xor",
    ALG_SHA256: "sha256",
    ALG_SHA384: "sha384",
    ALG_SHA512: "sha512",
    ALG_NULL: "null",
    ALG_SM3_256: "sm3_256",
    ALG_SM4: "sm4",
    ALG_RSASSA: "rsassa",
    ALG_RSAES: "rsaes",
    ALG_RSAPSS: "rsapss",
    ALG_OAEP: "oaep",
    ALG_ECDSA: "ecdsa",
    ALG_ECDH: "ecdh",
    ALG_ECDAA: "ecdaa",
    ALG_SM2: "sm2",
    ALG_ECSCHNORR: "ecschnorr",
    ALG_ECMQV: "ecmqv",
    ALG_ECC: "ecc",
    ALG_SYMCIPHER: "symcipher",
    ALG_CAMELLIA: "camellia",
    ALG_SHA3_256: "sha3_256",
    ALG_SHA3_384: "sha3_384",
    ALG_SHA3_512: "sha3_512",
}

# Digest sizes of the hash algorithms a TPM may name (TPMT_HA, TPM2B_DIGEST bounds).
DIGEST_SIZES: dict[int, int] = {
    ALG_SHA1: 20,
    ALG_SHA256: 32,
    ALG_SHA384: 48,
    ALG_SHA512: 64,
    ALG_SM3_256: 32,
    ALG_SHA3_256: 32,
    ALG_SHA3_384: 48,
    ALG_SHA3_512: 64,
}

# The hashes a quote signature may use. SHA-1 is deliberately absent: it is not accepted.
SIGNATURE_HASHES: dict[int, type[hashes.HashAlgorithm]] = {
    ALG_SHA256: hashes.SHA256,
    ALG_SHA384: hashes.SHA384,
    ALG_SHA512: hashes.SHA512,
}

# TPM_ST
ST_ATTEST_QUOTE = 0x8018
# TPM_GENERATED_VALUE: what a restricted key refuses to sign unless the TPM made the data.
GENERATED_VALUE = 0xFF544347

# TPM_ECC_CURVE
ECC_NIST_P256 = 0x0003
ECC_NIST_P384 = 0x0004
ECC_NIST_P521 = 0x0005

CURVES: dict[int, tuple[str, type[ec.EllipticCurve], int]] = {
    ECC_NIST_P256: ("P-256", ec.SECP256R1, 32),
    ECC_NIST_P384: ("P-384", ec.SECP384R1, 48),
    ECC_NIST_P521: ("P-521", ec.SECP521R1, 66),
}

# Structure bounds (TPM 2.0 Part 2 with the reference implementation's sizes).
MAX_DIGEST_BYTES = 64  # sizeof(TPMU_HA)
MAX_NAME_BYTES = 2 + MAX_DIGEST_BYTES  # sizeof(TPMU_NAME) = sizeof(TPMT_HA)
MAX_DATA_BYTES = 2 + MAX_DIGEST_BYTES  # TPM2B_DATA holds a TPMT_HA
MAX_RSA_KEY_BYTES = 512  # 4096-bit keys
MAX_ECC_KEY_BYTES = 66  # P-521
HASH_COUNT = 16  # TPML_PCR_SELECTION bound used by tss2 (TPM2_NUM_PCR_BANKS)
PCR_SELECT_MAX = 4  # bytes of a PCR bitmap (32 PCRs), tss2's TPM2_PCR_SELECT_MAX


def algorithm_name(alg: int) -> str:
    """``sha256`` for 0x000B; ``0x1234`` for an algorithm without a name here."""
    return ALGORITHM_NAMES.get(alg, f"0x{alg:04x}")
