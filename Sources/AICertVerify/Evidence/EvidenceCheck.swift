/// Why evidence fails, or only warns on, a check: a stable reason code and a sentence.
///
/// Equality is on the severity and the code, so tests compare what went wrong, not the words.
public struct EvidenceIssue: Error, Hashable, Sendable, CustomStringConvertible {
    /// Whether the issue fails its check or only qualifies a pass.
    public enum Severity: Hashable, Sendable {
        case failure, warning
    }

    public let severity: Severity
    public let reason: CheckReason
    public let detail: String

    /// An issue that fails the check.
    public static func failure(_ reason: CheckReason, _ detail: String) -> EvidenceIssue {
        EvidenceIssue(severity: .failure, reason: reason, detail: detail)
    }

    /// An issue that leaves the check at `warn`.
    public static func warning(_ reason: CheckReason, _ detail: String) -> EvidenceIssue {
        EvidenceIssue(severity: .warning, reason: reason, detail: detail)
    }

    public var description: String { detail }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.severity == rhs.severity && lhs.reason == rhs.reason }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(severity)
        hasher.combine(reason)
    }
}

/// One rule over ``AttestationEvidence``: a part of a named check of the report.
///
/// Rules are small and independent, each reading only what it judges, so that the certificate
/// verifier, the legacy verifier and the identity verifier compose the same ones.
public protocol EvidenceCheck: Sendable {
    /// Judges `evidence`: returns what it found (a clause for the report, or `nil`), or throws
    /// the issue that fails it or leaves it at a warning.
    func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String?
}

/// A named check of the report made of rules run in order: the first failure decides; else
/// the check warns with its first warning, or passes, with what the rules found.
public struct ComposedCheck: Sendable {
    public let name: CheckName
    public let rules: [any EvidenceCheck]

    public init(_ name: CheckName, _ rules: [any EvidenceCheck]) {
        self.name = name
        self.rules = rules
    }

    /// The check's result for `evidence`.
    public func run(_ evidence: AttestationEvidence) -> CheckResult {
        var findings: [String] = []
        var warning: EvidenceIssue?
        for rule in rules {
            do {
                if let finding = try rule.check(evidence) { findings.append(finding) }
            } catch  where error.severity == .warning {
                warning = warning ?? error
            } catch {
                return .fail(name, error.reason, error.detail)
            }
        }
        guard let warning else { return .pass(name, findings.joined(separator: "; ")) }
        return CheckResult(name, .warn, warning.reason, (findings + [warning.detail]).joined(separator: "; "))
    }
}
