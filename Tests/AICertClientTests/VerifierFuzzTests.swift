import AICertCore
import AICertVerify
import Foundation
import TPMTestSupport
import Testing
import X509

@testable import AICertClient

/// Random byte- and JSON-level mutations of a real certificate never crash the verifier: each
/// is either "could not verify" (exit 2) or a report (exit 0 or 1), and a mutant stays valid
/// only where it changed members no decision reads (docs/verification-rules.md).
@Suite(.timeLimit(.minutes(3)))
struct VerifierFuzzTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AICertVerifyTests/Fixtures")

    enum Outcome { case cannotVerify, valid, invalid }

    static func verify(_ data: Data, roots: [Certificate]) async -> Outcome {
        do {
            let report: VerificationReport
            switch try CertificateFile.decode(data, path: "mutant") {
            case .v1(let certificate):
                report = await CertificateVerifier.verify(
                    certificate, options: VerificationOptions(trustRoots: roots, allowUnmeasuredBoot: true))
            case .legacy(let proof):
                report = await LegacyVerifier.verify(
                    proof, options: VerificationOptions(trustRoots: roots, allowUnmeasuredBoot: true))
            }
            return report.valid ? .valid : .invalid
        } catch is CannotVerify {
            return .cannotVerify
        } catch {
            Issue.record("an error that is not CannotVerify escaped: \(error)")
            return .cannotVerify
        }
    }

    /// Replaces one value somewhere in a JSON tree with a random other value.
    static func mutate(_ value: Any, using random: inout SplitMix64, depth: Int = 0) -> Any {
        let replacements: [Any] = [
            NSNull(), true, 0, -1, 1 << 40, "", "AAAA", String(repeating: "f", count: 64), [Any](), [String: Any](),
            "aicert/v1", "sha256",
        ]
        if let object = value as? [String: Any], !object.isEmpty, depth < 8, random.next() % 5 != 0 {
            var object = object
            let keys = object.keys.sorted()
            let key = keys[Int(random.next() % UInt64(keys.count))]
            switch random.next() % 6 {
            case 0: object[key] = nil
            case 1: object[key] = replacements[Int(random.next() % UInt64(replacements.count))]
            default: object[key] = mutate(object[key]!, using: &random, depth: depth + 1)
            }
            return object
        }
        if let array = value as? [Any], !array.isEmpty, depth < 8, random.next() % 5 != 0 {
            var array = array
            let index = Int(random.next() % UInt64(array.count))
            switch random.next() % 6 {
            case 0: array.remove(at: index)
            case 1: array.append(array[index])
            case 2: array.swapAt(index, Int(random.next() % UInt64(array.count)))
            default: array[index] = mutate(array[index], using: &random, depth: depth + 1)
            }
            return array
        }
        if let text = value as? String, !text.isEmpty, random.next() % 2 == 0 {
            var bytes = Array(text.utf8)
            bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(ascii: "A") + UInt8(random.next() % 26)
            return String(decoding: bytes, as: UTF8.self)
        }
        return replacements[Int(random.next() % UInt64(replacements.count))]
    }

    /// The members of `aicert/v1` (docs/certificate-format.md); any other is ignored by the format.
    static let definedMembers: Set<String> = [
        "format", "platform", "runner_time", "nonce", "event_log", "manifests", "quote", "pcrs", "attestation_key",
        "summary",
        "firmware_event_log",
    ]

    /// Whether a change at `path` may leave a certificate valid: `runner_time`, members the format
    /// does not define, and carried chain material past the AK certificate (used only to build a
    /// path, which the trusted root then decides).
    static func isInformational(_ path: [String]) -> Bool {
        guard let top = path.first else { return false }
        if top == "runner_time" || !definedMembers.contains(top) { return true }
        return path.count >= 2 && path[0] == "attestation_key" && path[1] == "certificate_chain"
            && (path.count == 2 || path[2] != "0")
    }

    /// The paths at which two JSON trees differ (objects by member, arrays by index).
    static func differences(_ a: Any?, _ b: Any?, at path: [String] = []) -> [[String]] {
        if let x = a as? [String: Any], let y = b as? [String: Any] {
            return Set(x.keys).union(y.keys).sorted().flatMap { differences(x[$0], y[$0], at: path + [$0]) }
        }
        if let x = a as? [Any], let y = b as? [Any], x.count == y.count {
            return x.indices.flatMap { differences(x[$0], y[$0], at: path + [String($0)]) }
        }
        if let x = a as? NSObject, let y = b as? NSObject, x.isEqual(y), type(of: x) == type(of: y) { return [] }
        return a == nil && b == nil ? [] : [path]
    }

    @Test func tenThousandMutationsNeverCrashAndEachIsAVerdict() async throws {
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("certificate.json"))
        let roots = try TrustStore.certificates(
            in: Data(contentsOf: Self.fixtures.appendingPathComponent("root.pem")), source: "root.pem")
        #expect(await Self.verify(original, roots: roots) == .valid)
        let tree = try JSONSerialization.jsonObject(with: original)
        var random = SplitMix64(seed: 0xA1CE_27)
        var outcomes: [Outcome: Int] = [:]
        for round in 0..<10_000 {
            let mutant: Data
            if round.isMultiple(of: 2) {
                var bytes = [UInt8](original)
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                if random.next() % 8 == 0 { bytes.removeLast(Int(random.next() % UInt64(bytes.count))) }
                mutant = Data(bytes)
            } else {
                mutant = try JSONSerialization.data(
                    withJSONObject: Self.mutate(tree, using: &random), options: .fragmentsAllowed)
            }
            let outcome = await Self.verify(mutant, roots: roots)
            outcomes[outcome, default: 0] += 1
            if outcome == .valid {
                let changed = Self.differences(tree, try? JSONSerialization.jsonObject(with: mutant))
                let decisive = changed.filter { !Self.isInformational($0) }
                #expect(
                    decisive.isEmpty,
                    "round \(round): a mutant of \(decisive.map { $0.joined(separator: ".") }) stays valid")
            }
        }
        // Both kinds of rejection occur; a mutation may leave the certificate valid only where it
        // touched nothing the verifier reads (whitespace, an ignored member).
        #expect((outcomes[.cannotVerify] ?? 0) > 1000)
        #expect((outcomes[.invalid] ?? 0) > 1000)
    }

    /// Every path to a leaf or member of a JSON tree.
    static func paths(_ value: Any, at path: [String] = []) -> [[String]] {
        if let object = value as? [String: Any] {
            return object.keys.sorted().flatMap { [path + [$0]] + paths(object[$0]!, at: path + [$0]) }
        }
        if let array = value as? [Any] {
            return array.indices.flatMap { [path + [String($0)]] + paths(array[$0], at: path + [String($0)]) }
        }
        return []
    }

    /// `tree` with the value at `path` replaced by `change(old)`, or removed when it gives nil.
    static func replacing(_ tree: Any, at path: [String], _ change: (Any) -> Any?) -> Any {
        guard let head = path.first else { return change(tree) ?? NSNull() }
        let rest = Array(path.dropFirst())
        if var object = tree as? [String: Any], let child = object[head] {
            object[head] = rest.isEmpty ? change(child) : replacing(child, at: rest, change)
            return object
        }
        if var array = tree as? [Any], let index = Int(head), array.indices.contains(index) {
            if rest.isEmpty, let new = change(array[index]) {
                array[index] = new
            } else if rest.isEmpty {
                array.remove(at: index)
            } else {
                array[index] = replacing(array[index], at: rest, change)
            }
            return array
        }
        return tree
    }

    /// A leaf changed as a forger would: a string with one character changed, a number plus one,
    /// a flag flipped; containers lose their member.
    static func changed(_ value: Any) -> Any? {
        if let text = value as? String {
            guard let first = text.first else { return "x" }
            return String(first == "a" ? "b" : "a") + text.dropFirst()
        }
        if let number = value as? NSNumber, !(value is Bool) { return number.int64Value + 1 }
        if let flag = value as? Bool { return !flag }
        return nil
    }

    @Test func everyMemberChangedOrRemovedOneAtATimeEitherFailsOrIsInformational() async throws {
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("certificate.json"))
        let roots = try TrustStore.certificates(
            in: Data(contentsOf: Self.fixtures.appendingPathComponent("root.pem")), source: "root.pem")
        let tree = try JSONSerialization.jsonObject(with: original)
        let all = Self.paths(tree)
        #expect(all.count > 100)
        var tried = 0
        for path in all {
            for removing in [false, true] {
                let mutant = Self.replacing(tree, at: path, removing ? { _ in nil } : Self.changed)
                let data = try JSONSerialization.data(withJSONObject: mutant)
                guard Self.differences(tree, try JSONSerialization.jsonObject(with: data)).isEmpty == false else {
                    continue
                }
                tried += 1
                if await Self.verify(data, roots: roots) == .valid {
                    #expect(
                        Self.isInformational(path),
                        "changing \(path.joined(separator: ".")) leaves the certificate valid")
                }
                // A certificate that fails (no trusted root) never turns valid by a change.
                #expect(await Self.verify(data, roots: []) != .valid, "\(path.joined(separator: "."))")
            }
        }
        #expect(tried > 200)
    }
}
