/// Why evidence fails, or only warns on, a check: a stable reason code and a sentence.
///
/// Equality is on the severity and the code, so tests compare what went wrong, not the words.
public struct EvidenceIssue: Error, Hashable, Sendable, CustomStringConvertible {
    /// Whether the issue fails its check or only qualifies a pass.
    public enum Severity: Hashable, Sendable {
        /// The check fails with the issue's reason.
        case failure
        /// The check warns with the issue's reason, unless a later rule fails it.
        case warning
    }

    /// Whether the issue fails its check or only leaves it at a warning.
    public let severity: Severity
    /// The stable reason code the check reports; compare this, never ``detail``.
    public let reason: CheckReason
    /// A sentence saying what was found, which becomes the check's detail.
    public let detail: String

    /// An issue that fails the check.
    public static func failure(_ reason: CheckReason, _ detail: String) -> EvidenceIssue {
        EvidenceIssue(severity: .failure, reason: reason, detail: detail)
    }

    /// An issue that leaves the check at `warn`.
    public static func warning(_ reason: CheckReason, _ detail: String) -> EvidenceIssue {
        EvidenceIssue(severity: .warning, reason: reason, detail: detail)
    }

    /// The ``detail``, so that the issue prints as its sentence.
    public var description: String { detail }
    /// Whether two issues have the same severity and reason; details are not compared.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.severity == rhs.severity && lhs.reason == rhs.reason }
    /// Hashes the severity and the reason, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(severity)
        hasher.combine(reason)
    }
}

/// One rule over ``AttestationEvidence``: a part of a named check of the report.
///
/// Rules are small and independent, each reading only what it judges, so that the certificate
/// verifier, the legacy verifier and the identity verifier compose the same ones.
///
/// A rule that needs a part of the evidence that did not parse rethrows that part's issue
/// (`try evidence.attestation.get()`), so the reason reported is the parse failure, and the
/// first rule to need the part reports it. ``ComposedCheck`` runs rules in order.
public protocol EvidenceCheck: Sendable {
    /// Judges `evidence`: returns what it found (a clause for the report, or `nil`), or throws
    /// the issue that fails it or leaves it at a warning.
    func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String?
}

/// A named check of the report made of rules run in order: the first failure decides; else
/// the check warns with its first warning, or passes, with what the rules found.
///
/// ``quoteSignature`` and ``quoteContent`` are the report's two quote checks. Compose others
/// from the public rules, e.g. a stricter selection with ``PCRSelectionCheck/exactly(_:)``.
public struct ComposedCheck: Sendable {
    /// The name of the check in the report, which every result of ``run(_:)`` carries.
    public let name: CheckName
    /// The rules, in the order they run.
    public let rules: [any EvidenceCheck]

    /// A check named `name` made of `rules`, run in the given order.
    public init(_ name: CheckName, _ rules: [any EvidenceCheck]) {
        self.name = name
        self.rules = rules
    }

    /// The check's result for `evidence`.
    ///
    /// The rules run in order until one fails: a failure returns `fail` with its reason and detail,
    /// dropping the findings; otherwise the result is `warn` with the first warning's reason,
    /// or `pass` with reason `ok`, its detail the findings joined by semicolons.
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
