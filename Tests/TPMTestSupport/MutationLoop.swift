import Foundation

/// A seeded, deterministic mutation loop over one parser: every seed of a corpus as it is, then
/// a fixed number of mutants, each drawn from a seed or from a mutant the parser accepted
/// earlier (so the loop goes deeper than one mutation from a valid input).
///
/// The parser runs in the test process, so a trap ends the run; the loop is deterministic, so
/// the same seed reaches the same input again. What the parser must satisfy on each input (only
/// its typed errors, invariants of what it accepts) is the caller's closure to check.
public struct MutationLoop {
    /// What a run did, for the test's output: how many inputs, how many accepted, how fast.
    public struct Figures: CustomStringConvertible, Sendable {
        public let target: String
        public let executions: Int
        public let accepted: Int
        /// How many of the corpus's seeds were accepted.
        public let seedsAccepted: Int
        /// Seeds accepted though named `reject-`, or refused though not.
        public let seedsWithWrongVerdict: [String]
        public let seconds: Double

        public var perSecond: Int { seconds > 0 ? Int(Double(executions) / seconds) : executions }

        public var description: String {
            "fuzz \(target): \(executions) executions, \(accepted) accepted, "
                + "\(String(format: "%.2f", seconds)) s, \(perSecond) per second"
        }
    }

    /// The most accepted mutants kept as further starting points.
    static let poolLimit = 512

    public let corpus: FuzzCorpus
    public let executions: Int
    public let seed: UInt64
    public let dictionary: [[UInt8]]
    public let maximumLength: Int

    public init(
        corpus: FuzzCorpus, executions: Int, seed: UInt64, dictionary: [[UInt8]] = [], maximumLength: Int = 1 << 16
    ) {
        self.corpus = corpus
        self.executions = executions
        self.seed = seed
        self.dictionary = dictionary
        self.maximumLength = maximumLength
    }

    /// Runs `parse` on every seed and then on `executions` mutants; `parse` returns whether the
    /// input was accepted, and records an issue itself for anything that breaks the property.
    public func run(_ parse: ([UInt8]) throws -> Bool) rethrows -> Figures {
        var mutator = ByteMutator(seed: seed, dictionary: dictionary, maximumLength: maximumLength)
        var pool = corpus.seeds.filter { !$0.mustBeRefused }.map(\.bytes)
        precondition(!pool.isEmpty, "the corpus of \(corpus.target) has no seed to accept")
        let kept = pool.count
        let start = ContinuousClock.now
        var wrong: [String] = []
        var seedsAccepted = 0
        for seed in corpus.seeds {
            let accepted = try parse(seed.bytes)
            if accepted { seedsAccepted += 1 }
            if accepted == seed.mustBeRefused { wrong.append(seed.name) }
        }
        var accepted = seedsAccepted
        for _ in 0..<executions {
            let base = pool[mutator.below(pool.count)]
            let other = pool[mutator.below(pool.count)]
            let mutant = mutator.mutant(of: base, splicingWith: other)
            if try parse(mutant) {
                accepted += 1
                // The seeds stay; earlier mutants make room for later ones.
                if pool.count < max(Self.poolLimit, kept + 1) {
                    pool.append(mutant)
                } else {
                    pool[kept + mutator.below(pool.count - kept)] = mutant
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let figures = Figures(
            target: corpus.target, executions: executions + corpus.seeds.count, accepted: accepted,
            seedsAccepted: seedsAccepted, seedsWithWrongVerdict: wrong, seconds: seconds)
        print(figures)
        return figures
    }

    /// `bytes` in hexadecimal, at most the first 4 KiB, to put a failing input in an issue.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        let shown = String(
            decoding: bytes.prefix(4096).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
        return bytes.count > 4096 ? shown + "… (\(bytes.count) bytes)" : shown
    }
}
