/// The record of a file or directory tree: every regular file's path, size and SHA-256, every
/// symbolic link's target, every empty directory, in canonical order, with one digest over all.
///
/// The digest is SHA-256 over the manifest's canonical JSON encoding (RFC 8785), specified in
/// `docs/certificate-format.md` under "Manifests", so that anyone can recompute it from the
/// entries. ``measure(_:options:progress:)`` builds a manifest from the file system;
/// ``init(entries:)`` rebuilds one from recorded entries and checks them.
public struct Manifest: Hashable, Sendable {
    /// The value of the `version` member of the encoding.
    public static let formatVersion = 1

    /// The entries, sorted by the UTF-8 bytes of their paths, paths unique.
    public let entries: [ManifestEntry]
    /// SHA-256 of ``canonicalJSON()``.
    public let digest: SHA256Hash

    /// A manifest of recorded entries, in any order.
    ///
    /// - Throws: ``MeasurementError`` with code `invalidManifest` (or `limitExceeded`) naming the
    ///   first offending path: a path or name that breaks the rules of a measured manifest, a
    ///   duplicate path, an entry below a file, link or empty directory, a file larger than
    ///   ``ManifestLimits/maximumFileSize``, or more than ``ManifestLimits/maximumEntries`` entries.
    public init(entries: [ManifestEntry]) throws {
        guard entries.count <= ManifestLimits.maximumEntries else {
            throw MeasurementError(
                .limitExceeded, path: "", "has \(entries.count) entries, more than \(ManifestLimits.maximumEntries)")
        }
        let sorted = entries.sorted { PathRules.precedes($0.path, $1.path) }
        var ancestors = Set<Substring>()
        for entry in sorted {
            if let problem = PathRules.problem(withPath: entry.path) {
                throw MeasurementError(.invalidManifest, path: entry.path, problem)
            }
            switch entry.kind {
            case .file(let digest) where digest.size > ManifestLimits.maximumFileSize:
                throw MeasurementError(.limitExceeded, path: entry.path, "has a size above 2^53 - 1")
            case .symlink(let target):
                if let problem = PathRules.problem(withLinkTarget: target) {
                    throw MeasurementError(.invalidManifest, path: entry.path, problem)
                }
            default:
                break
            }
            var end = entry.path.endIndex
            while let slash = entry.path[..<end].lastIndex(of: "/") {
                ancestors.insert(entry.path[..<slash])
                end = slash
            }
        }
        for (index, entry) in sorted.enumerated() {
            if index > 0 && sorted[index - 1].path == entry.path {
                throw MeasurementError(.invalidManifest, path: entry.path, "appears twice")
            }
            if ancestors.contains(entry.path[...]) {
                throw MeasurementError(
                    .invalidManifest, path: entry.path, "is a \(entry.typeName) entry but has entries below it")
            }
        }
        self.init(sortedEntries: sorted)
    }

    /// A manifest of entries that are known to keep the rules and to be sorted.
    init(sortedEntries: [ManifestEntry]) {
        entries = sortedEntries
        var hasher = IncrementalSHA256()
        Manifest.writeCanonicalJSON(of: sortedEntries) { chunk in hasher.update(chunk) }
        digest = hasher.finalize()
    }

    /// The number of bytes in all regular files.
    public var totalFileBytes: UInt64 {
        // Each size is at most 2^53 - 1, but a million of them can pass 2^64: the sum stops at
        // Int.max, which no real tree reaches, so that it always converts to Int.
        let ceiling = UInt64(Int.max)
        return entries.reduce(0) { total, entry in
            guard case .file(let digest) = entry.kind else { return total }
            let (sum, overflow) = total.addingReportingOverflow(digest.size)
            return overflow ? ceiling : min(sum, ceiling)
        }
    }

    /// The canonical JSON encoding (RFC 8785) whose SHA-256 is ``digest``:
    /// `{"entries":[…],"version":1}`, each entry an object with sorted keys, no whitespace.
    public func canonicalJSON() -> [UInt8] {
        var output: [UInt8] = []
        Manifest.writeCanonicalJSON(of: entries) { chunk in output.append(contentsOf: chunk) }
        return output
    }

    /// Writes the canonical encoding of `entries` in chunks of about 64 KiB, so that the digest
    /// of a large manifest needs no copy of its whole encoding.
    private static func writeCanonicalJSON(of entries: [ManifestEntry], _ emit: ([UInt8]) -> Void) {
        let chunkSize = 1 << 16
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkSize + 8192)
        CanonicalJSON.appendRaw("{\"entries\":[", to: &buffer)
        for (index, entry) in entries.enumerated() {
            if index > 0 { CanonicalJSON.appendRaw(",", to: &buffer) }
            entry.appendCanonicalJSON(to: &buffer)
            if buffer.count >= chunkSize {
                emit(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        CanonicalJSON.appendRaw("],\"version\":", to: &buffer)
        CanonicalJSON.appendInteger(UInt64(formatVersion), to: &buffer)
        CanonicalJSON.appendRaw("}", to: &buffer)
        emit(buffer)
    }
}

extension ManifestEntry {
    /// Appends this entry as a canonical JSON object, its keys in RFC 8785 order.
    func appendCanonicalJSON(to output: inout [UInt8]) {
        CanonicalJSON.appendRaw("{\"path\":", to: &output)
        CanonicalJSON.appendString(path, to: &output)
        switch kind {
        case .file(let digest):
            CanonicalJSON.appendRaw(",\"sha256\":\"", to: &output)
            digest.sha256.appendHex(to: &output)
            CanonicalJSON.appendRaw("\",\"size\":", to: &output)
            CanonicalJSON.appendInteger(digest.size, to: &output)
            CanonicalJSON.appendRaw(",\"type\":\"file\"}", to: &output)
        case .symlink(let target):
            CanonicalJSON.appendRaw(",\"target\":", to: &output)
            CanonicalJSON.appendString(target, to: &output)
            CanonicalJSON.appendRaw(",\"type\":\"symlink\"}", to: &output)
        case .emptyDirectory:
            CanonicalJSON.appendRaw(",\"type\":\"dir\"}", to: &output)
        }
    }
}
