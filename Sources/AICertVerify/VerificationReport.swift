import AICertCore
import Foundation

/// The outcome of one check.
public enum CheckStatus: String, Hashable, Sendable, Codable {
    case pass, fail, warn, skip
}

/// The checks of a verification, in the order they run (see docs/certificate-format.md).
public enum CheckName: String, Hashable, Sendable, Codable, CaseIterable {
    case timestamp
    case akChain = "ak-chain"
    case quoteSignature = "quote-signature"
    case quoteContent = "quote-content"
    case eventLog = "event-log"
    case bootState = "boot-state"
    case policy
    case artifacts
}

/// One named check with its status, its stable reason code and a one-line detail.
public struct CheckResult: Hashable, Sendable, Codable {
    public var name: CheckName
    public var status: CheckStatus
    public var reason: CheckReason
    public var detail: String

    public init(_ name: CheckName, _ status: CheckStatus, _ reason: CheckReason, _ detail: String) {
        self.name = name
        self.status = status
        self.reason = reason
        self.detail = detail
    }

    /// A passing result.
    static func pass(_ name: CheckName, _ detail: String) -> CheckResult { CheckResult(name, .pass, .ok, detail) }

    /// A failing result.
    static func fail(_ name: CheckName, _ reason: CheckReason, _ detail: String) -> CheckResult {
        CheckResult(name, .fail, reason, detail)
    }
}

/// What anchored the AK chain, and so what a VALID verdict is worth. It follows from the root
/// the verifier chose, never from a member of the certificate.
public enum TrustLevel: String, Hashable, Sendable, Codable {
    /// A root built into the verifier (a cloud's vTPM root).
    case production
    /// A root that marks itself as AICert's development CA: the builder holds its key.
    case development
    /// Another root the user passed (`--trust-root` or a policy).
    case custom
    /// The chain did not validate.
    case none
}

/// What a verification found: every check, the trust its chain reached, and the build the
/// event log describes.
public struct VerificationReport: Hashable, Sendable, Codable {
    /// True only if no check failed.
    public var valid: Bool { !checks.contains { $0.status == .fail } }
    /// `VALID`, `VALID, boot not measured` (accepted by the user's choice) or `INVALID`.
    public var verdict: String {
        guard valid else { return "INVALID" }
        return check(.bootState)?.status == .skip ? "VALID, boot not measured" : "VALID"
    }
    public var format: String
    /// The platform the runner event signs; `nil` when the event log cannot be read.
    public var platform: String?
    public var trust: TrustLevel
    /// The common name of the root that anchored the chain.
    public var trustRoot: String?
    public var checks: [CheckResult]
    /// The build as the event log describes it; `nil` when the log cannot be read.
    public var summary: BuildSummary?
    /// When a valid time-stamp token says the quote existed, and which TSA says so.
    public var timestamp: TimestampVerifier.Stamp?

    public var inputs: [InputSummary] { summary?.inputs ?? [] }
    public var outputs: [OutputSummary] { summary?.outputs ?? [] }

    public init(
        format: String, platform: String?, trust: TrustLevel, trustRoot: String?, checks: [CheckResult],
        summary: BuildSummary?, timestamp: TimestampVerifier.Stamp? = nil
    ) {
        self.timestamp = timestamp
        self.format = format
        self.platform = platform
        self.trust = trust
        self.trustRoot = trustRoot
        self.checks = checks
        self.summary = summary
    }

    /// The result of check `name`, if it ran.
    public func check(_ name: CheckName) -> CheckResult? {
        checks.first { $0.name == name }
    }

    /// The first failed check, if any.
    public var firstFailure: CheckResult? {
        checks.first { $0.status == .fail }
    }

    enum CodingKeys: String, CodingKey {
        case valid, verdict, format, platform, trust, checks, inputs, outputs, summary, timestamp
        case trustRoot = "trust_root"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        platform = try container.decodeIfPresent(String.self, forKey: .platform)
        trust = try container.decode(TrustLevel.self, forKey: .trust)
        trustRoot = try container.decodeIfPresent(String.self, forKey: .trustRoot)
        checks = try container.decode([CheckResult].self, forKey: .checks)
        summary = try container.decodeIfPresent(BuildSummary.self, forKey: .summary)
        timestamp = try container.decodeIfPresent(TimestampVerifier.Stamp.self, forKey: .timestamp)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(valid, forKey: .valid)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(format, forKey: .format)
        try container.encode(platform, forKey: .platform)
        try container.encode(trust, forKey: .trust)
        try container.encode(trustRoot, forKey: .trustRoot)
        try container.encode(checks, forKey: .checks)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(outputs, forKey: .outputs)
        try container.encodeIfPresent(summary, forKey: .summary)
        try container.encodeIfPresent(timestamp, forKey: .timestamp)
    }

    /// The report as JSON with sorted keys, as `aicert verify --json` prints it.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
