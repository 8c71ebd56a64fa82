import AICertCore
import Foundation
import Glibc

/// Reads an input's `source` (and `sha256`): `git+URL@COMMIT`, an `https://` URL with its
/// SHA-256, or a local path relative to the config file's directory.
enum InputSourceParser {
    static let expected =
        "a local path (e.g. ./data), git+URL@COMMIT (a full 40-digit commit id) or an https:// URL with sha256"

    static func parse(source node: ConfigNode, sha256 digestNode: ConfigNode?, directory: URL) throws -> InputSource {
        let text = try node.text(expected: expected)
        guard !text.isEmpty, !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw node.error("expected \(expected); found an empty value or control characters")
        }
        let lowercased = text.lowercased()
        if lowercased.hasPrefix("git+") {
            if let digestNode {
                throw digestNode.error("applies only to an https:// source; a git input is pinned by its commit")
            }
            return try git(String(text.dropFirst(4)), node: node)
        }
        if lowercased.hasPrefix("https://") {
            guard let digestNode else {
                throw node.error(
                    "an https:// source needs sha256: the SHA-256 of the file, so the build is pinned to its bytes")
            }
            let digest = try digestNode.text(expected: "64 hexadecimal digits")
            guard digest.utf8.count == 64, Hex.bytes(digest, caseInsensitive: true) != nil else {
                throw digestNode.error(
                    "expected the SHA-256 of the file as 64 hexadecimal digits, found '\(digest.prefix(80))'")
            }
            try checkRemote(text, node: node)
            return .url(url: text, sha256: digest.lowercased())
        }
        if lowercased.contains("://") {
            throw node.error("expected \(expected); '\(text.prefix(80))' is a URL of another kind")
        }
        if let digestNode { throw digestNode.error("applies only to an https:// source") }
        let url = text.hasPrefix("/") ? URL(fileURLWithPath: text) : directory.appendingPathComponent(text)
        // A link to the input is followed here, once: what is measured and sent is the file or
        // tree it names, and nothing but a regular file or a directory.
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath()
        var status = stat()
        guard stat(resolved.path, &status) == 0 else {
            throw node.error("no file or directory at \(url.standardizedFileURL.path)")
        }
        guard status.st_mode & S_IFMT == S_IFREG || status.st_mode & S_IFMT == S_IFDIR else {
            throw node.error("\(url.standardizedFileURL.path) is neither a regular file nor a directory")
        }
        return .upload(written: text, url: resolved)
    }

    /// `URL@COMMIT`: the commit after the last `@`.
    private static func git(_ text: String, node: ConfigNode) throws -> InputSource {
        guard let at = text.lastIndex(of: "@") else {
            throw node.error(
                "expected git+URL@COMMIT with a full 40-digit commit id, e.g. "
                    + "git+https://github.com/org/repo.git@<commit>"
            )
        }
        let url = String(text[..<at])
        let commit = String(text[text.index(after: at)...])
        guard commit.utf8.count == 40, Hex.bytes(commit, caseInsensitive: true) != nil else {
            throw node.error(
                "'\(commit.prefix(80))' is not a full commit id (40 hexadecimal digits); a branch or tag could move")
        }
        let scheme = URL(string: url)?.scheme?.lowercased() ?? ""
        guard ["https", "http", "git"].contains(scheme) else {
            throw node.error("the repository URL must be https://, http:// or git://, found '\(url.prefix(80))'")
        }
        try checkRemote(url, node: node)
        return .git(url: url, commit: commit.lowercased())
    }

    /// A host, and no credentials: the certificate publishes the URL.
    private static func checkRemote(_ text: String, node: ConfigNode) throws {
        guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
            throw node.error("'\(text.prefix(80))' is not an absolute URL with a host")
        }
        guard url.user == nil, url.password == nil else {
            throw node.error("the URL carries credentials, which the certificate would publish; use a URL without them")
        }
    }
}
