import AICertCore
import Foundation
import TPM2

/// `event-log`: the log obeys the build grammar, replays to the quoted PCR 14 and 15, binds
/// every manifest the certificate carries, and agrees with the certificate's summary.
///
/// The log is the signed record of the build: its records extend PCR 14 (inputs) and PCR 15
/// (outputs), so once it replays to the quoted values, every later check can read the build
/// from the log rather than from the certificate's unsigned members.
enum EventLogCheck {
    /// The summary derived from the log, when the log can be read, and the check's result;
    /// `pcrs` is the quoted SHA-256 bank, `nil` when the certificate's PCR values are unreadable.
    ///
    /// In order: the log parses and obeys the grammar (`log-grammar`, `event-digest-mismatch`);
    /// it replays to PCR 14 and 15 (`pcr-replay-mismatch`); the manifests are exactly those its
    /// events name (`manifest-mismatch`); the written summary is the derived one
    /// (`summary-mismatch`); the certificate's platform is the signed one (`platform-mismatch`).
    /// The summary is returned whenever the log parses, even when a later step fails.
    static func run(_ certificate: AICertificate, pcrs: PCRBank?) -> (summary: BuildSummary?, result: CheckResult) {
        func fail(_ reason: CheckReason, _ detail: String) -> CheckResult { .fail(.eventLog, reason, detail) }
        let summary: BuildSummary
        do {
            summary = try BuildLog.summarize(certificate.eventLog)
        } catch let error as EventLogError {
            return (nil, fail(error.kind == .digestMismatch ? .eventDigestMismatch : .logGrammar, "\(error)"))
        } catch {
            return (nil, fail(.logGrammar, "\(error)"))
        }
        for pcr in [PCRAllocation.inputs, PCRAllocation.outputs] {
            let digests = certificate.eventLog.filter { $0.pcr == pcr }.compactMap { $0.sha256Digest?.bytes }
            guard let replayed = try? PCRMath.replay(digests, bank: .sha256) else {
                return (summary, fail(.pcrReplayMismatch, "PCR \(pcr) cannot be replayed"))
            }
            let quoted = pcrs?[pcr]
            guard quoted == replayed else {
                return (
                    summary,
                    fail(
                        .pcrReplayMismatch,
                        "replaying the \(digests.count) records of PCR \(pcr) gives "
                            + "\(replayed.hexString.prefix(16))…, the quoted value is "
                            + "\(quoted.map { "\($0.hexString.prefix(16))…" } ?? "absent")"
                    )
                )
            }
        }
        if let problem = manifestProblem(certificate, summary: summary) {
            return (summary, fail(.manifestMismatch, problem))
        }
        if let raw = certificate.summaryJSON, let field = differingMember(raw, summary) {
            return (summary, fail(.summaryMismatch, "summary.\(field) says what the event log does not"))
        }
        if let field = differingField(certificate.summary, summary) {
            return (summary, fail(.summaryMismatch, "summary.\(field) says what the event log does not"))
        }
        guard certificate.platform == summary.platform else {
            return (
                summary,
                fail(
                    .platformMismatch,
                    "the certificate says platform '\(certificate.platform)', "
                        + "the signed runner event '\(summary.platform)'"
                )
            )
        }
        return (
            summary,
            .pass(
                .eventLog,
                "\(certificate.eventLog.count) records replay to PCR 14 and PCR 15; "
                    + "grammar, manifests and summary agree"
            )
        )
    }

    /// The first manifest that is missing, extra, or not the one its event names.
    ///
    /// Inputs first, then outputs: every event's manifest must be carried with the event's
    /// digest, file count and byte count, and every carried manifest must have an event.
    private static func manifestProblem(_ certificate: AICertificate, summary: BuildSummary) -> String? {
        let sides:
            [(
                kind: String, events: [(name: String, digest: String, files: Int, bytes: Int)],
                manifests: [String: Manifest]
            )] = [
                (
                    "input", summary.inputs.map { ($0.name, $0.manifestDigest, $0.files, $0.bytes) },
                    certificate.manifests.inputs
                ),
                (
                    "output", summary.outputs.map { ($0.name, $0.manifestDigest, $0.files, $0.bytes) },
                    certificate.manifests.outputs
                ),
            ]
        for side in sides {
            for event in side.events {
                guard let manifest = side.manifests[event.name] else {
                    return "manifests.\(side.kind)s lacks the manifest of \(side.kind) '\(event.name)'"
                }
                guard manifest.digest.hex == event.digest else {
                    return
                        "the manifest of \(side.kind) '\(event.name)' has digest \(manifest.digest.hex.prefix(16))…, "
                        + "its event says \(event.digest.prefix(16))…"
                }
                guard manifest.fileCount == event.files, Int(manifest.totalFileBytes) == event.bytes else {
                    return "the event of \(side.kind) '\(event.name)' miscounts its manifest's files or bytes"
                }
            }
            let extra = Set(side.manifests.keys).subtracting(side.events.map(\.name))
            if let name = extra.sorted().first {
                return "manifests.\(side.kind)s holds '\(name)', which no event names"
            }
        }
        return nil
    }

    /// The first member of the summary as written that differs from, or is absent in, the
    /// summary derived from the log.
    ///
    /// Compares JSON values, so a member the format does not define, which decoding would
    /// drop, is a difference too; `(all)` when either side is not a JSON object.
    private static func differingMember(_ raw: JSONValue, _ derived: BuildSummary) -> String? {
        guard let data = try? JSONEncoder().encode(derived),
            let expected = try? JSONDecoder().decode(JSONValue.self, from: data),
            case .object(let want) = expected
        else { return "(all)" }
        guard case .object(let have) = raw else { return "(all)" }
        return Set(want.keys).union(have.keys).sorted().first { want[$0] != have[$0] }
    }

    /// The first summary field that differs, by its JSON name.
    ///
    /// Compares the decoded summaries field by field, in the order the format lists them.
    private static func differingField(_ claimed: BuildSummary, _ derived: BuildSummary) -> String? {
        let fields: [(String, Bool)] = [
            ("runner", claimed.runner == derived.runner), ("platform", claimed.platform == derived.platform),
            ("image", claimed.image == derived.image), ("command", claimed.command == derived.command),
            ("environment", claimed.environment == derived.environment),
            ("sandbox", claimed.sandbox == derived.sandbox),
            ("timeout_seconds", claimed.timeoutSeconds == derived.timeoutSeconds),
            ("inputs", claimed.inputs == derived.inputs), ("outputs", claimed.outputs == derived.outputs),
            ("exit_status", claimed.exitStatus == derived.exitStatus),
            ("duration_ms", claimed.durationMilliseconds == derived.durationMilliseconds),
        ]
        return fields.first { !$0.1 }?.0
    }
}
