import AICertCore
import SwiftASN1
import TPM2
import X509

/// What a TPM quote proves, as a verifier judges it: the attestation key, the AK certificate,
/// the signed `TPMS_ATTEST`, its signature, the PCR values it covers and the nonce it must carry.
///
/// Every document that attests a TPM's state carries this evidence: an `aicert/v1` certificate,
/// a runner's identity document, a proof of the original AICert. Each part is parsed here once;
/// a part that does not parse keeps the issue that the check judging it reports, so that the
/// checks (``EvidenceCheck``) run in the order of docs/verification-rules.md whatever is broken.
/// ``ComposedCheck`` runs them as the named checks of a report.
public struct AttestationEvidence: Sendable {
    /// How the key that signed the quote is given.
    public enum SigningKey: Sendable {
        /// The AK's `TPMT_PUBLIC`: it must be a restricted signing key of its TPM and the AK
        /// certificate's key.
        case publicArea(Result<PublicArea, EvidenceIssue>)
        /// Only the AK certificate's key, for formats that carry no `TPMT_PUBLIC`.
        case certificateKey
    }

    /// The nonce the quote's `extraData` must be.
    public enum ExpectedNonce: Hashable, Sendable {
        /// The document's own nonce, which must be 16 to 64 bytes written as lowercase hex.
        case written(String)
        /// The nonce the verifier sent.
        case sent([UInt8])
        /// The format records none, so freshness is unproven: a warning, not a failure.
        case absent
    }

    /// The key that signed the quote: the AK's public area (read, or the issue that it does
    /// not parse), or the AK certificate's key.
    public let signingKey: SigningKey
    /// The AK certificate (the chain's first), or `nil` when none is carried or it is not DER X.509.
    public let akCertificate: Certificate?
    /// The `TPMS_ATTEST` exactly as the TPM signed it: signatures are checked over these bytes.
    public let attest: [UInt8]
    /// The quote read from ``attest``, or the `attest-unreadable` issue when the bytes are not a
    /// `TPMS_ATTEST` of a quote.
    public let attestation: Result<QuoteAttestation, EvidenceIssue>
    /// The quote's signature (`TPMT_SIGNATURE`), or the `signature-unreadable` issue.
    public let signature: Result<Signature, EvidenceIssue>
    /// The carried PCR values, one bank per algorithm.
    ///
    /// Not yet trusted: they are the quoted ones only once ``PCRDigestCheck`` has passed. When
    /// they cannot be read, the `pcr-values-malformed` issue.
    public let banks: Result<[PCRBank], EvidenceIssue>
    /// The nonce the quote must carry, and so how its freshness is judged.
    public let nonce: ExpectedNonce
    /// The SHA-256 of the TLS key (SPKI) the quote must bind with its nonce
    /// (`ChannelBinding`), or `nil` when it was asked for over no attested channel.
    public let channelKeyDigest: SHA256Hash?

    /// Evidence from its parts as a document carries them; `publicArea` is the AK's
    /// `TPMT_PUBLIC`, or `nil` when the format has none and the AK certificate's key signs.
    ///
    /// Never throws: a part that does not parse is kept as the issue its check will report.
    ///
    /// - Parameters:
    ///   - publicArea: The AK's `TPMT_PUBLIC`, or `nil`.
    ///   - akCertificate: The DER AK certificate (the chain's first), or `nil` when none is
    ///     carried; one that is not DER X.509 is treated as absent.
    ///   - attest: The signed `TPMS_ATTEST`, exactly as carried.
    ///   - signature: The `TPMT_SIGNATURE` over `attest`.
    ///   - banks: The carried PCR values, or why they cannot be read.
    ///   - nonce: The nonce the quote must carry.
    ///   - channelKeyDigest: The TLS key digest the quote must bind with the nonce, or `nil`.
    public init(
        publicArea: [UInt8]?, akCertificate: [UInt8]?, attest: [UInt8], signature: [UInt8],
        banks: Result<[PCRBank], PCRBankError>, nonce: ExpectedNonce, channelKeyDigest: SHA256Hash? = nil
    ) {
        signingKey =
            publicArea.map { bytes in
                .publicArea(
                    Result { try PublicArea(tpmEncoded: bytes) }.mapError {
                        .failure(.akPublicUnreadable, "the AK public area is not a TPMT_PUBLIC: \($0)")
                    })
            } ?? .certificateKey
        self.akCertificate = akCertificate.flatMap { try? Certificate(derEncoded: $0) }
        self.attest = attest
        attestation = Result { try QuoteAttestation(tpmEncoded: attest) }.mapError {
            .failure(.attestUnreadable, "the quote is not a TPMS_ATTEST of a quote: \($0)")
        }
        self.signature = Result { try Signature(tpmEncoded: signature) }.mapError {
            .failure(.signatureUnreadable, "the quote signature is not a TPMT_SIGNATURE: \($0)")
        }
        self.banks = banks.mapError { .failure(.pcrValuesMalformed, $0.description) }
        self.nonce = nonce
        self.channelKeyDigest = channelKeyDigest
    }

