/// `boot-state`: PCRs 0–13 against the policy's reference values for the platform. Without
/// them the boot state is unchecked, which is a warning, never a pass.
enum BootStateCheck {
    static func run(platform: String, pcrs: [String: [String: String]], policy: VerificationPolicy?) -> CheckResult {
        guard let policy else {
            return CheckResult(.bootState, .warn, "unchecked: no policy gives reference values for PCRs 0–13")
        }
        guard let reference = policy.referencePCRs[platform], !reference.isEmpty else {
            return CheckResult(.bootState, .warn, "unchecked: the policy has no reference values for platform '\(platform)'")
        }
        for pcr in reference.keys.sorted() {
            let allowed = reference[pcr] ?? []
            guard let value = pcrs["sha256"]?[String(pcr)] else {
                return CheckResult(.bootState, .fail, "PCR \(pcr) is not in the quote")
            }
            guard allowed.contains(value.lowercased()) else {
                return CheckResult(
                    .bootState, .fail,
                    "PCR \(pcr) is \(value.prefix(16))…, not \(allowed.count == 1 ? "the" : "an") allowed value of the policy")
            }
        }
        return CheckResult(
            .bootState, .pass,
            "PCR \(reference.keys.sorted().map(String.init).joined(separator: ", ")) match the policy's reference values for '\(platform)'")
    }
}
