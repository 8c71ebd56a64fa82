/// Why an event log is not a well-formed build log.
public struct EventLogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of rule a log broke.
    public enum Kind: Hashable, Sendable {
        /// The grammar: order, types, PCRs, record numbers, content members.
        case grammar
        /// A record's digest is not the digest of its type and content.
        case digestMismatch
    }

    /// The record at fault, or `nil` for the log as a whole.
    public let recnum: Int?
    public let kind: Kind
    public let reason: String

    public init(recnum: Int?, _ reason: String, kind: Kind = .grammar) {
        self.recnum = recnum
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        recnum.map { "record \($0): \(reason)" } ?? reason
    }
}

/// Reads a build's event log against its grammar and derives the build's summary.
///
/// The grammar: `runner`, `build-spec`, any `input`s (names unique), an optional
/// `environment`, then `launch` — all in PCR 14 — then any `output`s (names unique) and one
/// `result` in PCR 15, and nothing after it. Record numbers count from 0 without gaps; each
/// record has exactly one SHA-256 digest and it must equal the digest of its type and content.
/// An empty, unterminated or reordered log, an unknown type or a duplicate is an error.
public enum BuildLog {
    /// More records than any real build writes.
    public static let maximumRecords = 10_000

    private enum Stage: Int, Comparable {
        case start, runner, buildSpec, inputs, environment, launched, outputs, result
        static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public static func summarize(_ records: [EventRecord]) throws -> BuildSummary {
        guard !records.isEmpty else { throw EventLogError(recnum: nil, "the event log is empty") }
        guard records.count <= maximumRecords else {
            throw EventLogError(recnum: nil, "the event log has \(records.count) records, more than \(maximumRecords)")
        }
        var stage = Stage.start
        var runner = ""
        var platform = ""
        var image: ImageIdentity?
        var command: [String] = []
        var environment: [String: String] = [:]
        var sandbox: [String: String] = [:]
        var timeout = 0
        var inputs: [InputSummary] = []
        var outputs: [OutputSummary] = []
        var exitStatus = 0
        var duration = 0

        for (index, record) in records.enumerated() {
            func fail(_ reason: String) -> EventLogError { EventLogError(recnum: record.recnum, reason) }
            guard record.recnum == index else {
                throw EventLogError(recnum: record.recnum, "record number \(record.recnum) where \(index) was expected")
            }
            guard let type = EventType(rawValue: record.contentType) else {
                throw fail("unknown event type '\(record.contentType)'")
            }
            guard record.pcr == type.pcr else {
                throw fail("\(type.rawValue) event in PCR \(record.pcr); it belongs in PCR \(type.pcr)")
            }
            guard let claimed = record.sha256Digest, record.digests.count == 1 else {
                throw fail("expected exactly one well-formed sha256 digest")
            }
            let computed = EventRecord.digest(type: record.contentType, content: record.content)
            guard claimed == computed else {
                throw EventLogError(
                    recnum: record.recnum, "digest \(claimed.hex) does not match the event's content (\(computed.hex))",
                    kind: .digestMismatch)
            }
            let content = EventContent(record.content, recnum: record.recnum)
            switch type {
            case .runner:
                guard stage == .start else { throw fail("the runner event must be the first and only one") }
                try content.allowOnly([
                    "name", "version", "executable_sha256", "platform", "image", ChannelBinding.runnerEventMember,
                ])
                runner = "\(try content.string("name")) \(try content.string("version"))"
                _ = try content.digest("executable_sha256")
                if content.value[ChannelBinding.runnerEventMember] != nil {
                    _ = try content.digest(ChannelBinding.runnerEventMember)
                }
                let kind = try content.string("platform")
                guard PlatformKind(rawValue: kind) != nil else {
                    throw fail("platform '\(kind)' is not one of \(PlatformKind.names)")
                }
                platform = kind
                image = try content.optionalObject("image").map { image in
                    try image.allowOnly(["name", "version", "uki_sha256"])
                    return ImageIdentity(
                        name: try image.string("name"), version: try image.string("version"),
                        ukiSHA256: try image.digest("uki_sha256"))
                }
                stage = .runner
            case .buildSpec:
                guard stage == .runner else { throw fail("the build-spec event must follow the runner event, once") }
                try content.allowOnly(["command", "env", "outputs", "timeout_seconds"])
                command = try content.strings("command")
                guard !command.isEmpty else { throw fail("the command is empty") }
                environment = try content.stringMap("env")
                timeout = try content.integer("timeout_seconds")
                _ = try content.strings("outputs")
                stage = .buildSpec
            case .input:
                guard stage == .buildSpec || stage == .inputs else { throw fail("an input event out of place") }
                let summary = try InputSummaryReader.read(content)
                guard !inputs.contains(where: { $0.name == summary.name }) else {
                    throw fail("a second input named '\(summary.name)'")
                }
                inputs.append(summary)
                stage = .inputs
            case .environment:
                guard stage == .buildSpec || stage == .inputs else { throw fail("the environment event out of place") }
                sandbox = try content.stringMap(nil)
                stage = .environment
            case .launch:
                guard stage >= .buildSpec && stage < .launched else { throw fail("the launch separator out of place") }
                guard record.content == BuildEvents.launch else {
                    throw fail("the launch separator must have empty content")
                }
                stage = .launched
            case .output:
                guard stage == .launched || stage == .outputs else {
                    throw fail("an output event before the launch separator or after the result")
                }
                try content.allowOnly(["name", "manifest_digest", "files", "bytes"])
                let summary = OutputSummary(
                    name: try content.string("name"), manifestDigest: try content.digest("manifest_digest"),
                    files: try content.integer("files"), bytes: try content.integer("bytes"))
                guard !outputs.contains(where: { $0.name == summary.name }) else {
                    throw fail("a second output named '\(summary.name)'")
                }
                outputs.append(summary)
                stage = .outputs
            case .result:
                guard stage == .launched || stage == .outputs else { throw fail("the result event out of place") }
                try content.allowOnly(["exit_status", "duration_ms"])
                exitStatus = try content.integer("exit_status")
                duration = try content.integer("duration_ms")
                stage = .result
            }
        }
        guard stage == .result else {
            throw EventLogError(
                recnum: nil,
                stage < .launched
                    ? "the event log ends before the launch separator closes PCR 14"
                    : "the event log ends without a result event closing PCR 15")
        }
        return BuildSummary(
            runner: runner, platform: platform, image: image, command: command, environment: environment,
            sandbox: sandbox, timeoutSeconds: timeout, inputs: inputs,
            outputs: outputs, exitStatus: exitStatus, durationMilliseconds: duration)
    }
}

/// Typed access to one event's content that reports missing or mistyped members.
struct EventContent {
    let value: JSONValue
    let recnum: Int

