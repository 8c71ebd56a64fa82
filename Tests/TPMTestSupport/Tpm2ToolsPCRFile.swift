import TPM2

/// tpm2-tools' "serialized" PCR file (what `tpm2_quote -o` writes and `tpm2_checkquote -f` reads):
/// its in-memory `TPML_PCR_SELECTION`, then the number of `TPML_DIGEST` blocks and each block,
/// little-endian with C struct padding. (tpm2-tools 5.4 fails to read raw values with `-l`.)
public enum Tpm2ToolsPCRFile {
    public static func serialized(sha256 values: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        func le32(_ value: Int) { bytes += withUnsafeBytes(of: UInt32(value).littleEndian, Array.init) }
        le32(1)
        let bitmap = PCRSelection(hash: .sha256, pcrs: 0..<values.count).bitmap
        // TPMS_PCR_SELECTION[16]: hash (LE), sizeofSelect, pcrSelect[4], one byte of padding.
        bytes += [0x0B, 0x00, UInt8(bitmap.count)] + bitmap + [UInt8](repeating: 0, count: 5 - bitmap.count)
        bytes += [UInt8](repeating: 0, count: 15 * 8)
        let blocks = stride(from: 0, to: values.count, by: 8).map { Array(values[$0..<min($0 + 8, values.count)]) }
        le32(blocks.count)
        for block in blocks {
            le32(block.count)
            for index in 0..<8 {
                let digest = index < block.count ? block[index] : []
                bytes += [UInt8(digest.count), 0] + digest + [UInt8](repeating: 0, count: 64 - digest.count)
            }
        }
        return bytes
    }
}
