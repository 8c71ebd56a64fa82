import Foundation

/// A bearer token kept in a file, as both the runner and the client read it: one token of at
/// least 16 characters without whitespace, in a file that neither group nor others can read.
public enum BearerTokenFile {
    public static let minimumLength = 16

    /// Why the file's token cannot be used.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The file's text without surrounding whitespace.
    public static func read(_ path: String) throws -> String {
        let attributes: [FileAttributeKey: Any]
        let text: String
        do {
            // The mode of the file itself, not of a link to it (secrets are often mounted as links).
            attributes = try FileManager.default.attributesOfItem(
                atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Problem(description: "\(path) cannot be read: \(error.localizedDescription)")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw Problem(description: "\(path) is readable by group or others; chmod 600 it")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= minimumLength, !token.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw Problem(
                description: "\(path) must hold one token of at least \(minimumLength) characters and no whitespace")
        }
        return token
    }
}
