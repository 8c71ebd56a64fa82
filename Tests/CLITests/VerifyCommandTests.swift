import Foundation
import Testing

/// `aicert verify` and `aicert inspect` run as a user runs them, on the committed fixtures.
@Suite(.timeLimit(.minutes(3)))
struct VerifyCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AICertVerifyTests/Fixtures")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    @Test func aValidCertificateExitsZeroWithOneLinePerCheck() throws {
        let result = try runAICert([
            "verify", fixture("certificate.json"), "--trust-root", fixture("root.pem"), "--allow-unmeasured-boot",
            "--artifact", fixture("artifacts/outputs"),
        ])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        for check in ["ak-chain", "quote-signature", "quote-content", "event-log", "boot-state", "policy", "artifacts"]
        {
            #expect(result.output.contains(check))
        }
        #expect(result.output.contains("✓ ak-chain"))
        #expect(result.output.contains("- boot-state"))
        #expect(result.output.contains("(development root)"))
        #expect(
            result.output.hasSuffix(
                "VALID, boot not measured (trust: development, root 'AICert Development Root CA')\n"))
    }

    @Test func aLocalCertificateWithoutTheUnmeasuredBootFlagExitsOneNamingBootState() throws {
        let result = try runAICert(["verify", fixture("certificate.json"), "--trust-root", fixture("root.pem")])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("✗ boot-state"))
        #expect(result.output.contains("INVALID: boot-state failed"))
        #expect(result.output.contains("--allow-unmeasured-boot"))
    }

    @Test func aMissingDevelopmentRootSaysWhereItIs() throws {
        let result = try runAICert(["verify", fixture("certificate.json"), "--allow-unmeasured-boot"])
        #expect(result.status == 1)
        #expect(result.output.contains("--trust-root"), "\(result.output)")
    }

    @Test func aCertificateWithAMemberGivenTwiceCannotBeVerified() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try String(contentsOf: URL(fileURLWithPath: fixture("certificate.json")), encoding: .utf8)
        let twice = directory.appendingPathComponent("twice.json")
        try text.replacingOccurrences(
            of: #""platform" : "local","#, with: #""platform" : "local", "platform" : "azure","#
        )
        .write(to: twice, atomically: true, encoding: .utf8)
        let duplicate = try runAICert(["verify", twice.path, "--trust-root", fixture("root.pem")])
        #expect(duplicate.status == 2)
        #expect(duplicate.errors.contains("'platform' is given twice"), "\(duplicate.errors)")
        let deep = directory.appendingPathComponent("deep.json")
        try
            (text.dropLast(2) + #", "x": "# + String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
            + "}\n")
            .write(to: deep, atomically: true, encoding: .utf8)
        let nested = try runAICert(["verify", deep.path, "--trust-root", fixture("root.pem")])
        #expect(nested.status == 2)
        #expect(nested.errors.contains("nests deeper than 64"), "\(nested.errors)")
    }

    @Test func aTamperedCertificateExitsOneAndNamesTheFailedCheck() throws {
        let result = try runAICert(["verify", fixture("tamper/pcr-value.json"), "--trust-root", fixture("root.pem")])
        #expect(result.status == 1)
        #expect(result.output.contains("✗ quote-content"))
        #expect(result.output.contains("INVALID: quote-content failed"))
    }

    @Test func jsonReportHasTheDocumentedShape() throws {
        let result = try runAICert([
            "verify", "--json", fixture("tamper/event-digest.json"), "--trust-root", fixture("root.pem"),
        ])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "valid", "verdict", "trust", "trust_root", "format", "platform", "checks", "inputs", "outputs",
            ])
        #expect(object["trust"] as? String == "development")
        #expect(object["verdict"] as? String == "INVALID")
        #expect(object["valid"] as? Bool == false)
        #expect(object["format"] as? String == "aicert/v1")
        let checks = try #require(object["checks"] as? [[String: String]])
        #expect(
            checks.map { $0["name"] ?? "" } == [
                "timestamp", "ak-chain", "quote-signature", "quote-content", "event-log", "boot-state", "policy",
                "artifacts",
            ])
        #expect(checks.first { $0["name"] == "event-log" }?["status"] == "fail")
        #expect(checks.first { $0["name"] == "event-log" }?["reason"] == "event-digest-mismatch")
    }

    @Test func whatCannotBeVerifiedExitsTwoWithAMessage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notJSON = directory.appendingPathComponent("not.json")
        try Data("hello".utf8).write(to: notJSON)
        let otherFormat = directory.appendingPathComponent("other.json")
        try Data(#"{"format": "aicert/v9"}"#.utf8).write(to: otherFormat)
        var certificate =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("certificate.json"))))
            as! [String: Any]
        var quote = certificate["quote"] as! [String: Any]
        quote["attest"] = nil
        certificate["quote"] = quote
        let missing = directory.appendingPathComponent("missing-field.json")
        try JSONSerialization.data(withJSONObject: certificate).write(to: missing)

        let cases: [([String], String)] = [
            (["verify", directory.appendingPathComponent("absent.json").path], "no such file"),
            (["verify", notJSON.path], "not valid JSON"),
            (["verify", otherFormat.path], "unknown format 'aicert/v9'"),
            (["verify", missing.path], "quote.attest: required field is missing"),
            (["verify", fixture("certificate.json"), "--at", "yesterday"], "--at 'yesterday'"),
            (["verify", fixture("certificate.json"), "--trust-root", notJSON.path], "--trust-root"),
            (["verify"], "Usage"),
        ]
        for (arguments, message) in cases {
            let result = try runAICert(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errors.contains(message), "\(arguments): \(result.errors)")
            #expect(!result.errors.contains("Fatal error"))
        }
    }

    @Test func aPolicyChecksBootStateAndRequiredInputs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("certificate.json"))))
            as! [String: Any]
        let pcrs = (certificate["pcrs"] as! [String: [String: String]])["sha256"]!
        let inputs = (certificate["summary"] as! [String: Any])["inputs"] as! [[String: Any]]
        let dataDigest = inputs.first { $0["name"] as? String == "data" }!["manifest_digest"] as! String
        let policy = directory.appendingPathComponent("policy.yaml")
        try """
        version: 1
        trusted_roots: [\(fixture("root.pem"))]
        platforms:
          local:
            pcrs:
              sha256:
                0: "\(pcrs["0"]!)"
                7: ["\(String(repeating: "0", count: 64))", "\(pcrs["7"]!)"]
        inputs:
          - name: data
            digest: "\(dataDigest)"
        """.write(to: policy, atomically: true, encoding: .utf8)
        let passing = try runAICert(["verify", fixture("certificate.json"), "--policy", policy.path])
        #expect(passing.status == 0, "\(passing.output)\(passing.errors)")
        #expect(passing.output.contains("✓ boot-state"))
        #expect(passing.output.contains("✓ policy"))

        let wrong = directory.appendingPathComponent("wrong.yaml")
        try """
        version: 1
        trusted_roots: [\(fixture("root.pem"))]
        inputs:
          - name: data
            digest: "\(String(repeating: "1", count: 64))"
        """.write(to: wrong, atomically: true, encoding: .utf8)
        let failing = try runAICert(["verify", fixture("certificate.json"), "--policy", wrong.path])
        #expect(failing.status == 1)
        #expect(failing.output.contains("✗ policy"))

        let typo = directory.appendingPathComponent("typo.yaml")
        try "version: 1\ninputz: []\n".write(to: typo, atomically: true, encoding: .utf8)
        let bad = try runAICert(["verify", fixture("certificate.json"), "--policy", typo.path])
        #expect(bad.status == 2)
        #expect(bad.errors.contains("typo.yaml:2: inputz: unknown key"), "\(bad.errors)")
    }

    @Test func aLegacyProofIsVerifiedThroughTheSameChecks() throws {
        let table =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected.json"))))
            as! [String: Any]
        let at =
            ((table["cases"] as! [[String: Any]]).first { $0["file"] as? String == "legacy/attestation.json" })!["at"]
            as! String
        let good = try runAICert([
            "verify", "--json", fixture("legacy/attestation.json"), "--trust-root", fixture("root.pem"), "--at", at,
            "--allow-unmeasured-boot",
        ])
        #expect(good.status == 0, "\(good.output)\(good.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "aicert-legacy")
        let bad = try runAICert([
            "verify", fixture("legacy/resettable-pcr.json"), "--trust-root", fixture("root.pem"), "--at", at,
        ])
        #expect(bad.status == 1)
        #expect(bad.output.contains("✗ event-log"))
        #expect(bad.output.contains("PCR 16"))
    }

    @Test func inspectShowsTheBillOfMaterialsWithoutClaimingValidity() throws {
        let result = try runAICert(["inspect", fixture("certificate.json")])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("not verified: run `aicert verify"))
        #expect(result.output.contains("python3 /aicert/inputs/code/train.py"))
        #expect(result.output.contains("[url] https://example.org/points.csv"))
        let json = try runAICert(["inspect", "--json", fixture("certificate.json")])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["verified"] as? Bool == false)
        #expect((object["summary"] as? [String: Any])?["exit_status"] as? Int == 0)
    }

    /// The fixture with `change` applied to its JSON, written to a temporary file.
    func alteredFixture(in directory: TemporaryDirectory, _ change: (inout [String: Any]) throws -> Void) throws
        -> String
    {
        var document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("certificate.json"))))
                as? [String: Any])
        try change(&document)
        let file = directory.url.appendingPathComponent("certificate.json")
        try JSONSerialization.data(withJSONObject: document).write(to: file)
        return file.path
    }

    @Test func inspectShowsTheBootChainOfACarriedFirmwareLog() throws {
        let directory = try TemporaryDirectory()
        let log = try Data(
            contentsOf: Self.fixtures.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("AICertCoreTests/Vectors/eventlogs/event-gce-ubuntu-2104-log.bin"))
        let path = try alteredFixture(in: directory) { $0["firmware_event_log"] = log.base64EncodedString() }
        let result = try runAICert(["inspect", path])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("boot:      firmware event log of 112 events"), "\(result.output)")
        #expect(result.output.contains("  firmware      GCE Virtual Firmware v1"))
        #expect(result.output.contains("  secure boot   disabled (PK 1, KEK 1, db 2, dbx 0 signatures)"))
        #expect(
            result.output.contains(
                "  application   PCR 4 \\EFI\\ubuntu\\shimx64.efi  sha256 "
                    + "d99c93fcb042dbe52707bbde371c75fcf081dd5b0c88a195d44cc57536f6f521"
            ))
        #expect(result.output.contains("  command line  /boot/vmlinuz-5.11.0-1008-gcp root=PARTUUID="))

        let json = try runAICert(["inspect", "--json", path])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let boot = try #require(object["boot"] as? [String: Any])
        #expect(boot["secure_boot"] as? String == "disabled")
        #expect(
            (boot["applications"] as? [[String: Any]])?.map { $0["path"] as? String } == [
                #"\EFI\ubuntu\shimx64.efi"#, #"\EFI\ubuntu\grubx64.efi"#,
            ])

        let broken = try alteredFixture(in: directory) {
            $0["firmware_event_log"] = Data(log.prefix(100)).base64EncodedString()
        }
        let unreadable = try runAICert(["inspect", broken])
        #expect(unreadable.status == 0)
        #expect(unreadable.output.contains("boot:      the firmware event log does not read ("), "\(unreadable.output)")
    }

    /// Strings from a certificate cannot drive the terminal or forge a line of the output.
    @Test func hostileTextIsPrintedEscaped() throws {
        let directory = try TemporaryDirectory()
        let path = try alteredFixture(in: directory) { document in
            var summary = try #require(document["summary"] as? [String: Any])
            var inputs = try #require(summary["inputs"] as? [[String: Any]])
            inputs[0]["source"] = "./code\u{1B}[2J\nVALID\u{202E}"
            summary["inputs"] = inputs
            document["summary"] = summary
            var log = try #require(document["event_log"] as? [[String: Any]])
            log[0]["content_type"] = "aicert/runner\u{1B}]0;owned\u{07}"
            document["event_log"] = log
        }
        for arguments in [["inspect", path], ["verify", path, "--trust-root", fixture("root.pem")]] {
            let result = try runAICert(arguments)
            #expect(
                !result.output.contains("\u{1B}") && !result.output.contains("\u{202E}"),
                "\(arguments[0]): \(result.output)")
            #expect(!result.output.split(separator: "\n").contains("VALID"), "\(arguments[0])")
        }
        #expect(try runAICert(["inspect", path]).output.contains(#"./code\u{1b}[2J\u{a}VALID\u{202e}"#))
    }
}
