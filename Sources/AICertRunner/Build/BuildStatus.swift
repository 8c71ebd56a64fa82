import AICertCore
import Foundation

/// What `GET /v1/build` returns: the build's state, its inputs, timings and result.
struct BuildStatus: Codable, Sendable {
    struct Input: Codable, Sendable {
        var name: String
        var kind: String
        var source: String
        /// `pending`, `uploading` or `ready`.
        var state: String
        var commit: String?
        var manifestDigest: String?
        var files: Int?
        var bytes: Int?

        enum CodingKeys: String, CodingKey {
            case name, kind, source, state, commit, files, bytes
            case manifestDigest = "manifest_digest"
        }
    }

    var state: Build.State
    var command: [String]
    var inputs: [Input]
    var createdAt: String
    var startedAt: String?
    var endedAt: String?
    var exitStatus: Int?
    var durationMilliseconds: Int?
    var timedOut: Bool?
    var error: ErrorBody?

    enum CodingKeys: String, CodingKey {
        case state, command, inputs, error
        case createdAt = "created_at"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case exitStatus = "exit_status"
        case durationMilliseconds = "duration_ms"
        case timedOut = "timed_out"
    }

    init(_ build: Build) {
        state = build.state
        command = build.spec.command
        inputs = build.spec.inputs.map { input in
            var status = Input(name: input.name, kind: input.origin.kind, source: input.source, state: "pending")
            switch build.inputs[input.name] {
            case .ready(let manifest, let commit):
                status.state = "ready"
                status.commit = commit
                status.manifestDigest = manifest.digest.hex
                status.files = manifest.fileCount
                status.bytes = Int(manifest.totalFileBytes)
            case .uploading:
                status.state = "uploading"
            case .pending, nil:
                break
            }
            return status
        }
        createdAt = Self.timestamp(build.createdAt)
        startedAt = build.startedAt.map(Self.timestamp)
        endedAt = build.endedAt.map(Self.timestamp)
        exitStatus = build.outcome?.exitStatus
        durationMilliseconds = build.outcome?.durationMilliseconds
        timedOut = build.outcome?.timedOut
        error = build.failure.map(ErrorBody.init)
    }

    /// RFC 3339 with milliseconds, in UTC.
    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
