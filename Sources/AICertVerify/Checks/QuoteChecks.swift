import AICertCore
import SwiftASN1
import TPM2
import X509

/// `quote-signature`: the AK is a restricted signing key, it is the key of the AK certificate,
/// and it signed the quote.
enum QuoteSignatureCheck {
    /// What a TPM-resident attestation key must be: a restricted signing key generated in,
    /// and bound to, its TPM. Without `restricted` the TPM would sign forged quotes.
    static let requiredAttributes: ObjectAttributes = [.fixedTPM, .sensitiveDataOrigin, .restricted, .sign]

    static func run(publicArea bytes: [UInt8], leafCertificate: [UInt8]?, attest: [UInt8], signature signatureBytes: [UInt8])
        -> CheckResult
    {
        func fail(_ reason: CheckReason, _ detail: String) -> CheckResult { .fail(.quoteSignature, reason, detail) }
        let publicArea: PublicArea
        do {
            publicArea = try PublicArea(tpmEncoded: bytes)
        } catch {
            return fail(.akPublicUnreadable, "the AK public area is not a TPMT_PUBLIC: \(error)")
        }
        let missing = requiredAttributes.subtracting(publicArea.attributes)
        guard missing.isEmpty, !publicArea.attributes.contains(.decrypt) else {
            return fail(
                .akNotRestricted, "the AK is not a restricted signing key bound to its TPM (attributes 0x\(String(publicArea.attributes.rawValue, radix: 16)))")
        }
        let key: AttestationPublicKey
        do {
            key = try AttestationPublicKey(publicArea)
        } catch {
            return fail(.akKeyUnacceptable, "the AK is not usable: \(error)")
        }
        guard let leafCertificate, let certificate = try? Certificate(derEncoded: leafCertificate) else {
            return fail(.akCertificateUnreadable, "there is no readable AK certificate to compare the AK with")
        }
        guard let akKey = try? Certificate.PublicKey(derEncoded: key.derRepresentation), akKey == certificate.publicKey else {
            return fail(.akKeyMismatch, "the AK in the certificate is not the key of the AK certificate '\(certificate.commonName)'")
        }
        let signature: Signature
        do {
            signature = try Signature(tpmEncoded: signatureBytes)
        } catch {
            return fail(.signatureUnreadable, "the quote signature is not a TPMT_SIGNATURE: \(error)")
        }
        do {
            try key.verify(signature, over: attest)
        } catch {
            return fail(.signatureInvalid, "\(error)")
        }
        return .pass(
            .quoteSignature,
            "\(signature.scheme) signature with \(signature.hash) by the AK (\(key.summary)) verifies; the AK is the certificate's key")
    }
}

/// `quote-content`: the signed `TPMS_ATTEST` is a TPM-generated quote of SHA-256 PCRs 0–15
/// with the certificate's nonce, and its PCR digest is that of the carried PCR values.
enum QuoteContentCheck {
    static func run(attest: [UInt8], signature: [UInt8], nonce: String, pcrs: [String: [String: String]]) -> CheckResult {
        func fail(_ reason: CheckReason, _ detail: String) -> CheckResult { .fail(.quoteContent, reason, detail) }
        let quote: QuoteAttestation
        do {
            quote = try QuoteAttestation(tpmEncoded: attest)
        } catch {
            return fail(.attestUnreadable, "the quote is not a TPMS_ATTEST of a quote: \(error)")
        }
        guard quote.magic == QuoteAttestation.generatedMagic else {
            return fail(.notTPMGenerated, "magic 0x\(String(quote.magic, radix: 16)) is not TPM_GENERATED_VALUE (0xff544347)")
        }
        guard let nonceBytes = nonce.lowercaseHexBytes, (16...64).contains(nonceBytes.count) else {
            return fail(.nonceMalformed, "the certificate's nonce is not 16 to 64 bytes of lowercase hex")
        }
        guard quote.extraData == nonceBytes else {
            return fail(.nonceMismatch, "the quote's nonce (extraData) is not the certificate's nonce")
        }
        let selections = quote.quote.pcrSelection.selections.filter { !$0.pcrs.isEmpty }
        guard selections.count == 1, let selection = selections.first, selection.hash == .sha256 else {
            return fail(.pcrSelectionInvalid, "the quote must select exactly one bank, SHA-256; it selects \(selections.map { "\($0.hash)" })")
        }
        let missing = Set(0...PCRAllocation.outputs).subtracting(selection.pcrs)
        guard missing.isEmpty else {
            return fail(.pcrSelectionInvalid, "the quote does not cover PCR \(missing.sorted().map(String.init).joined(separator: ", "))")
        }
        guard pcrs.keys.sorted() == ["sha256"], let bank = pcrs["sha256"] else {
            return fail(.pcrValuesMalformed, "pcrs must hold the sha256 bank only; it holds \(pcrs.keys.sorted())")
        }
        let quoted = Set(selection.pcrs.map(String.init))
        guard Set(bank.keys) == quoted else {
            let extra = Set(bank.keys).subtracting(quoted).sorted()
            let absent = quoted.subtracting(bank.keys).sorted { Int($0)! < Int($1)! }
            return fail(
                .pcrValuesMalformed,
                extra.isEmpty
                    ? "pcrs lacks quoted PCR \(absent.joined(separator: ", "))"
                    : "pcrs holds PCR \(extra.joined(separator: ", ")), which the quote does not cover")
        }
        var values: [Int: [UInt8]] = [:]
        for pcr in selection.pcrs {
            guard let value = bank[String(pcr)]?.lowercaseHexBytes, value.count == 32 else {
                return fail(.pcrValuesMalformed, "pcrs.sha256.\(pcr) is not 32 bytes of lowercase hex")
            }
            values[pcr] = value
        }
        let hash = (try? Signature(tpmEncoded: signature))?.hash ?? .sha256
        guard
            let composite = try? PCRMath.compositeDigest(
                selection: quote.quote.pcrSelection, values: [.sha256: values], hash: hash),
            composite == quote.quote.pcrDigest
        else {
            return fail(.pcrDigestMismatch, "the quote's PCR digest is not the digest of the carried PCR values: a PCR value was changed")
        }
        return .pass(
            .quoteContent,
            "TPM-generated quote of SHA-256 PCRs \(Self.ranges(selection.pcrs)) with the certificate's nonce; the PCR digest matches")
    }

    /// `0–15` or `0–15, 17`.
    static func ranges(_ pcrs: [Int]) -> String {
        var parts: [String] = []
        var start: Int?
        var previous = -2
        for pcr in pcrs.sorted() + [Int.max] {
            if pcr != previous + 1 {
                if let start { parts.append(start == previous ? "\(start)" : "\(start)–\(previous)") }
                start = pcr
            }
            previous = pcr
        }
        return parts.joined(separator: ", ")
    }
}

extension String {
    /// The bytes of lowercase hex with an even number of digits (the certificate's only
    /// spelling, so that one value has one encoding), or `nil`.
    var lowercaseHexBytes: [UInt8]? {
        let digits = Array(utf8)
        guard digits.count.isMultiple(of: 2), digits.count <= 1 << 16 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

extension AttestationPublicKey {
    /// `RSA 2048` or `ECC nistP256`, for reports.
    var summary: String {
        switch publicArea.key {
        case .rsa(_, _, let keyBits, _, _): "RSA \(keyBits)"
        case .ecc(_, _, let curve, _, _, _): "ECC \(curve)"
        }
    }
}
