import AICertCore

/// `policy`: the inputs and outputs the policy requires are in the event log with the
/// digests (and commits) it names.
enum PolicyCheck {
    static func run(summary: BuildSummary?, policy: VerificationPolicy?) -> CheckResult {
        guard let policy else { return CheckResult(.policy, .skip, .notRequested, "no policy given") }
        guard !policy.inputs.isEmpty || !policy.outputs.isEmpty else {
            return CheckResult(.policy, .skip, .notRequested, "the policy requires no inputs or outputs")
        }
        guard let summary else {
            return .fail(.policy, .policyUnreadableLog, "the event log cannot be read, so its inputs and outputs are unknown")
        }
        for requirement in policy.inputs {
            guard let input = summary.inputs.first(where: { $0.name == requirement.name }) else {
                return .fail(.policy, .requirementMissing, "the build has no input '\(requirement.name)', which the policy requires")
            }
            if let digest = requirement.digest, digest != input.manifestDigest {
                return .fail(
                    .policy, .digestMismatch, "input '\(input.name)' has digest \(input.manifestDigest.prefix(16))…, the policy requires \(digest.prefix(16))…")
            }
            if let commit = requirement.commit, commit != input.commit {
                return .fail(
                    .policy, .commitMismatch, "input '\(input.name)' is at commit \(input.commit ?? "none"), the policy requires \(commit)")
            }
        }
        for requirement in policy.outputs {
            guard let output = summary.outputs.first(where: { $0.name == requirement.name }) else {
                return .fail(.policy, .requirementMissing, "the build has no output '\(requirement.name)', which the policy requires")
            }
            if let digest = requirement.digest, digest != output.manifestDigest {
                return .fail(
                    .policy, .digestMismatch, "output '\(output.name)' has digest \(output.manifestDigest.prefix(16))…, the policy requires \(digest.prefix(16))…")
            }
        }
        return .pass(
            .policy, "the \(policy.inputs.count) inputs and \(policy.outputs.count) outputs the policy requires match")
    }
}
