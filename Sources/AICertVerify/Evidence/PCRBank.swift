import AICertCore
import TPM2

/// Why carried PCR values cannot be read: the checks report it as `pcr-values-malformed`.
///
/// Thrown by ``PCRBank``'s initializers; ``AttestationEvidence`` keeps it as the issue of its
/// ``AttestationEvidence/banks``.
public struct PCRBankError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A sentence naming the PCR or member that is wrong, and how.
    public let description: String

    /// An error explained by `description`; only this module creates them.
    init(_ description: String) { self.description = description }
}

/// The values of one PCR bank: PCR index → a value of the bank's digest size.
///
/// PCR values are read into a bank once, where they enter (a certificate's or identity
/// document's `pcrs` member, a tpm2-tools PCR file), with every index and size checked; every
/// check after that reads the bank, never the text again.
public struct PCRBank: Hashable, Sendable {
    /// The PCR indices a PC Client TPM has.
    public static let indices = 0...23

    /// The bank's hash algorithm.
    public let algorithm: AlgorithmID
    /// PCR index → value, each of the algorithm's digest size.
    public let values: [Int: [UInt8]]

    /// A bank of `algorithm` holding `values`; every index must be a PCR and every value of the
    /// algorithm's digest size.
    ///
    /// - Throws: ``PCRBankError`` when `algorithm` is not a hash, an index is outside
    ///   ``indices``, or a value has the wrong size.
    public init(_ algorithm: AlgorithmID, values: [Int: [UInt8]]) throws(PCRBankError) {
        guard let size = algorithm.digestSize else {
            throw PCRBankError("\(algorithm) is not a hash algorithm, so it is no PCR bank")
        }
        for (pcr, value) in values {
            guard Self.indices.contains(pcr) else { throw PCRBankError("PCR \(pcr) is not a PCR index from 0 to 23") }
            guard value.count == size else {
                throw PCRBankError("\(algorithm) PCR \(pcr) is \(value.count) bytes, not \(size)")
            }
        }
        self.algorithm = algorithm
        self.values = values
    }

    /// The SHA-256 bank of a `pcrs` member as certificates and identity documents write it:
    /// `{"sha256": {"0": "…", …}}` with decimal indices and 64 lowercase hex digits, nothing else.
    ///
    /// One spelling per PCR: `"07"` or `"+7"` is refused, so that two members cannot name the
    /// same PCR.
    ///
    /// - Throws: ``PCRBankError`` when the member holds another bank, an index or a value is
    ///   not in that form, or an index is not a PCR.
    public init(pcrsMember member: [String: [String: String]]) throws(PCRBankError) {
        guard member.keys.sorted() == ["sha256"], let bank = member["sha256"] else {
            throw PCRBankError("pcrs must hold the sha256 bank only; it holds \(member.keys.sorted())")
        }
        var values: [Int: [UInt8]] = [:]
        for (index, text) in bank {
            guard let pcr = Self.index(index) else {
                throw PCRBankError("pcrs.sha256 has '\(index)', not a PCR index from 0 to 23 in decimal")
            }
            guard let value = Hex.bytes(text), value.count == 32 else {
                throw PCRBankError("pcrs.sha256.\(index) is not 32 bytes of lowercase hex")
            }
            values[pcr] = value
        }
        try self.init(.sha256, values: values)
    }

    /// The value of PCR `pcr`, if the bank holds it.
    public subscript(pcr: Int) -> [UInt8]? { values[pcr] }

    /// The bank's PCR indices, ascending.
    public var pcrs: [Int] { values.keys.sorted() }

    /// `0–15` or `0–15, 17`: PCR indices as ranges, for reports.
    ///
    /// Indices are sorted first; runs of consecutive indices are joined with an en dash.
    public static func ranges(_ pcrs: some Sequence<Int>) -> String {
        var parts: [String] = []
        var start: Int?
        var previous = -2
        for pcr in pcrs.sorted() + [Int.max] {
            if pcr != previous + 1 {
                if let start { parts.append(start == previous ? "\(start)" : "\(start)–\(previous)") }
                start = pcr
            }
            previous = pcr
        }
        return parts.joined(separator: ", ")
    }

    /// A decimal PCR index without sign or leading zero (`7`, never `07` or `+7`), so that one
    /// PCR has one spelling.
    private static func index(_ text: String) -> Int? {
        guard (1...2).contains(text.utf8.count),
            text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            text == "0" || !text.hasPrefix("0"), let pcr = Int(text), indices.contains(pcr)
        else { return nil }
        return pcr
    }
}
