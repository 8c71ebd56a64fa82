import ArgumentParser
import Foundation

/// The bearer token from `--token-file`: the file's text without surrounding whitespace.
enum TokenFile {
    static let minimumLength = 16

    static func read(_ path: String) throws -> String {
        let attributes: [FileAttributeKey: Any]
        let text: String
        do {
            // The mode of the file itself, not of a link to it (secrets are often mounted as links).
            attributes = try FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("--token-file \(path) cannot be read: \(error.localizedDescription)")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw ValidationError("--token-file \(path) is readable by group or others; chmod 600 it")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= minimumLength, !token.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw ValidationError("--token-file \(path) must hold one token of at least \(minimumLength) characters")
        }
        return token
    }
}
