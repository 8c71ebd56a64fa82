/// A manifest as it appears in a certificate: `{"version": 1, "entries": [...]}`, the same
/// shape its digest is computed over. Decoding re-checks every rule of ``Manifest/init(entries:)``.
extension Manifest: Codable {
    private enum CodingKeys: String, CodingKey { case version, entries }
    private enum EntryKeys: String, CodingKey { case path, type, size, sha256, target }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == Manifest.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: container, debugDescription: "manifest version \(version) is not \(Manifest.formatVersion)")
        }
        var list = try container.nestedUnkeyedContainer(forKey: .entries)
        var entries: [ManifestEntry] = []
        while !list.isAtEnd {
            guard entries.count < ManifestLimits.maximumEntries else {
                throw DecodingError.dataCorruptedError(in: list, debugDescription: "too many manifest entries")
            }
            let entry = try list.nestedContainer(keyedBy: EntryKeys.self)
            let path = try entry.decode(String.self, forKey: .path)
            switch try entry.decode(String.self, forKey: .type) {
            case "file":
                let size = try entry.decode(UInt64.self, forKey: .size)
                let hex = try entry.decode(String.self, forKey: .sha256)
                guard let digest = SHA256Hash(hex: hex) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .sha256, in: entry, debugDescription: "'\(hex)' is not a SHA-256 digest in hex")
                }
                entries.append(ManifestEntry(path: path, kind: .file(FileDigest(size: size, sha256: digest))))
            case "symlink":
                entries.append(ManifestEntry(path: path, kind: .symlink(target: try entry.decode(String.self, forKey: .target))))
            case "dir":
                entries.append(ManifestEntry(path: path, kind: .emptyDirectory))
            case let other:
                throw DecodingError.dataCorruptedError(
                    forKey: .type, in: entry, debugDescription: "unknown manifest entry type '\(other)'")
            }
        }
        do {
            try self.init(entries: entries)
        } catch let error as MeasurementError {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Manifest.formatVersion, forKey: .version)
        var list = container.nestedUnkeyedContainer(forKey: .entries)
        for item in entries {
            var entry = list.nestedContainer(keyedBy: EntryKeys.self)
            try entry.encode(item.path, forKey: .path)
            try entry.encode(item.typeName, forKey: .type)
            switch item.kind {
            case .file(let digest):
                try entry.encode(digest.size, forKey: .size)
                try entry.encode(digest.sha256.hex, forKey: .sha256)
            case .symlink(let target):
                try entry.encode(target, forKey: .target)
            case .emptyDirectory:
                break
            }
        }
    }
}
