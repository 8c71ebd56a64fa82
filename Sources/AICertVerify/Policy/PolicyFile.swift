import AICertCore
import Foundation
import X509
import Yams

/// Why a policy file cannot be used; names the file, the line and the key.
public struct PolicyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let key: String
    public let reason: String

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "" : "\(key): ")\(reason)"
    }
}

/// A policy file (docs/policy.md): the roots it trusts and the ``VerificationPolicy`` it sets.
public struct PolicyFile: Sendable {
    public let policy: VerificationPolicy
    public let trustedRoots: [Certificate]
    /// Roots a time-stamp token's TSA certificate may chain to (`tsa_roots`).
    public let timestampRoots: [Certificate]

    public static let maximumSize = 1 << 20

    /// Reads and checks the policy at `path`; every problem names where it is.
    public static func load(_ path: String) throws -> PolicyFile {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PolicyFileError(file: path, line: nil, key: "", reason: "cannot be read")
        }
        guard data.count <= maximumSize else {
            throw PolicyFileError(file: path, line: nil, key: "", reason: "is larger than 1 MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PolicyFileError(file: path, line: nil, key: "", reason: "is not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PolicyFileError(file: path, line: nil, key: "", reason: "is empty")
            }
            root = node
        } catch let error as PolicyFileError {
            throw error
        } catch {
            throw PolicyFileError(file: path, line: nil, key: "", reason: "is not valid YAML: \(error)")
        }
        return try PolicyReader(file: path, directory: url.deletingLastPathComponent()).read(root)
    }
}

/// Walks a policy document strictly: unknown keys and mistyped values are errors.
private struct PolicyReader {
    let file: String
    let directory: URL

    func error(_ node: Node?, _ key: String, _ reason: String) -> PolicyFileError {
        PolicyFileError(file: file, line: node?.mark.map { $0.line }, key: key, reason: reason)
    }

