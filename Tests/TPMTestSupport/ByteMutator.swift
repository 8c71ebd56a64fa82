/// Seeded mutations of a parser's input, in the manner of libFuzzer's mutators: bit flips, byte
/// changes, inserted, deleted and duplicated runs, splices with another input, "interesting"
/// integers (binary in both byte orders, and as decimal or octal text), dictionary tokens and
/// truncation. The same seed gives the same mutants on every run, so a failure can be replayed.
public struct ByteMutator {
    /// One kind of change.
    enum Mutation: CaseIterable {
        case flipBit, setByte, insertBytes, deleteBytes, duplicateBytes, splice, binaryInteger, textInteger
        case insertToken, overwriteToken, truncate
    }

    /// Values at the edges of the usual integer widths, where length and size checks go wrong.
    static let interestingIntegers: [UInt64] = [
        0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x1FF, 0x200, 0x201, 0x3FF, 0x400, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    /// The most bytes a mutant may grow to, so that a loop of insertions stays cheap.
    let maximumLength: Int
    private var random: SplitMix64
    private let dictionary: [[UInt8]]
    /// The mutations drawn from: those with tokens only when there is a dictionary.
    private let mutations: [Mutation]

    /// Mutates with choices drawn from `seed`; `dictionary` holds tokens of the input's syntax
    /// (JSON punctuation and member names, tar magic) that byte-level changes rarely produce.
    public init(seed: UInt64, dictionary: [[UInt8]] = [], maximumLength: Int = 1 << 16) {
        random = SplitMix64(seed: seed)
        self.dictionary = dictionary
        self.maximumLength = maximumLength
        mutations = Mutation.allCases.filter { !dictionary.isEmpty || ($0 != .insertToken && $0 != .overwriteToken) }
    }

    /// A number below `bound` (which must be above zero).
    mutating func below(_ bound: Int) -> Int {
        Int(random.next() % UInt64(bound))
    }

    /// `input` with one to four mutations, `other` being the material for a splice.
    public mutating func mutant(of input: [UInt8], splicingWith other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) { apply(mutations[below(mutations.count)], to: &bytes, other: other) }
        return bytes.count > maximumLength ? Array(bytes.prefix(maximumLength)) : bytes
    }

    private mutating func apply(_ mutation: Mutation, to bytes: inout [UInt8], other: [UInt8]) {
        switch mutation {
        case .flipBit:
            guard !bytes.isEmpty else { return }
            bytes[below(bytes.count)] ^= 1 << UInt8(below(8))
        case .setByte:
            guard !bytes.isEmpty else { return }
            bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
        case .insertBytes:
            let run = (0...below(16)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let inserted = below(2) == 0 ? run : Array(repeating: run[0], count: run.count)
            bytes.insert(contentsOf: inserted, at: position(in: bytes))
        case .deleteBytes:
            guard !bytes.isEmpty else { return }
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(64)))
        case .duplicateBytes:
            guard !bytes.isEmpty else { return }
            let start = below(bytes.count)
            let run = bytes[start..<min(bytes.count, start + 1 + below(1024))]
            bytes.insert(contentsOf: Array(run), at: position(in: bytes))
        case .splice:
            guard !other.isEmpty else { return }
            let start = below(other.count)
            let run = other[start..<min(other.count, start + 1 + below(other.count - start))]
            let at = position(in: bytes)
            bytes = Array(bytes[..<at]) + run + (below(2) == 0 ? bytes[at...] : [])
        case .binaryInteger:
            let value = Self.interestingIntegers[below(Self.interestingIntegers.count)] &+ UInt64(below(3)) &- 1
            let width = [1, 2, 4, 8][below(4)]
            let bigEndian = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - $0))) }
            overwrite(&bytes, with: below(2) == 0 ? bigEndian : bigEndian.reversed())
        case .textInteger:
            let value = Self.interestingIntegers[below(Self.interestingIntegers.count)]
            let text = below(2) == 0 ? String(value) : String(value, radix: 8)
            overwrite(&bytes, with: Array((below(4) == 0 ? "-" + text : text).utf8))
        case .insertToken:
            bytes.insert(contentsOf: dictionary[below(dictionary.count)], at: position(in: bytes))
        case .overwriteToken:
            overwrite(&bytes, with: dictionary[below(dictionary.count)])
        case .truncate:
            bytes.removeLast(bytes.isEmpty ? 0 : below(bytes.count) + 1)
        }
    }

    /// Where to insert: anywhere from the start to the end.
    private mutating func position(in bytes: [UInt8]) -> Int {
        below(bytes.count + 1)
    }

    /// Writes `run` over the bytes at a random place, growing the input if it runs past the end.
    private mutating func overwrite(_ bytes: inout [UInt8], with run: [UInt8]) {
        let start = position(in: bytes)
        let end = min(bytes.count, start + run.count)
        bytes.replaceSubrange(start..<end, with: run)
    }
}
