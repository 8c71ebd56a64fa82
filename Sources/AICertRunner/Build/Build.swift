import AICertCore
import Foundation

/// The runner's one build: its spec, how far it got, what was measured.
struct Build {
    /// Where one input stands.
    enum InputState: Hashable, Sendable {
        case pending
        case uploading
        /// An upload broke off after `received` bytes, kept with the receiver's state; `archive`
        /// says whether it is a tar archive.
        case interrupted(received: Int64, archive: Bool)
        case ready(Manifest, commit: String?)
    }

    let spec: BuildSpec
    let log: JobLog
    let createdAt = Date()
    var state = BuildState.created
    var inputs: [String: InputState]
    var startedAt: Date?
    var endedAt: Date?
    var outcome: JobOutcome?
    var failure: RunnerFailure?
    var outputs: Manifest?
    /// The measured events, once the build has measured anything.
    var recorder: EventRecorder?

    init(spec: BuildSpec, log: JobLog) {
        self.spec = spec
        self.log = log
        inputs = Dictionary(uniqueKeysWithValues: spec.inputs.map { ($0.name, InputState.pending) })
    }

    /// The manifests of the ready inputs, by name.
    var inputManifests: [String: Manifest] {
        inputs.compactMapValues { state in
            if case .ready(let manifest, _) = state { manifest } else { nil }
        }
    }
}
