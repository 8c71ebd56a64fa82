import AICertCore
import Crypto
import Foundation
import SwiftASN1
import TPM2
import X509

/// Verifies a proof file of the original AICert through the same named checks. The format
/// has no AK public area, no nonce, no manifests and no clock, so those parts are judged by
/// what it does carry, and what it cannot show is a warning or a failure, never a pass.
public enum LegacyVerifier {
    /// PCRs that software can reset: a log that replays only to one of them proves nothing.
    static let resettablePCRs: Set<Int> = [16, 23]
    /// The platform the format implies: the original AICert ran on Azure only.
    static let platform = PlatformKind.azure.rawValue

    public static func verify(_ proof: LegacyProof, options: VerificationOptions) async -> VerificationReport {
        var chain: [[UInt8]] = []
        var checks: [CheckResult] = []
        var chainProblem: String?
        for (index, bytes) in proof.certificateChain.enumerated() {
            if (try? Certificate(derEncoded: bytes)) != nil {
                chain.append(bytes)
            } else if let text = String(bytes: bytes, encoding: .utf8), let certificate = try? Certificate(pemEncoded: text),
                let der = try? certificate.derBytes
            {
                chain.append(der)
            } else {
                chainProblem = "cert_chain[\(index)] is neither a DER nor a PEM certificate"
                break
            }
        }
        let time = options.validationTime ?? Date()
        let anchor: ChainOutcome
        if let chainProblem {
            anchor = ChainOutcome(result: .fail(.akChain, .certificateUnreadable, chainProblem), trust: .none, root: nil)
        } else {
            anchor = await ChainCheck.run(chain: chain, trustStore: options.trustStore, at: time)
        }
        checks.append(anchor.result)
        checks.append(signatureCheck(proof, leaf: chain.first))
        let (contentResult, values) = contentCheck(proof)
        checks.append(contentResult)
        checks.append(eventLogCheck(proof, values: values))
        var quoted: [String: [String: String]] = [:]
        for ((hash, pcr), value) in values where hash == AlgorithmID.sha256.rawValue {
            quoted["sha256", default: [:]][String(pcr)] = value.hexString
        }
        // The format implies its platform (the original AICert ran on Azure only) and names no image.
        checks.append(BootStateCheck.run(platform: Self.platform, image: nil, pcrs: quoted, firmwareLog: nil, options: options))
        if let policy = options.policy, !policy.inputs.isEmpty || !policy.outputs.isEmpty {
            checks.append(
                .fail(
                    .policy, .requirementMissing,
                    "the legacy format names no inputs or outputs to check the policy's requirements against"))
        } else {
            checks.append(
                CheckResult(
                    .policy, .skip, .notRequested,
                    options.policy == nil ? "no policy given" : "the policy requires no inputs or outputs"))
        }
        checks.append(
            options.artifacts.isEmpty
                ? CheckResult(.artifacts, .skip, .notRequested, "no artifact given")
                : .fail(.artifacts, .artifactMismatch, "the legacy format carries no outputs manifest to match artifacts against"))
        return VerificationReport(
            format: LegacyProof.format, platform: Self.platform, trust: anchor.trust, trustRoot: anchor.root?.commonName, checks: checks,
            summary: nil)
    }

