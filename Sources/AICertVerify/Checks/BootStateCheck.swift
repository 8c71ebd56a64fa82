import AICertCore

/// `boot-state`: PCRs 0–13 say what booted. With a firmware event log, the log must replay to
/// every quoted PCR 0–9 it covers, and its events are judged against the policy's boot rules;
/// the policy's reference values are compared too. Without a policy the boot state is
/// unchecked: a warning, never a pass.
enum BootStateCheck {
    /// The PCRs a firmware log describes and a replay must reproduce.
    static let firmwarePCRs = 0...9

    static func run(platform: String, pcrs: [String: [String: String]], policy: VerificationPolicy?, firmwareLog: [UInt8]?)
        -> CheckResult
    {
        func fail(_ detail: String) -> CheckResult { CheckResult(.bootState, .fail, detail) }
        var findings: [String] = []
        var log: FirmwareEventLog?
        if let firmwareLog {
            do {
                log = try FirmwareEventLog(bytes: firmwareLog)
            } catch {
                return fail("the firmware event log does not parse: \(error)")
            }
        }
        if let log {
            let replayed = log.replay()["sha256"] ?? [:]
            let covered = firmwarePCRs.filter { replayed[$0] != nil }
            guard !covered.isEmpty else { return fail("the firmware event log has no SHA-256 events for PCRs 0–9") }
            for pcr in covered {
                let quoted = pcrs["sha256"]?[String(pcr)]
                guard let value = replayed[pcr], quoted == value.hexString else {
                    return fail(
                        "PCR \(pcr): the firmware event log replays to \(replayed[pcr]?.hexString.prefix(16) ?? "")…, "
                            + "the quote says \(quoted.map { "\($0.prefix(16))…" } ?? "nothing")")
                }
            }
            findings.append("the firmware event log replays to quoted PCR \(QuoteContentCheck.ranges(covered))")
        }
        let reference = policy?.referencePCRs[platform] ?? [:]
        let rules = policy?.bootRules[platform]
        guard !reference.isEmpty || rules != nil else {
            let why = policy == nil ? "no policy gives reference values" : "the policy has no boot state for platform '\(platform)'"
            return CheckResult(.bootState, .warn, (findings + ["unchecked: \(why)"]).joined(separator: "; "))
        }
        for pcr in reference.keys.sorted() {
            let allowed = reference[pcr] ?? []
            guard let value = pcrs["sha256"]?[String(pcr)] else { return fail("PCR \(pcr) is not in the quote") }
            guard allowed.contains(value) else {
                return fail("PCR \(pcr) is \(value.prefix(16))…, not \(allowed.count == 1 ? "the" : "an") allowed value of the policy")
            }
        }
        if !reference.isEmpty {
            findings.append("PCR \(reference.keys.sorted().map(String.init).joined(separator: ", ")) match the policy's reference values")
        }
        if let rules {
            guard let log else { return fail("the policy has boot rules for '\(platform)' but the certificate carries no firmware event log") }
            if let problem = rules.violation(in: log.bootChain) { return fail(problem) }
            findings.append("the boot chain meets the policy's boot rules")
        }
        return CheckResult(.bootState, .pass, findings.joined(separator: "; "))
    }
}

extension VerificationPolicy.BootRules {
    /// The first way `chain` breaks these rules, or `nil`.
    func violation(in chain: BootChain) -> String? {
        if let secureBoot {
            let wanted: BootChain.SecureBootState = secureBoot ? .enabled : .disabled
            if chain.secureBoot != wanted { return "Secure Boot is \(chain.secureBoot.rawValue); the policy requires it \(wanted.rawValue)" }
        }
        if let allowed = applications {
            for application in chain.applications {
                guard let digest = application.sha256?.hexString else {
                    return "the EFI application \(application.filePath ?? "at event \(application.eventIndex)") has no SHA-256 digest"
                }
                guard allowed.contains(digest) else {
                    return "the EFI application \(application.filePath ?? "at event \(application.eventIndex)") (\(digest.prefix(16))…) is not allowed by the policy"
                }
            }
        }
        if let allowed = commandLines {
            for line in chain.kernelCommandLines where !allowed.contains(line) {
                return "the kernel command line '\(line)' is not allowed by the policy"
            }
        }
        if requireSeparators {
            for pcr in 0...7 {
                guard let values = chain.separators[pcr], !values.isEmpty else { return "PCR \(pcr) has no separator event" }
                guard values.allSatisfy({ $0 == 0 }) else { return "PCR \(pcr) has an error separator" }
            }
        }
        return nil
    }
}
