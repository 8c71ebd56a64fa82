import AICertCore
import Foundation

/// The outcome of one check.
public enum CheckStatus: String, Hashable, Sendable, Codable {
    case pass, fail, warn, skip
}

/// The checks of a verification, in the order they run (see docs/certificate-format.md).
public enum CheckName: String, Hashable, Sendable, Codable, CaseIterable {
    case akChain = "ak-chain"
    case quoteSignature = "quote-signature"
    case quoteContent = "quote-content"
    case eventLog = "event-log"
    case bootState = "boot-state"
    case policy
    case artifacts
}

/// One named check with its status and a one-line detail.
public struct CheckResult: Hashable, Sendable, Codable {
    public var name: CheckName
    public var status: CheckStatus
    public var detail: String

    public init(_ name: CheckName, _ status: CheckStatus, _ detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// What a verification found: every check, and the inputs and outputs the event log names.
public struct VerificationReport: Hashable, Sendable, Codable {
    /// True only if no check failed.
    public var valid: Bool { !checks.contains { $0.status == .fail } }
    public var format: String
    public var platform: String
    public var checks: [CheckResult]
    public var inputs: [InputSummary]
    public var outputs: [OutputSummary]

    public init(format: String, platform: String, checks: [CheckResult], inputs: [InputSummary], outputs: [OutputSummary]) {
        self.format = format
        self.platform = platform
        self.checks = checks
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The result of check `name`, if it ran.
    public func check(_ name: CheckName) -> CheckResult? {
        checks.first { $0.name == name }
    }

    /// The first failed check, if any.
    public var firstFailure: CheckResult? {
        checks.first { $0.status == .fail }
    }

    enum CodingKeys: String, CodingKey { case valid, format, platform, checks, inputs, outputs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        platform = try container.decode(String.self, forKey: .platform)
        checks = try container.decode([CheckResult].self, forKey: .checks)
        inputs = try container.decode([InputSummary].self, forKey: .inputs)
        outputs = try container.decode([OutputSummary].self, forKey: .outputs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(valid, forKey: .valid)
        try container.encode(format, forKey: .format)
        try container.encode(platform, forKey: .platform)
        try container.encode(checks, forKey: .checks)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(outputs, forKey: .outputs)
    }

    /// The report as JSON with sorted keys, as `aicert verify --json` prints it.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