    /// The AK certificate's key verified the quote's signature.
    static func signatureCheck(_ proof: LegacyProof, leaf: [UInt8]?) -> CheckResult {
        func fail(_ reason: CheckReason, _ detail: String) -> CheckResult { .fail(.quoteSignature, reason, detail) }
        guard let leaf, let certificate = try? Certificate(derEncoded: leaf) else {
            return fail(.akCertificateUnreadable, "there is no readable AK certificate")
        }
        let key: AttestationPublicKey
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate.publicKey)
            key = try AttestationPublicKey(subjectPublicKeyInfo: serializer.serializedBytes)
        } catch {
            return fail(.akKeyUnacceptable, "the AK certificate's key is not usable: \(error)")
        }
        let signature: Signature
        do {
            signature = try Signature(tpmEncoded: proof.signature)
        } catch {
            return fail(.signatureUnreadable, "the quote signature is not a TPMT_SIGNATURE: \(error)")
        }
        do {
            try key.verify(signature, over: proof.message)
        } catch {
            return fail(.signatureInvalid, "\(error)")
        }
        return .pass(
            .quoteSignature,
            "\(signature.scheme) signature with \(signature.hash) by the key of '\(certificate.commonName)' verifies")
    }

    /// The message is a TPM-generated quote whose PCR digest is that of the PCR file's values.
    static func contentCheck(_ proof: LegacyProof) -> (CheckResult, [(key: (UInt16, Int), value: [UInt8])]) {
        func fail(_ reason: CheckReason, _ detail: String) -> (CheckResult, [(key: (UInt16, Int), value: [UInt8])]) {
            (.fail(.quoteContent, reason, detail), [])
        }
        let quote: QuoteAttestation
        do {
            quote = try QuoteAttestation(tpmEncoded: proof.message)
        } catch {
            return fail(.attestUnreadable, "the quote is not a TPMS_ATTEST of a quote: \(error)")
        }
        guard quote.magic == QuoteAttestation.generatedMagic else {
            return fail(.notTPMGenerated, "magic 0x\(String(quote.magic, radix: 16)) is not TPM_GENERATED_VALUE (0xff544347)")
        }
        let file: Tpm2ToolsPCRValues
        do {
            file = try Tpm2ToolsPCRValues(proof.pcrFile)
        } catch {
            return fail(.pcrValuesMalformed, "\(error)")
        }
        let signed = quote.quote.pcrSelection.orderedPCRs.map { ($0.hash.rawValue, $0.pcr) }
        guard signed.elementsEqual(file.selection, by: { $0.0 == $1.hash && $0.1 == $1.pcr }) else {
            return fail(.pcrSelectionInvalid, "the PCR file's selection is not the quote's")
        }
        var values: [AlgorithmID: [Int: [UInt8]]] = [:]
        for (index, (hash, pcr)) in file.selection.enumerated() {
            values[AlgorithmID(rawValue: hash), default: [:]][pcr] = file.values[index]
        }
        let hash = (try? Signature(tpmEncoded: proof.signature))?.hash ?? .sha256
        guard
            let composite = try? PCRMath.compositeDigest(selection: quote.quote.pcrSelection, values: values, hash: hash),
            composite == quote.quote.pcrDigest
        else {
            return fail(.pcrDigestMismatch, "the quote's PCR digest is not the digest of the PCR file's values: a PCR value was changed")
        }
        let pairs = file.selection.enumerated().map { (key: ($0.element.hash, $0.element.pcr), value: file.values[$0.offset]) }
        return (
            CheckResult(
                .quoteContent, .warn, .nonceAbsent,
                "TPM-generated quote of \(file.values.count) PCRs whose digest matches; the legacy format records no nonce, so freshness is unproven"),
            pairs
        )
    }

    /// The log replays, from zeros, to a quoted SHA-256 PCR that software cannot reset.
    static func eventLogCheck(_ proof: LegacyProof, values: [(key: (UInt16, Int), value: [UInt8])]) -> CheckResult {
        guard !proof.eventLog.isEmpty else {
            return .fail(.eventLog, .logGrammar, "the event log is empty: it proves nothing")
        }
        guard !values.isEmpty else {
            return .fail(.eventLog, .pcrReplayMismatch, "no trustworthy PCR values to replay the log against")
        }
        let digests = proof.eventLog.map { Array(SHA256.hash(data: Array($0.utf8))) }
        guard let replayed = try? PCRMath.replay(digests, bank: .sha256) else {
            return .fail(.eventLog, .pcrReplayMismatch, "the log cannot be replayed")
        }
        let matches = values.filter { $0.key.0 == AlgorithmID.sha256.rawValue && $0.value == replayed }.map(\.key.1)
        if let pcr = matches.first(where: { !resettablePCRs.contains($0) }) {
            return .pass(.eventLog, "\(proof.eventLog.count) events replay to PCR \(pcr)")
        }
        if let pcr = matches.first {
            return .fail(
                .eventLog, .pcrReplayMismatch,
                "the \(proof.eventLog.count) events replay only to PCR \(pcr), which software can reset: the log proves nothing")
        }
        return .fail(.eventLog, .pcrReplayMismatch, "the \(proof.eventLog.count) events replay to no quoted SHA-256 PCR")
    }
}
