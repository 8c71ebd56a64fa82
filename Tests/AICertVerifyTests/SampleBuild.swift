import AICertClient
import AICertCore
import AICertRunner
import AICertVerify
import Foundation
import SwiftASN1
import TPM2
import TPMTestSupport
import X509

/// A real certificate made against swtpm laid out like an Azure vTPM: the events of a small
/// build (two inputs, one output directory) extended into PCR 14 and 15 and quoted.
///
/// The runner's own pieces make it (EventRecorder, PlatformIdentity, Attestor), so what is
/// verified here is what the runner issues; only the job itself is not run.
struct SampleBuild: Sendable {
    let certificate: AICertificate
    let ca: DevelopmentCA
    /// The directory whose manifest is the build's output `outputs`.
    let outputs: URL
    let workspace: URL

    /// Everything a variant of the sample build may change.
    struct Recipe {
        var akTemplate = PublicArea.rsaAttestationKeyTemplate
        var platform: PlatformKind = .local
        /// The base image the runner event names, if any.
        var image: ImageIdentity? = nil
        /// A firmware event log to carry, and whether to extend its SHA-256 events into the TPM
        /// first (so that it replays to the quoted PCRs, as on a real measured boot).
        var firmwareLog: [UInt8]? = nil
        var extendFirmwareLog = true
        /// A TPM with seeds of its own, so that its attestation key differs from other samples'.
        var ownSeeds = false
        /// The runner's TLS key digest, named by the runner event and bound into the quote.
        var tlsKeyDigest: SHA256Hash? = SHA256Hash.of(Array("the sample runner's TLS key".utf8))
        /// Whether the quote binds another TLS key than the runner event names, as a runner
        /// relaying its quotes to another channel would.
        var quoteBindsAnotherTLSKey = false
        /// Extra events recorded (extended into the TPM) just before the launch separator.
        var extraInputEvents: [(EventType, JSONValue)] = []
        /// PCRs to quote instead of 0–15, for a signed quote with the wrong selection.
        var quotedPCRs: [Int]? = nil
        var akValidity: (notBefore: Date, notAfter: Date) = (
            Date().addingTimeInterval(-3600), Date().addingTimeInterval(365 * 86_400)
        )
    }

    static let nonce = Array(repeating: UInt8(0xA5), count: 32)

    init(_ recipe: Recipe = Recipe(), ca: DevelopmentCA? = nil) throws {
        let ca = try ca ?? DevelopmentCA()
        self.ca = ca
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-sample-\(UUID().uuidString)")
        ProcessTemporaryFiles.removeAtExit(workspace)
        let code = workspace.appendingPathComponent("code")
        let data = workspace.appendingPathComponent("data")
        let outputs = workspace.appendingPathComponent("outputs")
        self.outputs = outputs
        for directory in [code, data, outputs.appendingPathComponent("checkpoints")] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try Data("print('train')\n".utf8).write(to: code.appendingPathComponent("train.py"))
        try Data("x,y\n1,2\n3,4\n".utf8).write(to: data.appendingPathComponent("points.csv"))
        try Data((0..<4096).map { UInt8($0 % 251) }).write(to: outputs.appendingPathComponent("model.bin"))
        try Data(#"{"loss": 0.25}"#.utf8).write(to: outputs.appendingPathComponent("metrics.json"))
        try Data("step 10\n".utf8).write(to: outputs.appendingPathComponent("checkpoints/10.txt"))

        let tpm = try SoftwareTPM(ownSeeds: recipe.ownSeeds)
        defer { tpm.stop() }
        let certificate = try tpm.withClient { client in
            _ = try VirtualTPMLayout.provision(
                client, ca: ca, template: recipe.akTemplate, notBefore: recipe.akValidity.notBefore,
                notAfter: recipe.akValidity.notAfter)
            if let log = recipe.firmwareLog, recipe.extendFirmwareLog {
                for event in try FirmwareEventLog(bytes: log).events where event.isExtended {
                    if let digest = event.digest(for: .sha256) { try client.extendPCR(event.pcr, digest: digest) }
                }
            }
            let recorder = EventRecorder(tpm: client)
            try recorder.record(
                .runner,
                BuildEvents.runner(
                    name: "aicert-runner", version: "0.1.0", executableSHA256: String(repeating: "5e", count: 32),
                    platform: recipe.platform, image: recipe.image, tlsKeyDigest: recipe.tlsKeyDigest))
            try recorder.record(
                .buildSpec,
                BuildEvents.buildSpec(
                    command: ["python3", "/aicert/inputs/code/train.py"], environment: ["SEED": "7"],
                    outputs: ["**"], timeoutSeconds: 600))
            let codeManifest = try Manifest.measure(code.path)
            let dataManifest = try Manifest.measure(data.path)
            try recorder.record(
                .input,
                BuildEvents.input(InputSummary(name: "code", kind: .upload, source: "./code", manifest: codeManifest)))
            try recorder.record(
                .input,
                BuildEvents.input(
                    InputSummary(
                        name: "data", kind: .url, source: "https://example.org/points.csv", manifest: dataManifest)))
            try recorder.record(.environment, BuildEvents.environment(["sandbox": "bubblewrap", "network": "none"]))
            for (type, content) in recipe.extraInputEvents { try recorder.record(type, content) }
            try recorder.record(.launch, BuildEvents.launch)
            let outputManifest = try Manifest.measure(outputs.path)
            try recorder.record(.output, BuildEvents.output(OutputSummary(name: "outputs", manifest: outputManifest)))
            try recorder.record(.result, BuildEvents.result(exitStatus: 0, durationMilliseconds: 1234))

            let identity = try PlatformIdentity.read(from: client, intermediates: [try ca.intermediate.derBytes])
            var certificate = try Attestor(
                platform: recipe.platform.rawValue, identity: identity,
                tlsKeyDigest: recipe.quoteBindsAnotherTLSKey
                    ? SHA256Hash.of(Array("another channel's TLS key".utf8)) : recipe.tlsKeyDigest
            ).certificate(
                tpm: client, nonce: Self.nonce, records: recorder.records,
                manifests: .init(
                    inputs: ["code": codeManifest, "data": dataManifest], outputs: ["outputs": outputManifest]),
                firmwareEventLog: recipe.firmwareLog)
            if let pcrs = recipe.quotedPCRs {
                let qualifyingData =
                    recipe.tlsKeyDigest.map { ChannelBinding.qualifyingData(nonce: Self.nonce, keyDigest: $0) }
                    ?? Self.nonce
                let quote = try client.quote(signingKey: .attestationKey, nonce: qualifyingData, pcrs: pcrs)
                var signature = TPMWriter()
                quote.signature.encode(into: &signature)
                certificate.quote = .init(attest: quote.attestation, signature: signature.bytes)
                certificate.pcrs["sha256"] = certificate.pcrs["sha256"]?.filter { pcrs.contains(Int($0.key)!) }
            }
            return certificate
        }
        self.certificate = certificate
    }

    /// The sample's AK certified by its CA for TLS servers instead of attestation: a certificate
    /// of the right key for the wrong purpose.
    func akCertificateForTLSOnly() throws -> Certificate {
        let leaf = try Certificate(derEncoded: certificate.attestationKey.certificateChain[0].bytes)
        var spki = DER.Serializer()
        try spki.serialize(leaf.publicKey)
        return try ca.issueAttestationKeyCertificate(
            subjectPublicKeyInfo: spki.serializedBytes, commonName: "no AK purpose", purposes: [.serverAuth])
    }

    /// Removes the sample's files.
    func remove() {
        try? FileManager.default.removeItem(at: workspace)
    }
}
