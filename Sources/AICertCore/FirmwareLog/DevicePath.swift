/// The parts of a UEFI device path (`EFI_DEVICE_PATH_PROTOCOL` nodes) that name a file.
enum DevicePath {
    private static let mediaType: UInt8 = 0x04
    private static let filePathSubtype: UInt8 = 0x04
    private static let endType: UInt8 = 0x7F
    private static let nodeHeaderSize = 4

    /// The file path nodes of the first device path instance joined with `\`, e.g.
    /// `\EFI\BOOT\BOOTX64.EFI`; `nil` when there are none or the nodes do not parse.
    static func filePath(_ bytes: [UInt8]) -> String? {
        var reader = LittleEndianReader(bytes, record: nil)
        var components: [String] = []
        do {
            while !reader.isAtEnd {
                let type = try reader.read(UInt8.self, "type")
                let subtype = try reader.read(UInt8.self, "subtype")
                let length = Int(try reader.read(UInt16.self, "length"))
                guard length >= nodeHeaderSize else { return nil }
                let body = try reader.readBytes(length - nodeHeaderSize, "data")
                // The end of this instance (or of the whole path) ends the file name.
                if type == endType { break }
                if type == mediaType && subtype == filePathSubtype {
                    guard let text = EventText.strictUTF16(body[...]) else { return nil }
                    components.append(text)
                }
            }
        } catch {
            return nil
        }
        guard !components.isEmpty else { return nil }
        return components.dropFirst().reduce(components[0]) { path, next in
            if path.hasSuffix("\\") || next.hasPrefix("\\") { return path + next }
            return path + "\\" + next
        }
    }
}
