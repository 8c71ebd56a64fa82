import AICertCore
import AICertVerify
import Foundation

/// One build on a running platform, from the identity check to the verified certificate.
///
/// Order matters for what the builder risks: the runner's identity is verified before any
/// byte of the build leaves this machine, and the certificate is verified, against the
/// platform's roots and the downloaded outputs, before it is written as `certificate.json`.
struct BuildSession {
    /// What a successful build gives.
    struct Outcome: Sendable {
        let identity: IdentityVerifier.Accepted
        let status: RunnerAPI.BuildStatus
        let certificate: AICertificate
        let report: VerificationReport
    }

    /// The runner's client: not pinned until the runner's identity verifies, then pinned to the
    /// TLS key that identity bound, for the rest of the session.
    var client: RunnerClient
    let platform: RunningPlatform
    let plan: BuildPlan
    /// The TSA to time-stamp the certificate with, if any.
    let timestamping: Timestamping?
    let directory: OutputDirectory
    let display: ProgressDisplay
    /// Where the job's log is echoed live: standard output, or standard error with `--json`.
    let logEcho: FileHandle

    /// Runs the build; the output directory is marked incomplete until the certificate is
    /// written, and keeps the mark with the reason when the run fails.
    func run() async throws -> Outcome {
        try directory.prepare()
        do {
            let outcome = try await build()
            try directory.markComplete()
            return outcome
        } catch {
            directory.markFailed((error as? RunFailure)?.reason ?? "\(error)")
            throw error
        }
    }

    private func build() async throws -> Outcome {
        // Measured before the build exists: an unreadable input must not cost a remote runner
        // its one build per TPM reset.
        var measured: [(upload: BuildPlan.Upload, manifest: Manifest)] = []
        for upload in plan.uploads { measured.append((upload, try await measure(upload))) }
        let verified = try await verifyIdentity()
        var session = self
        session.client = verified.client
        do {
            let outcome = try await session.build(measured, identity: verified.accepted, runner: verified.runner)
            await verified.client.close()
            return outcome
        } catch {
            await verified.client.close()
            throw error
        }
    }

    /// The build once the runner's identity has verified and `client` is pinned to its TLS key.
    private func build(
        _ measured: [(upload: BuildPlan.Upload, manifest: Manifest)], identity: IdentityVerifier.Accepted,
        runner attestationKey: (key: AICertificate.AttestationKey, platform: String)
    ) async throws -> Outcome {
        try await runner("create the build") { _ = try await client.createBuild(plan.spec) }
        for (upload, expected) in measured { try await send(upload, expected: expected) }
        try await runner("start the build") { _ = try await client.start() }
        display.step("build started; the job's output follows")
        try await streamLog()
        let status = try await runner("read the build's status", measuring: true) { try await client.waitUntilEnded() }
        try check(status)

        let manifest = try await runner("read the outputs manifest", measuring: true) {
            try await client.outputsManifest()
        }
        let staging = directory.stagingForOutputs()
        defer { try? FileManager.default.removeItem(at: staging) }
        try await runner("download the outputs", measuring: true) {
            try await OutputDownload.download(manifest, with: client, into: staging, display: display)
        }

        let nonce = Nonce.fresh()
        var certificate = try await runner("issue the certificate", measuring: true) {
            try await client.attestation(nonce: nonce.bytes)
        }
        guard certificate.nonce == nonce.hex else {
            throw RunFailure(.verification, "the certificate does not carry the nonce we sent: it may be a replay")
        }
        // The key and platform we checked before sending anything, not a key the runner swapped in.
        guard certificate.attestationKey == attestationKey.key, certificate.platform == attestationKey.platform else {
            throw RunFailure(
                .verification,
                "the certificate is signed by another attestation key or platform than the runner's verified identity")
        }
        // The channel the certificate says the inputs came over is the one we pinned.
        guard ChannelBinding.keyDigest(in: certificate.eventLog) == client.pin?.keyDigest else {
            throw RunFailure(
                .verification, "the certificate names another TLS channel than the one its inputs were sent over")
        }
        var timestampFailure: String?
        if let timestamping {
            switch await timestamp(certificate, with: timestamping) {
            case .success(let token): certificate.timestampToken = token
            case .failure(let failure): timestampFailure = failure.description
            }
        }
        let data = try certificate.jsonData()
        // The boot is the verifier's to judge: a build's own check accepts an unmeasured one, and
        // the summary then says so and prints the verify command with --allow-unmeasured-boot.
        // Without a TSA root, the token was checked as it came (digest, nonce) and is left out here.
        var checked = certificate
        if timestamping?.roots.isEmpty ?? true { checked.timestampToken = nil }
        let report = await CertificateVerifier.verify(
            checked,
            options: VerificationOptions(
                trustRoots: platform.trustRoots, knownImages: (try? RegisteredImages.load()) ?? [],
                allowUnmeasuredBoot: true, artifacts: [staging.path], timestampRoots: timestamping?.roots ?? []))
        guard report.valid else {
            try? directory.writeAtomically(data, to: directory.rejectedCertificate)
            let failure = report.firstFailure.map { "\($0.name.rawValue): \($0.detail)" } ?? "no check passed"
            throw RunFailure(
                .verification,
                "the certificate does not verify (\(failure)); it is kept as "
                    + "\(directory.shown(directory.rejectedCertificate))"
            )
        }
        try directory.publishOutputs(from: staging)
        if let root = platform.developmentRoot {
            try directory.writeAtomically(Data(try root.pemString.utf8), to: directory.developmentRoot)
        }
        if let timestampFailure, let url = timestamping?.authority.url.absoluteString {
            // Nothing is lost: the outputs and the verified certificate stay, under a name that
            // says what it lacks; `aicert timestamp` adds the token once the TSA answers.
            try directory.writeAtomically(data, to: directory.unstampedCertificate)
            let unstamped = directory.shown(directory.unstampedCertificate)
            throw RunFailure(
                .platform,
                "no time-stamp token: \(timestampFailure). The outputs are in \(directory.shown(directory.outputs)) "
                    + "and the verified certificate without a token is \(unstamped); add one with "
                    + "`aicert timestamp \(unstamped) --tsa \(url) --output "
                    + "\(directory.shown(directory.certificate))` (--tsa-optional goes on without one)")
        }
        try directory.writeAtomically(data, to: directory.certificate)
        return Outcome(identity: identity, status: status, certificate: certificate, report: report)
    }

