/// One entry of a manifest: a regular file, a symbolic link, or an empty directory.
public struct ManifestEntry: Hashable, Sendable {
    /// What the entry is, with what the manifest records about it.
    public enum Kind: Hashable, Sendable {
        /// A regular file: its size and the SHA-256 of its contents.
        case file(FileDigest)
        /// A symbolic link, never followed: the target exactly as stored in the link.
        case symlink(target: String)
        /// A directory with nothing in it. Directories that hold anything are implied by the
        /// paths below them and have no entry of their own.
        case emptyDirectory
    }

    /// The path relative to the measured root: names joined by `/`, UTF-8, NFC.
    public let path: String
    /// What the entry is.
    public let kind: Kind

    /// An entry; ``Manifest/init(entries:)`` checks the path and target rules.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// The `type` string this entry has in the canonical JSON encoding.
    public var typeName: String {
        switch kind {
        case .file: "file"
        case .symlink: "symlink"
        case .emptyDirectory: "dir"
        }
    }
}