    func mapping(_ node: Node, _ key: String, allowed: Set<String>) throws -> [(String, Node)] {
        guard let mapping = node.mapping else { throw error(node, key, "expected a mapping") }
        var pairs: [(String, Node)] = []
        for (name, value) in mapping {
            guard let text = name.scalar?.string else { throw error(name, key, "keys must be strings") }
            let path = key.isEmpty ? text : "\(key).\(text)"
            guard !pairs.contains(where: { $0.0 == text }) else { throw error(name, path, "is given twice") }
            guard allowed.contains(text) else {
                throw error(name, path, "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            pairs.append((text, value))
        }
        return pairs
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard let scalar = node.scalar else { throw error(node, key, "expected a string") }
        return scalar.string
    }

    /// A SHA-256 digest in either case, kept in lowercase, the spelling certificates use.
    func digest(_ node: Node, _ key: String) throws -> String {
        guard let bytes = Hex.bytes(try string(node, key), caseInsensitive: true), bytes.count == 32 else {
            throw error(node, key, "expected a SHA-256 digest: 64 hex digits")
        }
        return bytes.hexString
    }

    func sequence(_ node: Node, _ key: String) throws -> [Node] {
        guard let sequence = node.sequence else { throw error(node, key, "expected a list") }
        return Array(sequence)
    }

    /// `boot:` rules on a platform's firmware event log.
    func bootRules(_ node: Node, _ key: String) throws -> VerificationPolicy.BootRules {
        var rules = VerificationPolicy.BootRules()
        for (field, value) in try mapping(
            node, key, allowed: ["secure_boot", "applications", "command_lines", "separators"])
        {
            let fieldKey = "\(key).\(field)"
            switch field {
            case "secure_boot", "separators":
                guard let flag = value.bool else { throw error(value, fieldKey, "expected true or false") }
                if field == "secure_boot" { rules.secureBoot = flag } else { rules.requireSeparators = flag }
            case "applications":
                rules.applications = try sequence(value, fieldKey).map { try digest($0, fieldKey) }
            default:
                rules.commandLines = try sequence(value, fieldKey).map { try string($0, fieldKey) }
            }
        }
        return rules
    }

    /// `pcrs: {sha256: {N: digest or [digests]}}` for PCRs 0–13.
    func pcrs(_ node: Node, _ key: String) throws -> [Int: [String]] {
        var values: [Int: [String]] = [:]
        for (_, bank) in try mapping(node, key, allowed: ["sha256"]) {
            let bankKey = "\(key).sha256"
            guard let entries = bank.mapping else {
                throw error(bank, bankKey, "expected a mapping of PCR index to digest")
            }
            for (indexNode, allowed) in entries {
                guard let index = indexNode.int, (0...13).contains(index) else {
                    throw error(indexNode, bankKey, "PCR indices must be 0 to 13")
                }
                let itemKey = "\(bankKey).\(index)"
                values[index] =
                    allowed.sequence != nil
                    ? try sequence(allowed, itemKey).map { try digest($0, itemKey) }
                    : [try digest(allowed, itemKey)]
            }
        }
        return values
    }

    /// One entry of `images:`: a base image's identity, reference PCRs and optional boot rules.
    func image(_ node: Node, _ key: String) throws -> KnownImage {
        var name: String?
        var version: String?
        var uki: String?
        var values: [Int: [String]] = [:]
        var rules: VerificationPolicy.BootRules?
        for (field, value) in try mapping(node, key, allowed: ["name", "version", "uki_sha256", "pcrs", "boot"]) {
            let fieldKey = "\(key).\(field)"
            switch field {
            case "name": name = try string(value, fieldKey)
            case "version": version = try string(value, fieldKey)
            case "uki_sha256": uki = try digest(value, fieldKey)
            case "pcrs": values = try pcrs(value, fieldKey)
            default: rules = try bootRules(value, fieldKey)
            }
        }
        guard let name, let version, let uki else {
            throw error(node, key, "name, version and uki_sha256 are required")
        }
        guard !values.isEmpty else {
            throw error(node, "\(key).pcrs", "is required: an image is known by its PCR values")
        }
        return KnownImage(
            identity: ImageIdentity(name: name, version: version, ukiSHA256: uki), referencePCRs: values,
            bootRules: rules)
    }

    func read(_ root: Node) throws -> PolicyFile {
        var policy = VerificationPolicy()
        var roots: [Certificate] = []
        var timestampRoots: [Certificate] = []
        var sawVersion = false
        for (key, value) in try mapping(
            root, "",
            allowed: [
                "version", "trusted_roots", "tsa_roots", "platforms", "images", "allow_unmeasured_boot", "inputs",
                "outputs",
            ])
        {
            switch key {
            case "version":
                guard value.int == 1 else { throw error(value, key, "expected 1") }
                sawVersion = true
            case "trusted_roots":
                roots += try certificates(value, key)
            case "tsa_roots":
                timestampRoots += try certificates(value, key)
            case "platforms":
                for (platform, body) in try mapping(value, key, allowed: ["local", "remote", "qemu", "azure"]) {
                    let platformKey = "platforms.\(platform)"
                    for (section, sectionNode) in try mapping(body, platformKey, allowed: ["pcrs", "boot"]) {
                        if section == "boot" {
                            policy.bootRules[platform] = try bootRules(sectionNode, "\(platformKey).boot")
                            continue
                        }
                        policy.referencePCRs[platform] = try pcrs(sectionNode, "\(platformKey).pcrs")
                    }
                }
            case "images":
                policy.images = try sequence(value, key).enumerated().map { index, item in
                    try image(item, "images[\(index)]")
                }
            case "allow_unmeasured_boot":
                guard let flag = value.bool else { throw error(value, key, "expected true or false") }
                policy.allowUnmeasuredBoot = flag
            case "inputs", "outputs":
                var requirements: [VerificationPolicy.Requirement] = []
                for (index, item) in try sequence(value, key).enumerated() {
                    let itemKey = "\(key)[\(index)]"
                    let allowed: Set<String> = key == "inputs" ? ["name", "digest", "commit"] : ["name", "digest"]
                    var requirement = VerificationPolicy.Requirement(name: "")
                    for (field, fieldValue) in try mapping(item, itemKey, allowed: allowed) {
                        switch field {
                        case "name": requirement.name = try string(fieldValue, "\(itemKey).name")
                        case "digest": requirement.digest = try digest(fieldValue, "\(itemKey).digest")
                        default:
                            let commit = Hex.bytes(
                                try string(fieldValue, "\(itemKey).commit"), caseInsensitive: true)
                            guard let commit, [20, 32].contains(commit.count) else {
                                throw error(
                                    fieldValue, "\(itemKey).commit", "expected a git commit id: 40 or 64 hex digits")
                            }
                            requirement.commit = commit.hexString
                        }
                    }
                    guard !requirement.name.isEmpty else { throw error(item, "\(itemKey).name", "is required") }
                    requirements.append(requirement)
                }
                if key == "inputs" { policy.inputs = requirements } else { policy.outputs = requirements }
            default:
                break
            }
        }
        guard sawVersion else { throw error(root, "version", "is required (version: 1)") }
        return PolicyFile(policy: policy, trustedRoots: roots, timestampRoots: timestampRoots)
    }

    /// The certificates of a list of PEM or DER files, relative to the policy's directory.
    private func certificates(_ value: Node, _ key: String) throws -> [Certificate] {
        var certificates: [Certificate] = []
        for item in try sequence(value, key) {
            let path = try string(item, key)
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
            guard let data = try? Data(contentsOf: url) else { throw error(item, key, "cannot read '\(path)'") }
            do {
                certificates += try TrustStore.certificates(in: data, source: path)
            } catch {
                throw self.error(item, key, "\(error)")
            }
        }
        return certificates
    }
}