    /// A token from the TSA over the quote's signature, or why there is none. With
    /// `--tsa-optional`, a failure is shown and the run goes on without a token.
    private func timestamp(_ certificate: AICertificate, with timestamping: Timestamping) async
        -> Result<Base64Bytes?, TimestampAuthority.Failure>
    {
        let url = timestamping.authority.url.absoluteString
        display.update("asking \(url) for a time-stamp token")
        do {
            let token = try await timestamping.authority.token(over: certificate.quote.signature.bytes)
            display.step("time-stamped by \(url)")
            return .success(Base64Bytes(token))
        } catch {
            guard timestamping.optional else {
                display.clear()
                return .failure(error)
            }
            display.step("no time-stamp token (\(error)); going on without one (--tsa-optional)")
            return .success(nil)
        }
    }

    /// What an identity check gives: what was accepted, the attestation key and platform the
    /// certificate must then have, and the client pinned to the runner's TLS key.
    private struct VerifiedRunner {
        let accepted: IdentityVerifier.Accepted
        let runner: (key: AICertificate.AttestationKey, platform: String)
        let client: RunnerClient
    }

    /// Fetches the runner's identity with a fresh nonce over a new connection and verifies it,
    /// with the binding of its quote to that connection's TLS key; then pins that key.
    private func verifyIdentity() async throws -> VerifiedRunner {
        let nonce = Nonce.fresh()
        let (identity, pin) = try await runner("send its identity") { try await client.identity(nonce: nonce.bytes) }
        do {
            let accepted = try await IdentityVerifier.verify(
                identity, nonce: nonce.bytes, channelKeyDigest: pin?.keyDigest,
                trustStore: TrustStore(roots: TrustStore.builtIn.roots + platform.trustRoots),
                platform: platform.kind == .remote ? nil : platform.kind,
                knownImages: (try? RegisteredImages.load()) ?? [])
            display.step(
                "runner verified: its AK certificate chains to '\(accepted.root)', PCRs 14 and 15 are zero"
                    + (pin.map { " and its quote binds TLS key \($0.keyDigest.hex.prefix(16))…" } ?? ""))
            let pinned = try pin.map { try client.pinned(to: $0) } ?? client
            return VerifiedRunner(
                accepted: accepted, runner: (identity.attestationKey, identity.platform), client: pinned)
        } catch let error as IdentityVerificationError {
            throw RunFailure(.verification, "\(error); nothing was sent to it")
        }
    }

