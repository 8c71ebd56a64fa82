import AICertCore
import Foundation
import Glibc
import TPM2

/// The runner: one TPM, one workspace, at most one build, driven through its states by the
/// routes. Every TPM command goes through this actor, one at a time.
actor Runner {
    let limits: RunnerLimits
    private let connection: TPMConnection
    private let tpm: TPMClient
    private let attestor: Attestor
    private let runnerEvent: JSONValue
    private let firmwareLog: String?
    private let workspace: Workspace
    private let bubblewrap: Bubblewrap
    private var build: Build?
    /// Uploads in progress or broken off, by input name.
    private var partialUploads: [String: PartialUpload] = [:]
    private var execution: Task<Void, Never>?

    /// Opens the TPM and refuses unless PCRs 14 and 15 are still zero (a runner restarted after
    /// a partial build refuses here) and the boot is what the configuration expects, reads the
    /// platform identity, prepares the workspace and checks that bubblewrap can make a sandbox.
    /// `tlsKeyDigest` is the digest of the TLS key served, signed into the runner event and
    /// bound into every quote with its nonce; `nil` over plain HTTP in tests.
    static func open(_ configuration: RunnerConfiguration, tlsKeyDigest: SHA256Hash?) async throws -> Runner {
        let connection = try TPMConnection(tcti: configuration.tcti)
        do {
            let tpm = TPMClient(transport: connection)
            try tpm.startup()
            try BuildSlot.requireFresh(tpm)
            if let expectation = configuration.bootExpectation {
                try expectation.check(
                    await BootEvidence.read(
                        tpm: tpm, firmwareLog: configuration.firmwareLog ?? FirmwareLogSource.kernelPath))
            }
            let identity = try PlatformIdentity.read(from: tpm, intermediates: configuration.intermediates)
            let workspace = try Workspace(creatingAt: configuration.workspace)
            let bubblewrap = try await Bubblewrap.locate(workspace: workspace)
            return Runner(
                limits: configuration.limits, connection: connection, tpm: tpm,
                attestor: Attestor(
                    platform: configuration.platform.rawValue, identity: identity, tlsKeyDigest: tlsKeyDigest),
                runnerEvent: try RunnerEvent.content(
                    platform: configuration.platform, image: configuration.image, tlsKeyDigest: tlsKeyDigest),
                firmwareLog: configuration.firmwareLog, workspace: workspace, bubblewrap: bubblewrap)
        } catch {
            connection.close()
            throw error
        }
    }

    private init(
        limits: RunnerLimits, connection: TPMConnection, tpm: TPMClient, attestor: Attestor, runnerEvent: JSONValue,
        firmwareLog: String?, workspace: Workspace, bubblewrap: Bubblewrap
    ) {
        self.limits = limits
        self.connection = connection
        self.tpm = tpm
        self.attestor = attestor
        self.runnerEvent = runnerEvent
        self.firmwareLog = firmwareLog
        self.workspace = workspace
        self.bubblewrap = bubblewrap
    }

    /// Kills a running job and closes the TPM connection.
    func shutdown() async {
        execution?.cancel()
        await execution?.value
        // Followers of a build that never ran would otherwise wait for ever.
        build?.log.finish()
        connection.close()
    }

    // MARK: Identity and attestation

    func identity(nonce: [UInt8]) throws -> RunnerIdentity {
        let firmwareEventLog = firmwareLog.flatMap { FirmwareLogSource.read(path: $0) }
        return try tpmCall {
            try attestor.identityDocument(
                tpm: tpm, nonce: nonce, runner: runnerEvent, firmwareEventLog: firmwareEventLog)
        }
    }

    func certificate(nonce: [UInt8]) throws -> AICertificate {
        let build = try current()
        guard build.state == .finished, let recorder = build.recorder, let outputs = build.outputs else {
            throw RunnerFailure(
                .wrongState, "the build is \(build.state.rawValue); a certificate is issued once it has finished")
        }
        let manifests = AICertificate.Manifests(inputs: build.inputManifests, outputs: [Self.outputName: outputs])
        let firmwareEventLog = firmwareLog.flatMap { FirmwareLogSource.read(path: $0) }
        return try tpmCall {
            try attestor.certificate(
                tpm: tpm, nonce: nonce, records: recorder.records, manifests: manifests,
                firmwareEventLog: firmwareEventLog)
        }
    }

    // MARK: The build

    /// The one output of a build: everything selected under `/aicert/outputs`.
    static let outputName = "outputs"

    func createBuild(_ spec: BuildSpec) throws -> RunnerAPI.BuildStatus {
        guard build == nil else {
            throw RunnerFailure(.buildExists, "this runner already has a build; it runs one build per TPM reset")
        }
        let log = try JobLog(path: workspace.log.path, limit: limits.logBytes)
        let build = Build(spec: spec, log: log)
        self.build = build
        return RunnerAPI.BuildStatus(build)
    }

    func status() throws -> RunnerAPI.BuildStatus {
        RunnerAPI.BuildStatus(try current())
    }

    func log() throws -> JobLog {
        try current().log
    }

    /// Claims the upload of input `name`, sent from byte `offset`: a new upload at 0 (which also
    /// discards an interrupted one), or the interrupted one resumed exactly where it stopped.
    func beginUpload(_ name: String, offset: Int64, isArchive: Bool) throws -> PartialUpload {
        let build = try current()
        guard let input = build.spec.inputs.first(where: { $0.name == name }) else {
            throw RunnerFailure(.notFound, "the build spec has no input named '\(name)'")
        }
        guard input.origin == .upload else {
            throw RunnerFailure(
                .wrongState, "input '\(name)' is a \(input.origin.kind) input, which the runner fetches itself")
        }
        guard build.state == .created else {
            throw RunnerFailure(.wrongState, "the build is \(build.state.rawValue); inputs can no longer change")
        }
        let upload: PartialUpload
        switch build.inputs[name] {
        case .pending? where offset == 0:
            upload = try newUpload(name, isArchive: isArchive)
        case .interrupted(let received, let archive)? where offset == received && archive == isArchive && offset > 0:
            guard let kept = partialUploads[name] else {
                throw RunnerFailure(.internalError, "the interrupted upload of input '\(name)' was not kept")
            }
            upload = kept
        case .interrupted? where offset == 0:
            discardUpload(name)
            upload = try newUpload(name, isArchive: isArchive)
        case .interrupted(let received, let archive)?:
            throw RunnerFailure(
                .wrongState,
                archive == isArchive
                    ? "the runner holds \(received) bytes of input '\(name)': resume with ?offset=\(received), or "
                        + "start again with offset 0"
                    : "input '\(name)' was being sent as \(archive ? "an archive" : "a file"); start again with "
                        + "offset 0")
        case .pending?:
            throw RunnerFailure(.wrongState, "the runner holds no byte of input '\(name)': send it from offset 0")
        default:
            throw RunnerFailure(
                .wrongState, "input '\(name)' is already uploaded or being uploaded; inputs are sent once")
        }
        self.build?.inputs[name] = .uploading
        partialUploads[name] = upload
        return upload
    }

    /// A receiver for a new upload of `name` at its staging path.
    private func newUpload(_ name: String, isArchive: Bool) throws -> PartialUpload {
        let path = workspace.staged(name).path
        let receiver: any InputReceiver =
            isArchive
            ? try TarUnpacker(path: path, limits: limits)
            : try FileReceiver(path: path, name: name, limit: limits.inputBytes)
        return PartialUpload(receiver: receiver, isArchive: isArchive)
    }

    /// Keeps an upload whose stream broke off, so that it resumes at what it received; one that
    /// received nothing is simply pending again.
    func interruptUpload(_ name: String) {
        guard let upload = partialUploads[name], upload.received > 0 else { return abandonUpload(name) }
        build?.inputs[name] = .interrupted(received: upload.received, archive: upload.isArchive)
    }

    /// Moves a complete upload into place.
    func completeUpload(_ name: String, manifest: Manifest) throws {
        partialUploads[name] = nil
        do {
            try promote(name)
        } catch {
            abandonUpload(name)
            throw error
        }
        build?.inputs[name] = .ready(manifest, commit: nil)
    }

    /// Forgets a failed upload, so that it can be sent again from the start.
    func abandonUpload(_ name: String) {
        discardUpload(name)
        build?.inputs[name] = .pending
    }

    /// Drops what an upload kept: its receiver, and what was staged, removed or, if it cannot
    /// be, moved aside under a unique name so that the next attempt starts clean.
    private func discardUpload(_ name: String) {
        partialUploads[name] = nil
        let staged = workspace.staged(name).path
        if (try? FileManager.default.removeItem(atPath: staged)) == nil, access(staged, F_OK) == 0 {
            _ = rename(staged, staged + ".abandoned-" + UUID().uuidString)
        }
    }

    /// Starts the build: fetches remote inputs, measures, runs the job, measures the outputs.
    func start() throws -> RunnerAPI.BuildStatus {
        let build = try current()
        guard build.state == .created else {
            throw RunnerFailure(.wrongState, "the build is \(build.state.rawValue), not created")
        }
        let missing = build.spec.inputs.filter { input in
            guard input.origin == .upload else { return false }
            if case .ready = build.inputs[input.name] { return false }
            return true
        }
        guard missing.isEmpty else {
            throw RunnerFailure(.wrongState, "inputs not uploaded yet: \(missing.map(\.name).joined(separator: ", "))")
        }
        self.build?.state = .preparing
        execution = Task { await self.execute() }
        return RunnerAPI.BuildStatus(self.build ?? build)
    }

    func outputsManifest() throws -> Manifest {
        let build = try current()
        guard build.state == .finished, let outputs = build.outputs else {
            throw RunnerFailure(
                .wrongState, "the build is \(build.state.rawValue); outputs are available once it has finished")
        }
        return outputs
    }

    func outputFile(_ path: String) throws -> OutputFile {
        try OutputFile(path: path, in: workspace.outputs.path, manifest: try outputsManifest())
    }

    // MARK: Running

    private func execute() async {
        do {
            try await fetchRemoteInputs()
            let recorder = try measureInputs()
            let outcome = try await runJob(recorder)
            try Task.checkCancellation()
            // A job that filled the disk may have left its outputs cut short: they are not
            // measured as if they were what it meant to write.
            if DiskSpace.isExhausted(workspace.outputs.path) {
                throw RunnerFailure.diskFull(
                    .outputsFailed, "the job's outputs may be cut short", in: workspace.outputs.path)
            }
            let outputs = try await OutputCollector.measure(workspace.outputs, patterns: build?.spec.outputs ?? [])
            try tpmCall {
                try recorder.record(
                    .output, BuildEvents.output(OutputSummary(name: Self.outputName, manifest: outputs)))
                try recorder.record(
                    .result,
                    BuildEvents.result(
                        exitStatus: outcome.exitStatus, durationMilliseconds: outcome.durationMilliseconds))
            }
            build?.outputs = outputs
            build?.state = .finished
        } catch let error as RunnerFailure {
            fail(error)
        } catch is CancellationError {
            fail(RunnerFailure(.internalError, "the runner was stopped during the build"))
        } catch  where DiskSpace.isExhausted(workspace.root.path) {
            fail(
                RunnerFailure.diskFull(.internalError, "the build could not go on (\(error))", in: workspace.root.path))
        } catch {
            fail(RunnerFailure(.internalError, "\(error)"))
        }
        build?.endedAt = Date()
        build?.log.finish()
    }

    private func fail(_ error: RunnerFailure) {
        build?.failure = error
        build?.state = .failed
    }

    private func fetchRemoteInputs() async throws {
        let context = FetchContext(scratch: workspace.staging.path, limit: limits.inputBytes)
        for input in build?.spec.inputs ?? [] {
            guard let fetcher = InputFetchers.fetcher(for: input.origin) else { continue }
            let fetched = try await fetcher.fetch(input, to: workspace.staged(input.name).path, context: context)
            try promote(input.name)
            build?.inputs[input.name] = .ready(fetched.manifest, commit: fetched.commit)
        }
    }

    /// Extends PCR 14 with everything that goes in, in the order of the log's grammar: runner,
    /// build spec, each input, the environment. Nothing is extended until every input is ready.
    private func measureInputs() throws -> EventRecorder {
        guard let build else { throw RunnerFailure(.internalError, "no build to measure") }
        return try tpmCall {
            do {
                try BuildSlot.requireFresh(tpm)
            } catch let occupied as BuildSlot.Occupied {
                throw RunnerFailure(.tpmUsed, occupied.description)
            }
            let recorder = EventRecorder(tpm: tpm)
            self.build?.recorder = recorder
            try recorder.record(.runner, runnerEvent)
            try recorder.record(.buildSpec, build.spec.eventContent)
            for input in build.spec.inputs {
                guard case .ready(let manifest, let commit) = build.inputs[input.name] else {
                    throw RunnerFailure(.internalError, "input '\(input.name)' is not ready")
                }
                try recorder.record(
                    .input,
                    BuildEvents.input(
                        InputSummary(
                            name: input.name, kind: input.origin.kind, source: input.source, commit: commit,
                            manifest: manifest)))
            }
            try recorder.record(.environment, BuildEvents.environment(bubblewrap.description))
            return recorder
        }
    }

    /// Closes PCR 14 with the launch separator and runs the job right after it.
    private func runJob(_ recorder: EventRecorder) async throws -> JobOutcome {
        guard let build else { throw RunnerFailure(.internalError, "no build to run") }
        let options = bubblewrap.options(
            workspace: workspace, inputs: build.spec.inputs.map(\.name), environment: build.spec.environment)
        try tpmCall { _ = try recorder.record(.launch, BuildEvents.launch) }
        self.build?.state = .running
        self.build?.startedAt = Date()
        let outcome = try await SandboxedJob.run(
            build.spec.command, options: options, bubblewrap: bubblewrap, workspace: workspace, log: build.log,
            timeout: .seconds(build.spec.timeoutSeconds))
        self.build?.outcome = outcome
        return outcome
    }

    /// Moves a complete input from the staging area to `inputs/NAME`.
    private func promote(_ name: String) throws {
        guard rename(workspace.staged(name).path, workspace.input(name).path) == 0 else {
            throw RunnerFailure(
                .internalError, "cannot move input '\(name)' into place: \(String(cString: strerror(errno)))")
        }
    }

    private func current() throws -> Build {
        guard let build else { throw RunnerFailure(.notFound, "there is no build yet; create one with POST /v1/build") }
        return build
    }

    /// Runs TPM commands, reporting a TPM failure as such.
    private func tpmCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RunnerFailure {
            throw error
        } catch let error as Attestor.Failure {
            throw RunnerFailure(.tpmFailure, error.description)
        } catch let error as TPM2Error {
            throw RunnerFailure(.tpmFailure, "the TPM failed: \(error.reason)")
        }
    }
}
