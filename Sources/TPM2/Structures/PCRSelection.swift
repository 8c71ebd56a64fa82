/// `TPMS_PCR_SELECTION`: one hash bank and a bitmap of the PCRs selected in it.
public struct PCRSelection: Hashable, Sendable, TPMCodable {
    /// The bank: the hash algorithm of the selected PCRs.
    public var hash: AlgorithmID
    /// The selection bitmap, bit `n % 8` of byte `n / 8` for PCR `n`, kept as sent.
    public var bitmap: [UInt8]

    /// A selection with the bitmap as given, e.g. as a TPM sent it.
    public init(hash: AlgorithmID, bitmap: [UInt8]) {
        self.hash = hash
        self.bitmap = bitmap
    }

    /// Selects `pcrs` in bank `hash`, with the usual three-byte bitmap (PCRs 0–23).
    ///
    /// The bitmap grows when a PCR above 23 is selected; negative indices are ignored.
    public init(hash: AlgorithmID, pcrs: some Sequence<Int>) {
        let indices = Array(pcrs)
        let size = max(3, ((indices.max() ?? 0) / 8) + 1)
        var bitmap = [UInt8](repeating: 0, count: size)
        for pcr in indices where pcr >= 0 {
            bitmap[pcr / 8] |= 1 << UInt8(pcr % 8)
        }
        self.init(hash: hash, bitmap: bitmap)
    }

    /// The selected PCR indices in ascending order.
    public var pcrs: [Int] {
        var result: [Int] = []
        for (byteIndex, byte) in bitmap.enumerated() {
            for bit in 0..<8 where byte & (1 << UInt8(bit)) != 0 {
                result.append(byteIndex * 8 + bit)
            }
        }
        return result
    }

    /// Reads a `TPMS_PCR_SELECTION`, refusing a bitmap over ``TPMLimits/pcrSelectBytes`` bytes.
    public init(from reader: inout TPMReader) throws {
        hash = try AlgorithmID(from: &reader)
        let size = Int(try reader.read(UInt8.self, "TPMS_PCR_SELECTION.sizeofSelect"))
        guard size <= TPMLimits.pcrSelectBytes else {
            throw TPM2Error.tooLarge("TPMS_PCR_SELECTION.sizeofSelect", size: size, max: TPMLimits.pcrSelectBytes)
        }
        bitmap = try reader.readBytes(size, "TPMS_PCR_SELECTION.pcrSelect")
    }

    /// Writes the bank, the bitmap size and the bitmap.
    public func encode(into writer: inout TPMWriter) {
        writer.write(hash)
        writer.write(UInt8(bitmap.count))
        writer.write(bytes: bitmap)
    }
}

/// `TPML_PCR_SELECTION`: the selections of several banks.
///
/// Its order matters: a quote hashes the selected PCR values in ``orderedPCRs`` order.
public struct PCRSelectionList: Hashable, Sendable, TPMBankList {
    /// The list's name in the TPM specification.
    public static let specificationName = "TPML_PCR_SELECTION"
    /// One selection per bank, in wire order.
    public var selections: [PCRSelection]

    /// A list of `selections`.
    public init(_ selections: [PCRSelection]) { self.selections = selections }

    /// The selections, as ``TPMBankList`` reads and writes them.
    public var elements: [PCRSelection] { selections }

    /// `(bank, pcr)` pairs in the order the TPM hashes them into a quote's `pcrDigest`:
    /// banks in list order, PCRs ascending within each.
    public var orderedPCRs: [(hash: AlgorithmID, pcr: Int)] {
        selections.flatMap { selection in selection.pcrs.map { (selection.hash, $0) } }
    }
}
