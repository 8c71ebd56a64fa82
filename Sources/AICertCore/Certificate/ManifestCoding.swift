/// A manifest as it appears in a certificate: `{"version": 1, "entries": [...]}`, the same
/// shape its digest is computed over. Decoding re-checks every rule of ``Manifest/init(entries:)``.
extension Manifest: Codable {
    private enum CodingKeys: String, CodingKey { case version, entries }
    private enum EntryKeys: String, CodingKey { case path, type, size, sha256, target }

    /// Any member name, to find the ones a manifest must not have.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws if `container` has a member outside `allowed`: the manifest digest covers only
    /// the listed members, so anything else would be unattested.
    private static func requireOnly(_ allowed: Set<String>, in container: KeyedDecodingContainer<AnyKey>) throws {
        if let extra = container.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorrupted(
                .init(codingPath: container.codingPath, debugDescription: "unknown member '\(extra)' in a manifest"))
        }
    }

    public init(from decoder: any Decoder) throws {
        try Self.requireOnly(["version", "entries"], in: try decoder.container(keyedBy: AnyKey.self))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == Manifest.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: container,
                debugDescription: "manifest version \(version) is not \(Manifest.formatVersion)")
        }
        var list = try container.nestedUnkeyedContainer(forKey: .entries)
        var entries: [ManifestEntry] = []
        while !list.isAtEnd {
            guard entries.count < ManifestLimits.maximumEntries else {
                throw DecodingError.dataCorruptedError(in: list, debugDescription: "too many manifest entries")
            }
            entries.append(try list.decode(EntryDecoding.self).entry)
        }
        // One manifest has one encoding: entries in canonical order, as the digest covers them.
        if let index = entries.indices.dropFirst().first(where: {
            !PathRules.precedes(entries[$0 - 1].path, entries[$0].path)
        }) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: container.codingPath,
                    debugDescription: "entry \(index) '\(entries[index].path)' is out of canonical order or repeated"))
        }
        do {
            try self.init(entries: entries)
        } catch let error as MeasurementError {
            throw DecodingError.dataCorrupted(
                .init(codingPath: container.codingPath, debugDescription: error.description))
        }
    }

    /// One entry, read strictly: only the members of its type.
    private struct EntryDecoding: Decodable {
        let entry: ManifestEntry

        init(from decoder: any Decoder) throws {
            let entry = try decoder.container(keyedBy: EntryKeys.self)
            let path = try entry.decode(String.self, forKey: .path)
            let type = try entry.decode(String.self, forKey: .type)
            let allowed: Set<String> =
                switch type {
                case "file": ["path", "type", "size", "sha256"]
                case "symlink": ["path", "type", "target"]
                default: ["path", "type"]
                }
            try Manifest.requireOnly(allowed, in: try decoder.container(keyedBy: AnyKey.self))
            switch type {
            case "file":
                let size = try entry.decode(UInt64.self, forKey: .size)
                let hex = try entry.decode(String.self, forKey: .sha256)
                guard let digest = SHA256Hash(hex: hex), digest.hex == hex else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .sha256, in: entry,
                        debugDescription: "'\(hex)' is not a SHA-256 digest in lowercase hex")
                }
                self.entry = ManifestEntry(path: path, kind: .file(FileDigest(size: size, sha256: digest)))
            case "symlink":
                self.entry = ManifestEntry(
                    path: path, kind: .symlink(target: try entry.decode(String.self, forKey: .target)))
            case "dir":
                self.entry = ManifestEntry(path: path, kind: .emptyDirectory)
            case let other:
                throw DecodingError.dataCorruptedError(
                    forKey: .type, in: entry, debugDescription: "unknown manifest entry type '\(other)'")
            }
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