    init(_ value: JSONValue, recnum: Int) {
        self.value = value
        self.recnum = recnum
    }

    private func member(_ name: String) throws -> JSONValue {
        guard case .object = value else { throw EventLogError(recnum: recnum, "the content is not an object") }
        guard let member = value[name] else { throw EventLogError(recnum: recnum, "the content has no '\(name)'") }
        return member
    }

    /// Throws if the content has a member outside `names`: members the verifier does not read
    /// would be attested but unchecked, so they are refused rather than ignored.
    func allowOnly(_ names: Set<String>) throws {
        guard case .object(let members) = value else {
            throw EventLogError(recnum: recnum, "the content is not an object")
        }
        if let extra = members.keys.sorted().first(where: { !names.contains($0) }) {
            throw EventLogError(recnum: recnum, "the content has an unknown member '\(extra)'")
        }
    }

    func string(_ name: String) throws -> String {
        guard let text = try member(name).stringValue else {
            throw EventLogError(recnum: recnum, "'\(name)' is not a string")
        }
        return text
    }

    func optionalString(_ name: String) throws -> String? {
        guard let member = value[name] else { return nil }
        guard let text = member.stringValue else { throw EventLogError(recnum: recnum, "'\(name)' is not a string") }
        return text
    }

    func optionalObject(_ name: String) throws -> EventContent? {
        guard let member = value[name] else { return nil }
        guard case .object = member else { throw EventLogError(recnum: recnum, "'\(name)' is not an object") }
        return EventContent(member, recnum: recnum)
    }

    func integer(_ name: String) throws -> Int {
        guard let number = try member(name).integerValue, number >= 0 else {
            throw EventLogError(recnum: recnum, "'\(name)' is not a non-negative integer")
        }
        return Int(number)
    }

    func digest(_ name: String) throws -> String {
        let text = try string(name)
        guard let digest = SHA256Hash(hex: text), digest.hex == text else {
            throw EventLogError(recnum: recnum, "'\(name)' is not a lowercase SHA-256 digest")
        }
        return text
    }

    func strings(_ name: String) throws -> [String] {
        guard case .array(let items) = try member(name) else {
            throw EventLogError(recnum: recnum, "'\(name)' is not an array")
        }
        return try items.map {
            guard let text = $0.stringValue else { throw EventLogError(recnum: recnum, "'\(name)' holds a non-string") }
            return text
        }
    }

    /// A string-to-string object: member `name`, or the whole content when `name` is nil.
    func stringMap(_ name: String?) throws -> [String: String] {
        let object = try name.map(member) ?? value
        guard case .object(let members) = object else {
            throw EventLogError(recnum: recnum, "'\(name ?? "content")' is not an object")
        }
        return try members.mapValues {
            guard let text = $0.stringValue else {
                throw EventLogError(recnum: recnum, "'\(name ?? "content")' holds a non-string value")
            }
            return text
        }
    }
}

/// Reads an `aicert/input` event's content.
enum InputSummaryReader {
    static func read(_ content: EventContent) throws -> InputSummary {
        let text = try content.string("kind")
        guard let kind = InputKind(rawValue: text) else {
            throw EventLogError(recnum: content.recnum, "input kind '\(text)' is not \(InputKind.listed)")
        }
        // Only a git input has a commit.
        try content.allowOnly(
            Set(["name", "kind", "source", "manifest_digest", "files", "bytes"]).union(kind == .git ? ["commit"] : []))
        return InputSummary(
            name: try content.string("name"), kind: kind, source: try content.string("source"),
            commit: try content.optionalString("commit"), manifestDigest: try content.digest("manifest_digest"),
            files: try content.integer("files"), bytes: try content.integer("bytes"))
    }
}
