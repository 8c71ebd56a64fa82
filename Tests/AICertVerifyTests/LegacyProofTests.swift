import AICertClient
import AICertCore
import AICertVerify
import Crypto
import Foundation
import TPM2
import TPMTestSupport
import Testing
import X509

/// Proof files of the original AICert, made for real: events extended into swtpm, the quote,
/// signature and PCR file written by `tpm2_quote`, the chain from the development CA.
@Suite(.timeLimit(.minutes(2)))
struct LegacyProofTests {
    struct Made: Sendable {
        var data: Data
        var root: Certificate
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
    }

    static let events = [#"{"event": "input", "hash": "ab12"}"#, #"{"event": "output", "hash": "cd34"}"#]

    /// A legacy proof whose events were extended into `pcr`.
    static func make(eventsIn pcr: Int, ca: DevelopmentCA? = nil) throws -> Made {
        let ca = try ca ?? DevelopmentCA()
        let tpm = try SoftwareTPM()
        defer { tpm.stop() }
        let ak = try tpm.withClient { client in
            let ak = try VirtualTPMLayout.provision(client, ca: ca)
            for event in events {
                try client.extendPCR(pcr, digest: Array(SHA256.hash(data: Array(event.utf8))))
            }
            return ak
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let quoted = try tpm.tpm2(
            "tpm2_quote",
            [
                "-c", Handle.attestationKey.description, "-l",
                "sha256:" + (0...16).map(String.init).joined(separator: ","),
                "-q", "0011223344556677", "-m", path("message"), "-s", path("signature"), "-o", path("pcr"), "-g",
                "sha256",
            ])
        try #require(quoted.status == 0, "\(quoted.output)")
        func blob(_ name: String) throws -> [String: String] {
            ["base64": try Data(contentsOf: URL(fileURLWithPath: path(name))).base64EncodedString()]
        }
        let json: [String: Any] = [
            "ca_cert": "-----BEGIN CERTIFICATE-----\nnot checked\n-----END CERTIFICATE-----\n",
            "event_log": events,
            "remote_attestation": [
                "quote": ["message": try blob("message"), "signature": try blob("signature"), "pcr": try blob("pcr")],
                "cert_chain": [
                    ["base64": Data(try ak.certificate.derBytes).base64EncodedString()],
                    ["base64": Data(try ca.intermediate.pemString.utf8).base64EncodedString()],
                ],
            ],
        ]
        return Made(data: try JSONSerialization.data(withJSONObject: json), root: ca.root)
    }

    static let inPCR15 = Result { try make(eventsIn: 15) }

    func verify(_ json: [String: Any], root: Certificate) async throws -> VerificationReport {
        let proof = try LegacyProof(json: try JSONSerialization.data(withJSONObject: json))
        return await LegacyVerifier.verify(
            proof, options: VerificationOptions(trustRoots: [root], allowUnmeasuredBoot: true))
    }

    /// `json` with `body` applied to the bytes of base64 member `key` of the quote.
    func tamperingQuote(_ json: [String: Any], _ key: String, _ body: (inout [UInt8]) -> Void) -> [String: Any] {
        var json = json
        var attestation = json["remote_attestation"] as! [String: Any]
        var quote = attestation["quote"] as! [String: [String: String]]
        var bytes = [UInt8](Data(base64Encoded: quote[key]!["base64"]!)!)
        body(&bytes)
        quote[key] = ["base64": Data(bytes).base64EncodedString()]
        attestation["quote"] = quote
        json["remote_attestation"] = attestation
        return json
    }

    @Test func aRealLegacyProofVerifiesAndNamesThePCRItsLogReplaysTo() async throws {
        let made = try Self.inPCR15.get()
        let report = try await verify(made.json, root: made.root)
        #expect(report.valid, "\(report.checks)")
        #expect(report.format == "aicert-legacy")
        #expect(report.check(.eventLog)?.detail == "2 events replay to PCR 15")
        #expect(report.check(.quoteContent)?.status == .warn)
        #expect(report.check(.akChain)?.status == .pass)
    }

    @Test func aLogThatReplaysOnlyToResettablePCR16Fails() async throws {
        let made = try Self.make(eventsIn: 16)
        let report = try await verify(made.json, root: made.root)
        #expect(!report.valid)
        #expect(report.check(.eventLog)?.status == .fail)
        #expect(report.check(.eventLog)?.detail.contains("PCR 16") == true)
    }

    @Test func aChangedEventFailsTheEventLog() async throws {
        let made = try Self.inPCR15.get()
        var json = made.json
        json["event_log"] = [Self.events[0], #"{"event": "output", "hash": "ffff"}"#]
        let report = try await verify(json, root: made.root)
        #expect(report.check(.eventLog)?.status == .fail)
        #expect(report.check(.eventLog)?.detail.contains("no quoted SHA-256 PCR") == true)
    }

    @Test func aChangedMessageByteFailsTheSignature() async throws {
        let made = try Self.inPCR15.get()
        let report = try await verify(tamperingQuote(made.json, "message") { $0[$0.count - 5] ^= 1 }, root: made.root)
        #expect(report.check(.quoteSignature)?.status == .fail)
    }

    @Test func aChangedPCRFileValueFailsTheQuoteContent() async throws {
        let made = try Self.inPCR15.get()
        let report = try await verify(
            tamperingQuote(made.json, "pcr") { $0[4 + 16 * 8 + 4 + 4 + 2 + 10] ^= 1 }, root: made.root)
        #expect(report.check(.quoteSignature)?.status == .pass)
        #expect(report.check(.quoteContent)?.status == .fail)
    }

    @Test func anUntrustedChainFailsTheChain() async throws {
        let made = try Self.inPCR15.get()
        let report = try await verify(made.json, root: try DevelopmentCA().root)
        #expect(report.check(.akChain)?.status == .fail)
    }

    @Test func missingMembersAreNamed() throws {
        var json = try Self.inPCR15.get().json
        var attestation = json["remote_attestation"] as! [String: Any]
        attestation["cert_chain"] = nil
        json["remote_attestation"] = attestation
        #expect(throws: CertificateFormatError(field: "remote_attestation.cert_chain", "required array is missing")) {
            try LegacyProof(json: try JSONSerialization.data(withJSONObject: json))
        }
    }
}
