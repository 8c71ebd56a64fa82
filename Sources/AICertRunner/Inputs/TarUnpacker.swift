import AICertCore
import Glibc

/// Unpacks a tar archive (ustar, pax, GNU long names) as it streams in, hashing each file while
/// it is written, and refuses anything that could reach outside the tree or is not a plain
/// file, directory or contained symbolic link.
///
/// Refused: absolute paths, `..` components, paths through a link, hard links, links whose
/// target leaves the tree, devices, FIFOs, sparse and other special entries, duplicate paths,
/// more entries or bytes than allowed, and an archive that ends without its end marker. File
/// modes are not kept (files 0644, directories 0755): the manifest does not record them, so the
/// job must not depend on them.
final class TarUnpacker: InputReceiver {
    private enum State {
        /// Collecting the next 512-byte header block.
        case header([UInt8])
        /// Copying an entry's data; `padding` bytes follow to the next block boundary.
        case content(remaining: UInt64, padding: Int, sink: Sink)
        /// Skipping padding after an entry.
        case padding(Int)
        /// One zero block seen; the second must follow.
        case endMarker([UInt8])
        /// Both zero blocks seen; only zeros may follow (record padding).
        case ended
    }

    private enum Sink {
        case file(descriptor: Int32, path: String, hasher: IncrementalSHA256)
        case metadata(TarHeader.Kind, [UInt8])
        case discard
    }

    /// The most bytes of one pax or GNU long-name header: room for a path and a link target
    /// within the manifest limits, not more.
    static let maximumMetadataBytes = 64 << 10

    private let tree: ConfinedTree
    /// The directory the archive is unpacked in, named when its disk is full.
    private let directory: String
    private let limits: RunnerLimits
    private var state = State.header([])
    private var entryCount = 0
    private var fileBytes: UInt64 = 0
    private var pendingPath: [UInt8]?
    private var pendingLinkPath: [UInt8]?
    private var pendingSize: UInt64?
    private var entries: [ManifestEntry] = []
    private var paths: Set<String> = []
    private var directories: Set<String> = []
    private var links: [String: String] = [:]

    /// Unpacks into a new directory at `path`.
    init(path: String, limits: RunnerLimits) throws {
        directory = FileWriting.directory(of: path)
        tree = try ConfinedTree(creating: path, directoryLimit: limits.archiveEntries)
        self.limits = limits
    }

