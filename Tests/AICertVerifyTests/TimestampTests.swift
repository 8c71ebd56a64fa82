import AICertClient
import AICertCore
import AICertVerify
import Crypto
import Foundation
import TPMTestSupport
import Testing
import X509

/// RFC 3161 tokens from OpenSSL's TSA: a valid one moves the AK chain's check to its time; each
/// way a token can be wrong fails `timestamp`, naming why.
@Suite(.timeLimit(.minutes(3)))
struct TimestampTests {
    /// A certificate whose AK certificate is valid from an hour ago to an hour from now.
    static func sample(akValidity: (Date, Date)? = nil) throws -> SampleBuild {
        var recipe = SampleBuild.Recipe()
        recipe.akValidity = akValidity ?? (Date().addingTimeInterval(-3600), Date().addingTimeInterval(3600))
        return try SampleBuild(recipe)
    }

    static func stamp(
        _ certificate: AICertificate, by tsa: OpenSSLTimestampAuthority, withoutPurpose: Bool = false
    ) throws -> AICertificate {
        var stamped = certificate
        let imprint = Array(SHA256.hash(data: certificate.quote.signature.bytes))
        stamped.timestampToken = Base64Bytes(try tsa.token(over: imprint, withoutPurpose: withoutPurpose))
        return stamped
    }

    static func verify(
        _ certificate: AICertificate, sample: SampleBuild, tsa: OpenSSLTimestampAuthority?, at time: Date? = nil
    ) async throws -> VerificationReport {
        let roots = try tsa.map { try TrustStore.certificates(in: Data(contentsOf: $0.root), source: "tsa") } ?? []
        return await CertificateVerifier.verify(
            certificate,
            options: VerificationOptions(
                trustRoots: [sample.ca.root], allowUnmeasuredBoot: true, validationTime: time, timestampRoots: roots))
    }

    @Test func aStampedCertificateVerifiesAfterItsAKCertificateExpired() async throws {
        let sample = try Self.sample()
        defer { sample.remove() }
        let tsa = try OpenSSLTimestampAuthority()
        defer { tsa.remove() }
        let later = Date().addingTimeInterval(2 * 3600)

        let unstamped = try await Self.verify(sample.certificate, sample: sample, tsa: tsa, at: later)
        #expect(unstamped.check(.akChain)?.reason == .certificateExpired, "\(unstamped.checks)")
        #expect(unstamped.check(.timestamp)?.status == .skip)

        let stamped = try await Self.verify(
            try Self.stamp(sample.certificate, by: tsa), sample: sample, tsa: tsa, at: later)
        #expect(stamped.valid, "\(stamped.checks)")
        #expect(stamped.check(.timestamp)?.status == .pass)
        #expect(stamped.timestamp?.authority.contains("AICert Test TSA") == true)
        #expect(abs(stamped.timestamp?.time.timeIntervalSinceNow ?? 1e9) < 600)
        #expect(stamped.check(.akChain)?.detail.contains("the time-stamp token's time") == true)
    }

    @Test func eachWrongTokenFailsNamingWhy() async throws {
        let sample = try Self.sample()
        defer { sample.remove() }
        let tsa = try OpenSSLTimestampAuthority()
        defer { tsa.remove() }
        let otherTSA = try OpenSSLTimestampAuthority()
        defer { otherTSA.remove() }
        let stamped = try Self.stamp(sample.certificate, by: tsa)

        var otherSignature = stamped
        otherSignature.quote.signature.bytes[otherSignature.quote.signature.bytes.count - 1] ^= 0x01
        let token = try #require(stamped.timestampToken?.bytes)
        var byteChanged = stamped
        byteChanged.timestampToken = Base64Bytes(token.dropLast() + [token[token.count - 1] ^ 0x01])
        var truncated = stamped
        truncated.timestampToken = Base64Bytes(Array(token.dropLast(10)))
        let cases: [(String, AICertificate, OpenSSLTimestampAuthority?, CheckReason)] = [
            ("a token over another signature", otherSignature, tsa, .timestampImprintMismatch),
            ("a token from an untrusted TSA", stamped, otherTSA, .timestampUntrusted),
            ("no TSA root configured", stamped, nil, .timestampUntrusted),
            (
                "a signer without the timeStamping purpose",
                try Self.stamp(sample.certificate, by: tsa, withoutPurpose: true), tsa,
                .timestampPurposeMissing
            ),
            ("one byte of the token changed", byteChanged, tsa, .timestampSignatureInvalid),
            ("a truncated token", truncated, tsa, .timestampMalformed),
        ]
        for (label, certificate, roots, reason) in cases {
            let report = try await Self.verify(certificate, sample: sample, tsa: roots)
            #expect(!report.valid, "\(label)")
            #expect(report.check(.timestamp)?.status == .fail, "\(label): \(report.checks)")
            #expect(report.check(.timestamp)?.reason == reason, "\(label): \(report.checks)")
        }
    }

    @Test func aGenTimeOutsideTheAKCertificatesValidityFailsTheChain() async throws {
        let sample = try Self.sample(akValidity: (Date().addingTimeInterval(3600), Date().addingTimeInterval(7200)))
        defer { sample.remove() }
        let tsa = try OpenSSLTimestampAuthority()
        defer { tsa.remove() }
        let during = Date().addingTimeInterval(5400)
        let unstamped = try await Self.verify(sample.certificate, sample: sample, tsa: tsa, at: during)
        #expect(unstamped.check(.akChain)?.status == .pass, "\(unstamped.checks)")
        let report = try await Self.verify(
            try Self.stamp(sample.certificate, by: tsa), sample: sample, tsa: tsa, at: during)
        #expect(report.check(.timestamp)?.status == .pass, "\(report.checks)")
        #expect(report.check(.akChain)?.reason == .certificateExpired, "\(report.checks)")
        #expect(report.check(.akChain)?.detail.contains("not yet valid") == true)
    }

    /// A hostile token: every byte changed in turn parses or is refused, never traps, and whatever
    /// the change, the check ends as a pass or a `timestamp-*` failure.
    @Test func everyChangedByteOfATokenEndsAsAReasonNeverACrash() async throws {
        let sample = try Self.sample()
        defer { sample.remove() }
        let tsa = try OpenSSLTimestampAuthority()
        defer { tsa.remove() }
        let stamped = try Self.stamp(sample.certificate, by: tsa)
        let token = try #require(stamped.timestampToken?.bytes)
        let roots = try TrustStore.certificates(in: Data(contentsOf: tsa.root), source: "tsa")
        let signature = stamped.quote.signature.bytes
        var reasons: Set<CheckReason> = []
        for index in token.indices {
            var changed = token
            changed[index] ^= 0x5A
            switch await TimestampVerifier.verify(token: changed, signature: signature, roots: roots) {
            case .success: reasons.insert(.ok)
            case .failure(let failure): reasons.insert(failure.reason)
            }
        }
        #expect(reasons.allSatisfy { $0 == .ok || $0.rawValue.hasPrefix("timestamp-") }, "\(reasons)")
        #expect(reasons.contains(.timestampMalformed) && reasons.contains(.timestampSignatureInvalid))
    }
}