    /// The manifest the runner must measure for a local input: its tree, or the one file under
    /// the input's name.
    private func measure(_ upload: BuildPlan.Upload) async throws -> Manifest {
        let display = display
        let name = upload.name
        do {
            let local = try await Manifest.measure(upload.url.path) { progress in
                let share = progress.bytesTotal == 0 ? 100 : progress.bytesDone * 100 / progress.bytesTotal
                display.update("hashing \(name): \(progress.filesDone) of \(progress.filesTotal) files (\(share)%)")
            }
            return upload.isDirectory
                ? local : try Manifest(entries: local.entries.map { ManifestEntry(path: name, kind: $0.kind) })
        } catch {
            throw RunFailure(.input, "input \(name) (\(upload.url.path)) cannot be measured: \(error)")
        }
    }

    /// Uploads a measured local input and checks that the runner measured the same.
    private func send(_ upload: BuildPlan.Upload, expected: Manifest) async throws {
        let name = upload.name
        display.update(
            "uploading \(name): \(expected.entries.count) entries, \(ProgressDisplay.size(expected.totalFileBytes))")
        let display = display
        let result = try await runner("receive input \(name)") {
            try await client.uploadInput(name, from: upload.url, retries: RunnerClient.Retries()) {
                display.step($0)
            }
        }
        guard result.manifestDigest == expected.digest.hex else {
            throw RunFailure(
                .platform,
                "the runner measured input \(name) as \(result.manifestDigest), but it is \(expected.digest.hex) here; "
                    + "did it change during the upload?"
            )
        }
        display.step(
            "uploaded \(name): \(result.files) file\(result.files == 1 ? "" : "s"), "
                + "\(ProgressDisplay.size(UInt64(max(result.bytes, 0)))), manifest \(result.manifestDigest)"
        )
    }

    /// Echoes the job's output as it arrives and keeps it in `job.log`.
    private func streamLog() async throws {
        guard FileManager.default.createFile(atPath: directory.jobLog.path, contents: nil),
            let log = FileHandle(forWritingAtPath: directory.jobLog.path)
        else {
            throw RunFailure(.platform, "cannot write \(directory.shown(directory.jobLog))")
        }
        defer { try? log.close() }
        try await runner("stream the job's log", measuring: true) {
            for try await chunk in try await client.logs(follow: true) {
                Console.write(Data(chunk), to: log)
                Console.write(Data(chunk), to: logEcho)
            }
        }
    }

    /// A failed build is the platform's fault; a job that exited non-zero or timed out is the job's.
    private func check(_ status: RunnerAPI.BuildStatus) throws {
        if status.state == .failed {
            let reason = status.error.map { "\($0.error): \($0.detail)" } ?? "no reason given"
            throw RunFailure(.platform, "the runner could not complete the build: \(reason)")
        }
        if status.timedOut == true {
            throw RunFailure(
                .job, "the job ran out of time (build.timeout); its log is in \(directory.shown(directory.jobLog))")
        }
        if let exit = status.exitStatus, exit != 0 {
            throw RunFailure(
                .job, "the job failed with exit status \(exit); its log is in \(directory.shown(directory.jobLog))")
        }
    }

    /// Runs one exchange with the runner; its failures become platform failures naming the step.
    /// `measuring` says the build has started, so the runner's TPM has measured it: a runner
    /// that stops answering then cannot take the build again, and the message says what to do.
    private func runner<T>(_ step: String, measuring: Bool = false, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RunFailure {
            throw error
        } catch {
            display.clear()
            if measuring, (try? await client.health()) == nil {
                let reason = (error as? RunnerClientError)?.detail ?? "\(error)"
                throw RunFailure(
                    .platform,
                    "the runner stopped answering when it was to \(step) (\(reason.prefix(160))). Its TPM has "
                        + "measured this build (PCRs 14 and 15 are no longer zero), so it takes no other: "
                        + (platform.kind == .local
                            ? "run `aicert run` again, which starts a fresh one"
                            : "restart its machine before the next run")
                        + ". The job's log so far is in \(directory.shown(directory.jobLog))")
            }
            throw RunFailure(.platform, "the runner did not \(step): \(error)")
        }
    }
}
