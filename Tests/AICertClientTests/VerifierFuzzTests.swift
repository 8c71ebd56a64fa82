import AICertCore
import AICertVerify
import Foundation
import Testing
import X509

@testable import AICertClient

/// Random byte- and JSON-level mutations of a real certificate never crash the verifier:
/// each is either "could not verify" (exit 2) or a report (exit 0 or 1).
@Suite(.timeLimit(.minutes(3)))
struct VerifierFuzzTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AICertVerifyTests/Fixtures")

    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum Outcome { case cannotVerify, valid, invalid }

    static func verify(_ data: Data, roots: [Certificate]) async -> Outcome {
        do {
            let report: VerificationReport
            switch try CertificateFile.decode(data, path: "mutant") {
            case .v1(let certificate): report = await CertificateVerifier.verify(certificate, options: VerificationOptions(trustRoots: roots))
            case .legacy(let proof): report = await LegacyVerifier.verify(proof, options: VerificationOptions(trustRoots: roots))
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
    static func mutate(_ value: Any, using random: inout SplitMix, depth: Int = 0) -> Any {
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

    @Test func tenThousandMutationsNeverCrashAndEachIsAVerdict() async throws {
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("certificate.json"))
        let roots = try TrustStore.certificates(
            in: Data(contentsOf: Self.fixtures.appendingPathComponent("root.pem")), source: "root.pem")
        #expect(await Self.verify(original, roots: roots) == .valid)
        let tree = try JSONSerialization.jsonObject(with: original)
        var random = SplitMix(state: 0xA1CE_27)
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
                mutant = try JSONSerialization.data(withJSONObject: Self.mutate(tree, using: &random), options: .fragmentsAllowed)
            }
            outcomes[await Self.verify(mutant, roots: roots), default: 0] += 1
        }
        // Both kinds of rejection occur; a mutation may leave the certificate valid only where it
        // touched nothing the verifier reads (whitespace, an ignored member).
        #expect((outcomes[.cannotVerify] ?? 0) > 1000)
        #expect((outcomes[.invalid] ?? 0) > 1000)
    }
}
