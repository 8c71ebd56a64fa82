import AICertCore
import Foundation

extension RunnerAPI.BuildStatus {
    /// What `GET /v1/build` returns for `build`: its state, its inputs, timings and result.
    init(_ build: Build) {
        let inputs = build.spec.inputs.map { input in
            var status = Input(name: input.name, kind: input.origin.kind, source: input.source, state: .pending)
            switch build.inputs[input.name] {
            case .ready(let manifest, let commit):
                status.state = .ready
                status.commit = commit
                status.manifestDigest = manifest.digest.hex
                status.files = manifest.fileCount
                status.bytes = Int(manifest.totalFileBytes)
            case .uploading:
                status.state = .uploading
            case .interrupted(let received, _):
                status.state = .interrupted
                status.received = received
            case .pending, nil:
                break
            }
            return status
        }
        self.init(
            state: build.state, command: build.spec.command, inputs: inputs,
            createdAt: RFC3339.string(from: build.createdAt, milliseconds: true),
            startedAt: build.startedAt.map { RFC3339.string(from: $0, milliseconds: true) },
            endedAt: build.endedAt.map { RFC3339.string(from: $0, milliseconds: true) },
            exitStatus: build.outcome?.exitStatus, durationMilliseconds: build.outcome?.durationMilliseconds,
            timedOut: build.outcome?.timedOut,
            error: build.failure?.body)
    }
}