    /// The carried bank of `algorithm`, or `nil` when there is none or the PCR values are unreadable.
    ///
    /// The values are as carried: trust them only after ``PCRDigestCheck`` has passed.
    public func bank(_ algorithm: AlgorithmID) -> PCRBank? {
        (try? banks.get())?.first { $0.algorithm == algorithm }
    }
}

/// The evidence of each document that carries a quote.
extension AttestationEvidence {
    /// The evidence of an `aicert/v1` certificate, which must carry its own nonce.
    ///
    /// Its PCR values are the SHA-256 bank of its `pcrs` member, its nonce the one it writes,
    /// bound to the TLS key its runner event names, if any.
    public init(certificate: AICertificate) {
        self.init(
            publicArea: certificate.attestationKey.publicArea.bytes,
            akCertificate: certificate.attestationKey.certificateChain.first?.bytes,
            attest: certificate.quote.attest.bytes, signature: certificate.quote.signature.bytes,
            banks: Result { () throws(PCRBankError) in [try PCRBank(pcrsMember: certificate.pcrs)] },
            nonce: .written(certificate.nonce), channelKeyDigest: ChannelBinding.keyDigest(in: certificate.eventLog))
    }

    /// The evidence of a runner's identity document, which must carry `sentNonce` bound to
    /// `channelKeyDigest`, the digest of the TLS key the connection it came over presented.
    ///
    /// The client sent `sentNonce` to the runner, so a quote with it is fresh.
    public init(identity: RunnerIdentity, sentNonce: [UInt8], channelKeyDigest: SHA256Hash?) {
        self.init(
            publicArea: identity.attestationKey.publicArea.bytes,
            akCertificate: identity.attestationKey.certificateChain.first?.bytes,
            attest: identity.quote.attest.bytes, signature: identity.quote.signature.bytes,
            banks: Result { () throws(PCRBankError) in [try PCRBank(pcrsMember: identity.pcrs)] },
            nonce: .sent(sentNonce), channelKeyDigest: channelKeyDigest)
    }

    /// The evidence of a proof of the original AICert, whose AK certificate (DER) is `leaf`: no
    /// `TPMT_PUBLIC`, no nonce, and the banks of its tpm2-tools PCR file.
    init(legacy proof: LegacyProof, leaf: [UInt8]?) {
        self.init(
            publicArea: nil, akCertificate: leaf, attest: proof.message, signature: proof.signature,
            banks: Result { () throws(PCRBankError) in try Self.banks(pcrFile: proof.pcrFile) }, nonce: .absent)
    }

    /// The banks of a tpm2-tools PCR file, in the order the file first names them.
    ///
    /// A PCR given twice in one bank is an error rather than a silent overwrite.
    private static func banks(pcrFile: [UInt8]) throws(PCRBankError) -> [PCRBank] {
        let file: Tpm2ToolsPCRValues
        do {
            file = try Tpm2ToolsPCRValues(pcrFile)
        } catch {
            throw PCRBankError("\(error)")
        }
        var order: [AlgorithmID] = []
        var values: [AlgorithmID: [Int: [UInt8]]] = [:]
        for ((hash, pcr), value) in zip(file.selection, file.values) {
            let algorithm = AlgorithmID(rawValue: hash)
            if values[algorithm] == nil { order.append(algorithm) }
            guard values[algorithm, default: [:]].updateValue(value, forKey: pcr) == nil else {
                throw PCRBankError("the PCR file gives \(algorithm) PCR \(pcr) twice")
            }
        }
        var banks: [PCRBank] = []
        for algorithm in order { banks.append(try PCRBank(algorithm, values: values[algorithm] ?? [:])) }
        return banks
    }
}
