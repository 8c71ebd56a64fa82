import AICertCore

/// `boot-state`: PCRs 0–13 say what booted, and they must be what a known image's boot gives.
///
/// In order (docs/verification-rules.md): a carried firmware event log must replay to every
/// PCR it must explain (0–9, 11, 12 and any PCR 0–13 it has events for; a PCR without events
/// must be zero, so dropping events cannot make a rule check nothing); then the reference
/// values are found by the signed platform in the policy, else by the signed image identity
/// among the known images; none found fails (`boot-not-measured`, `unknown-image`), or skips
/// when the user accepts an unmeasured boot; then every reference PCR and every boot rule must hold.
enum BootStateCheck {
    /// The PCRs a firmware log must always explain: the firmware's, the boot loader's, the
    /// kernel's (8, 9), the stub's sections (11) and its load options (12, zero when none).
    static let explainedPCRs: Set<Int> = Set(0...9).union([11, 12])
    /// The boot chain's PCRs.
    ///
    /// A firmware log's events for any of them must replay; reference values are given for
    /// them only. PCRs 14 and 15 belong to the build and are judged by `event-log`.
    static let bootPCRs = 0...13

    /// The `boot-state` result for a boot whose quoted SHA-256 PCRs are `pcrs`.
    ///
    /// - Parameters:
    ///   - platform: The platform the runner event signs, which selects the policy's reference
    ///     values; `nil` when the event log cannot be read.
    ///   - image: The base image the runner event names, looked up among the known images
    ///     when the policy has no values for the platform.
    ///   - pcrs: The quoted SHA-256 bank, `nil` when the PCR values are unreadable or cannot
    ///     be trusted; every PCR is then absent, so no reference value can match.
    ///   - firmwareLog: The firmware event log the certificate carries, if any.
    ///   - options: The policy, the known images and whether an unmeasured boot is accepted.
    static func run(
        platform: String?, image: ImageIdentity?, pcrs: PCRBank?, firmwareLog: [UInt8]?, options: VerificationOptions
    ) -> CheckResult {
        func fail(_ reason: CheckReason, _ detail: String) -> CheckResult { .fail(.bootState, reason, detail) }
        var findings: [String] = []
        var log: FirmwareEventLog?
        if let firmwareLog {
            do {
                log = try FirmwareEventLog(bytes: firmwareLog)
            } catch {
                return fail(.firmwareLogUnreadable, "the firmware event log does not parse: \(error)")
            }
        }
        if let log {
            let replayed = log.replay()["sha256"] ?? [:]
            let checked = explainedPCRs.union(replayed.keys.filter(bootPCRs.contains)).sorted()
            for pcr in checked {
                let value = pcrs?[pcr]
                let shown = value.map { "\($0.hexString.prefix(16))…" }
                if let events = replayed[pcr] {
                    guard value == events else {
                        return fail(
                            .pcrReplayMismatch,
                            "PCR \(pcr): the firmware event log replays to \(events.hexString.prefix(16))…, "
                                + "the quote says \(shown ?? "nothing")")
                    }
                } else if value != [UInt8](repeating: 0, count: 32) {
                    return fail(
                        .pcrNotReplayed,
                        "PCR \(pcr) is \(shown ?? "not quoted"), but the firmware event log has "
                            + "no event for it: the log does not explain the boot")
                }
            }
            findings.append("the firmware event log replays to quoted PCR \(PCRBank.ranges(checked))")
        }
        let reference: [Int: [String]]
        let rules: VerificationPolicy.BootRules?
        let source: String
        if let platform, let policy = options.policy,
            policy.referencePCRs[platform]?.isEmpty == false || policy.bootRules[platform] != nil
        {
            reference = policy.referencePCRs[platform] ?? [:]
            rules = policy.bootRules[platform]
            source = "the policy's values for platform '\(platform)'"
        } else if let image,
            let known = options.allKnownImages.first(where: { $0.identity.ukiSHA256 == image.ukiSHA256 })
        {
            reference = known.referencePCRs
            rules = known.bootRules
            source = "the reference values of image \(image.name) \(image.version)"
        } else {
            let accepted = options.acceptsUnmeasuredBoot
            let (reason, what): (CheckReason, String) =
                if let image {
                    (
                        .unknownImage,
                        "the runner event names image \(image.name) \(image.version) (uki_sha256 \(image.ukiSHA256)), "
                            + "which no built-in, registered or policy reference values describe"
                    )
                } else {
                    (
                        .bootNotMeasured,
                        "the runner event names no measured image (platform '\(platform ?? "unknown")') and the policy "
                            + "gives "
                            + "no reference values for it: nothing says what booted"
                    )
                }
            let detail = (findings + [what]).joined(separator: "; ")
            return accepted
                ? CheckResult(.bootState, .skip, reason, detail + "; accepted by --allow-unmeasured-boot")
                : fail(reason, detail + "; to accept that, pass --allow-unmeasured-boot")
        }
        for pcr in reference.keys.sorted() {
            let allowed = reference[pcr] ?? []
            guard let value = pcrs?[pcr]?.hexString else {
                return fail(.referenceMismatch, "PCR \(pcr) is not in the quote")
            }
            guard allowed.contains(value) else {
                return fail(
                    .referenceMismatch,
                    "PCR \(pcr) is \(value.prefix(16))…, not \(allowed.count == 1 ? "the" : "an") allowed value "
                        + "of \(source)"
                )
            }
        }
        if !reference.isEmpty {
            findings.append("PCR \(reference.keys.sorted().map(String.init).joined(separator: ", ")) match \(source)")
        }
        if let rules {
            guard let log else {
                return fail(
                    .firmwareLogMissing,
                    "\(source) include boot rules, but the certificate carries no firmware event log")
            }
            if let problem = rules.violation(in: log.bootChain) { return fail(.bootRuleViolation, problem) }
            findings.append("the boot chain meets the boot rules")
        }
        return .pass(.bootState, findings.joined(separator: "; "))
    }
}

/// How a firmware event log's boot chain is judged against a policy's boot rules.
extension VerificationPolicy.BootRules {
    /// The first way `chain` breaks these rules, or `nil`.
    ///
    /// Rules are checked in a fixed order: Secure Boot, the EFI applications, the kernel
    /// command lines, then the separators of PCRs 0–7; a rule left `nil` is not checked.
    func violation(in chain: BootChain) -> String? {
        if let secureBoot {
            let wanted: BootChain.SecureBootState = secureBoot ? .enabled : .disabled
            if chain.secureBoot != wanted {
                return "Secure Boot is \(chain.secureBoot.rawValue); the policy requires it \(wanted.rawValue)"
            }
        }
        if let allowed = applications {
            for application in chain.applications {
                let name = application.filePath ?? "at event \(application.eventIndex)"
                guard let digest = application.sha256?.hexString else {
                    return "the EFI application \(name) has no SHA-256 digest"
                }
                guard allowed.contains(digest) else {
                    return "the EFI application \(name) (\(digest.prefix(16))…) is not allowed by the policy"
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
                guard let values = chain.separators[pcr], !values.isEmpty else {
                    return "PCR \(pcr) has no separator event"
                }
                guard values.allSatisfy({ $0 == 0 }) else { return "PCR \(pcr) has an error separator" }
            }
        }
        return nil
    }
}
