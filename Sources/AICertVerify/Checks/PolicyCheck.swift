import AICertCore

/// `policy`: the inputs and outputs the policy requires are in the event log with the
/// digests (and commits) it names.
///
/// Only the event log's summary is read, never the certificate's own, so a requirement is
/// met only by what the TPM measured. The check skips with `not-requested` when there is no
/// policy or it requires nothing.
enum PolicyCheck {
    /// An input or output of the build as the event log names it.
    private struct Named {
        /// The input's or output's name in the build.
        var name: String
        /// Its manifest digest, lowercase hex.
        var digest: String
        /// The git commit an input was fetched at; `nil` for outputs and non-git inputs.
        var commit: String?
    }

    /// The `policy` result for the build `summary` derived from the event log (`nil` when
    /// the log cannot be read) against `policy`: inputs first, then outputs, first miss wins.
    static func run(summary: BuildSummary?, policy: VerificationPolicy?) -> CheckResult {
        guard let policy else { return CheckResult(.policy, .skip, .notRequested, "no policy given") }
        guard !policy.inputs.isEmpty || !policy.outputs.isEmpty else {
            return CheckResult(.policy, .skip, .notRequested, "the policy requires no inputs or outputs")
        }
        guard let summary else {
            return .fail(
                .policy, .policyUnreadableLog, "the event log cannot be read, so its inputs and outputs are unknown")
        }
        let inputs = summary.inputs.map { Named(name: $0.name, digest: $0.manifestDigest, commit: $0.commit) }
        let outputs = summary.outputs.map { Named(name: $0.name, digest: $0.manifestDigest) }
        // Outputs have no commit, so an output requirement never asks for one.
        let required = policy.outputs.map { VerificationPolicy.Requirement(name: $0.name, digest: $0.digest) }
        if let failure = violation(of: policy.inputs, by: inputs, kind: "input")
            ?? violation(of: required, by: outputs, kind: "output")
        {
            return failure
        }
        return .pass(
            .policy, "the \(policy.inputs.count) inputs and \(policy.outputs.count) outputs the policy requires match")
    }

    /// The first requirement that `built` (the build's inputs or outputs) does not meet.
    private static func violation(
        of requirements: [VerificationPolicy.Requirement], by built: [Named], kind: String
    ) -> CheckResult? {
        for requirement in requirements {
            guard let item = built.first(where: { $0.name == requirement.name }) else {
                return .fail(
                    .policy, .requirementMissing,
                    "the build has no \(kind) '\(requirement.name)', which the policy requires")
            }
            if let digest = requirement.digest, digest != item.digest {
                return .fail(
                    .policy, .digestMismatch,
                    "\(kind) '\(item.name)' has digest \(item.digest.prefix(16))…, "
                        + "the policy requires \(digest.prefix(16))…"
                )
            }
            if let commit = requirement.commit, commit != item.commit {
                return .fail(
                    .policy, .commitMismatch,
                    "\(kind) '\(item.name)' is at commit \(item.commit ?? "none"), the policy requires \(commit)")
            }
        }
        return nil
    }
}