    deinit {
        if case .content(_, _, .file(let descriptor, _, _)) = state { close(descriptor) }
    }

    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var input = bytes[...]
        while !input.isEmpty {
            switch state {
            case .header(var block):
                let take = min(TarHeader.blockSize - block.count, input.count)
                block.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                if block.count == TarHeader.blockSize {
                    state = .header([])
                    try begin(block)
                } else {
                    state = .header(block)
                }
            case .content(let remaining, let padding, var sink):
                let take = Int(min(remaining, UInt64(input.count)))
                try write(UnsafeRawBufferPointer(rebasing: input.prefix(take)), to: &sink)
                input = input.dropFirst(take)
                if remaining == UInt64(take) {
                    try end(sink)
                    state = padding > 0 ? .padding(padding) : .header([])
                } else {
                    state = .content(remaining: remaining - UInt64(take), padding: padding, sink: sink)
                }
            case .padding(let remaining):
                let take = min(remaining, input.count)
                input = input.dropFirst(take)
                state = remaining == take ? .header([]) : .padding(remaining - take)
            case .endMarker(var block):
                let take = min(TarHeader.blockSize - block.count, input.count)
                block.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                guard TarHeader.isZero(block) else {
                    throw ArchiveError(entry: entryCount, "a single zero block in the middle of the archive")
                }
                state = block.count == TarHeader.blockSize ? .ended : .endMarker(block)
            case .ended:
                guard TarHeader.isZero(input) else {
                    throw ArchiveError(entry: nil, "data after the end-of-archive marker")
                }
                input = input.dropFirst(input.count)
            }
        }
    }

    func finish() throws -> Manifest {
        guard case .ended = state else {
            throw ArchiveError(entry: nil, "the archive ends before its end-of-archive marker (a truncated upload?)")
        }
        if let escape = LinkContainment.firstEscape(links) {
            throw ArchiveError(
                entry: nil, "the symbolic link \(escape.path) -> \(escape.target) leads outside the archive")
        }
        var ancestors = Set<Substring>()
        for path in paths {
            var end = path.endIndex
            while let slash = path[..<end].lastIndex(of: "/") {
                ancestors.insert(path[..<slash])
                end = slash
            }
        }
        let empty = directories.filter { !ancestors.contains($0[...]) }.map {
            ManifestEntry(path: $0, kind: .emptyDirectory)
        }
        do {
            return try Manifest(entries: entries + empty)
        } catch let error as MeasurementError {
            throw ArchiveError(entry: nil, error.reason)
        }
    }

    /// Starts the entry whose header is `block`.
    private func begin(_ block: [UInt8]) throws {
        let number = entryCount
        if TarHeader.isZero(block) {
            guard pendingPath == nil && pendingLinkPath == nil && pendingSize == nil else {
                throw ArchiveError(entry: number, "an extended header with no entry after it")
            }
            state = .endMarker([])
            return
        }
        entryCount += 1
        guard entryCount <= limits.archiveEntries else {
            throw ArchiveError(entry: number, "more than \(limits.archiveEntries) entries")
        }
        let header = try TarHeader(block: block, entry: number)
        switch header.kind {
        case .paxExtended, .gnuLongName, .gnuLongLink, .paxGlobal:
            guard header.size <= UInt64(Self.maximumMetadataBytes) else {
                throw ArchiveError(entry: number, "an extended header of \(header.size) bytes")
            }
            try startContent(size: header.size, sink: header.kind == .paxGlobal ? .discard : .metadata(header.kind, []))
            return
        default:
            break
        }
        let rawPath = pendingPath ?? header.path
        let rawLink = pendingLinkPath ?? header.linkName
        let size = pendingSize ?? header.size
        pendingPath = nil
        pendingLinkPath = nil
        pendingSize = nil
        let components = try Self.components(rawPath, entry: number)
        let path = components.joined(separator: "/")

        switch header.kind {
        case .file:
            guard !components.isEmpty else { throw ArchiveError(entry: number, "a file entry for the archive's root") }
            try claim(path, entry: number)
            fileBytes += size
            guard fileBytes <= UInt64(limits.inputBytes) else {
                throw ArchiveError(entry: number, "the files add up to more than \(limits.inputBytes) bytes")
            }
            let descriptor = try tree.createFile(components)
            try startContent(size: size, sink: .file(descriptor: descriptor, path: path, hasher: IncrementalSHA256()))
        case .directory:
            guard size == 0 else { throw ArchiveError(entry: number, "a directory entry with data") }
            guard !components.isEmpty else { return }
            guard !paths.contains(path) || directories.contains(path) else {
                throw ArchiveError(entry: number, "\(path) appears twice")
            }
            try tree.makeDirectory(components)
            paths.insert(path)
            directories.insert(path)
        case .symbolicLink:
            guard size == 0, !components.isEmpty else {
                throw ArchiveError(entry: number, "a malformed symbolic link entry")
            }
            guard let target = String(validating: rawLink, as: UTF8.self), !target.isEmpty, !rawLink.contains(0) else {
                throw ArchiveError(entry: number, "the symbolic link \(path) has an empty or non-UTF-8 target")
            }
            guard !target.hasPrefix("/") else {
                throw ArchiveError(
                    entry: number, "the symbolic link \(path) -> \(target) is absolute: it leads outside the archive")
            }
            try claim(path, entry: number)
            try tree.createSymbolicLink(components, target: target)
            links[path] = target
            entries.append(ManifestEntry(path: path, kind: .symlink(target: target)))
        case .hardLink:
            throw ArchiveError(entry: number, "\(path) is a hard link; hard links are not accepted")
        case .device, .fifo:
            throw ArchiveError(
                entry: number, "\(path) is a device or FIFO; only files, directories and symbolic links are accepted")
        case .unsupported(let flag):
            throw ArchiveError(entry: number, "\(path) has the unsupported entry type 0x\(String(flag, radix: 16))")
        case .paxExtended, .paxGlobal, .gnuLongName, .gnuLongLink:
            break
        }
    }

    /// Records `path` as taken by a file or link.
    private func claim(_ path: String, entry: Int) throws {
        guard paths.insert(path).inserted else { throw ArchiveError(entry: entry, "\(path) appears twice") }
    }

    private func startContent(size: UInt64, sink: Sink) throws {
        let padding = Int(
            (UInt64(TarHeader.blockSize) - size % UInt64(TarHeader.blockSize)) % UInt64(TarHeader.blockSize))
        if size == 0 {
            // An empty entry ends at once: close the file or apply the empty metadata.
            state = .header([])
            try end(sink)
        } else {
            state = .content(remaining: size, padding: padding, sink: sink)
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, to sink: inout Sink) throws {
        switch sink {
        case .file(let descriptor, let path, var hasher):
            hasher.update(bytes)
            try FileWriting.writeAll(descriptor, bytes, what: path, in: directory)
            sink = .file(descriptor: descriptor, path: path, hasher: hasher)
        case .metadata(let kind, var data):
            data.append(contentsOf: bytes)
            sink = .metadata(kind, data)
        case .discard:
            break
        }
    }

    /// Finishes an entry's data: closes and records a file, or applies extended headers.
    private func end(_ sink: Sink) throws {
        switch sink {
        case .file(let descriptor, let path, let hasher):
            close(descriptor)
            entries.append(
                ManifestEntry(path: path, kind: .file(FileDigest(size: hasher.byteCount, sha256: hasher.finalize()))))
        case .metadata(.paxExtended, let data):
            let records = try PaxRecords(data, entry: entryCount - 1)
            pendingPath = records.path ?? pendingPath
            pendingLinkPath = records.linkPath ?? pendingLinkPath
            pendingSize = records.size ?? pendingSize
        case .metadata(.gnuLongName, let data):
            pendingPath = Array(data.prefix { $0 != 0 })
        case .metadata(.gnuLongLink, let data):
            pendingLinkPath = Array(data.prefix { $0 != 0 })
        case .metadata, .discard:
            break
        }
    }

    /// The path's components: UTF-8, relative, `.` components dropped, no `..` or empty ones.
    private static func components(_ raw: [UInt8], entry: Int) throws -> [String] {
        guard let text = String(validating: raw, as: UTF8.self), !raw.contains(0) else {
            throw ArchiveError(entry: entry, "a path that is not UTF-8")
        }
        guard !text.hasPrefix("/") else { throw ArchiveError(entry: entry, "the absolute path \(text)") }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        var components: [String] = []
        for component in trimmed.split(separator: "/", omittingEmptySubsequences: false) {
            switch component {
            case ".": continue
            case "..": throw ArchiveError(entry: entry, "the path \(text) has a '..' component")
            case "": throw ArchiveError(entry: entry, "the path \(text) has an empty component")
            default: components.append(String(component))
            }
        }
        // The manifest's path rules, checked before anything is created: a path of a million
        // nested names must not make a million directories first.
        if let problem = PathRules.problem(withPath: components.joined(separator: "/")), !components.isEmpty {
            throw ArchiveError(entry: entry, "the path \(text.prefix(200))\(text.count > 200 ? "…" : "") \(problem)")
        }
        return components
    }
}
