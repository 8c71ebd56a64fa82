import Foundation
import NIOCore

/// A directory as a tar stream, for `PUT /v1/build/inputs/{name}`: its regular files,
/// symbolic links (stored, not followed) and directories, in byte order of their paths, read
/// as the stream is sent. Anything else (a FIFO, a device, a socket) is refused up front.
struct TarArchive: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    enum Entry: Hashable, Sendable {
        case directory(path: String)
        case file(path: String, size: UInt64)
        case symbolicLink(path: String, target: String)
    }

    let root: URL
    let entries: [Entry]

    /// Lists `root` (a directory) without following links.
    init(directory root: URL) throws {
        self.root = root
        var entries: [Entry] = []
        try Self.list(root, relative: "", into: &entries)
        self.entries = entries
    }

    /// The archive's exact size in bytes.
    var length: Int64 {
        var total = Int64(TarEncoding.end.count)
        for entry in entries {
            switch entry {
            case .directory(let path): total += Int64(TarEncoding.header(path: path, type: .directory).count)
            case .symbolicLink(let path, let target):
                total += Int64(TarEncoding.header(path: path, type: .symbolicLink, linkTarget: target).count)
            case .file(let path, let size):
                total += Int64(TarEncoding.header(path: path, type: .file, size: size).count)
                total += Int64(size) + Int64(TarEncoding.padding(size))
            }
        }
        return total
    }

    /// Where the stream starts: 0, or where an interrupted upload resumes. Whole entries before
    /// it are skipped without reading their files, and a file it falls in is read from there.
    var start: Int64 = 0

    func makeAsyncIterator() -> Iterator {
        Iterator(root: root, entries: entries, skipping: start)
    }

    /// Yields each header, then a file's contents chunk by chunk, then the end blocks, less the
    /// first bytes it skips.
    struct Iterator: AsyncIteratorProtocol {
        let root: URL
        let entries: [Entry]
        private var index = 0
        private var contents: FileChunks.Iterator?
        private var pendingPadding = 0
        private var ended = false
        private var skip: Int64

        init(root: URL, entries: [Entry], skipping: Int64) {
            self.root = root
            self.entries = entries
            skip = skipping
        }

        mutating func next() async throws -> ByteBuffer? {
            while true {
                guard var piece = try await nextPiece() else { return nil }
                let dropped = Swift.min(Int64(piece.readableBytes), skip)
                piece.moveReaderIndex(forwardBy: Int(dropped))
                skip -= dropped
                if piece.readableBytes > 0 { return piece }
            }
        }

        /// The next piece of the whole stream; an empty one stands for pieces skipped unread.
        private mutating func nextPiece() async throws -> ByteBuffer? {
            if let contents {
                if let chunk = try await contents.next() { return chunk }
                self.contents = nil
                if pendingPadding > 0 {
                    defer { pendingPadding = 0 }
                    return ByteBuffer(bytes: [UInt8](repeating: 0, count: pendingPadding))
                }
            }
            guard index < entries.count else {
                guard !ended else { return nil }
                ended = true
                return ByteBuffer(bytes: TarEncoding.end)
            }
            let entry = entries[index]
            index += 1
            switch entry {
            case .directory(let path):
                return ByteBuffer(bytes: TarEncoding.header(path: path, type: .directory))
            case .symbolicLink(let path, let target):
                return ByteBuffer(bytes: TarEncoding.header(path: path, type: .symbolicLink, linkTarget: target))
            case .file(let path, let size):
                let header = TarEncoding.header(path: path, type: .file, size: size)
                let padding = TarEncoding.padding(size)
                let whole = Int64(header.count) + Int64(size) + Int64(padding)
                if skip >= whole {
                    skip -= whole
                    return ByteBuffer()
                }
                var start: UInt64 = 0
                let headerSkipped = skip >= Int64(header.count)
                if headerSkipped {
                    // Resume inside the contents (or the padding) without reading what went before.
                    start = Swift.min(UInt64(skip - Int64(header.count)), size)
                    skip -= Int64(header.count) + Int64(start)
                }
                contents = FileChunks(path: root.appendingPathComponent(path).path, size: size, start: start)
                    .makeAsyncIterator()
                pendingPadding = padding
                return headerSkipped ? ByteBuffer() : ByteBuffer(bytes: header)
            }
        }
    }

    private static func list(_ directory: URL, relative: String, into entries: inout [Entry]) throws {
        let files = FileManager.default
        let names: [String]
        do {
            names = try files.contentsOfDirectory(atPath: directory.path).sorted {
                $0.utf8.lexicographicallyPrecedes($1.utf8)
            }
        } catch {
            throw RunnerClientError(
                status: 0, code: "local_file",
                detail: "\(directory.path) cannot be listed: \(error.localizedDescription)")
        }
        for name in names {
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            let url = directory.appendingPathComponent(name)
            let attributes = try files.attributesOfItem(atPath: url.path)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                entries.append(.directory(path: path))
                try list(url, relative: path, into: &entries)
            case .typeRegular?:
                entries.append(.file(path: path, size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0))
            case .typeSymbolicLink?:
                entries.append(.symbolicLink(path: path, target: try files.destinationOfSymbolicLink(atPath: url.path)))
            default:
                throw RunnerClientError(
                    status: 0, code: "local_file", detail: "\(url.path) is not a file, directory or symbolic link")
            }
        }
    }
}
