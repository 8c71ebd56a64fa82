/// A glob pattern that selects outputs by their path under `/aicert/outputs`.
///
/// Patterns are relative paths of `/`-separated components. In a component, `*` matches any run
/// of characters and `?` one character, never a `/`; a whole component `**` matches any number
/// of components, none included. So `**` selects everything, `*.bin` the `.bin` files at the
/// top, `checkpoints/**/*.pt` every `.pt` file below `checkpoints`.
struct OutputPattern: Hashable, Sendable {
    static let maximumLength = 1024

    /// The pattern as the client wrote it, recorded in the build-spec event.
    let text: String
    private let components: [[Unicode.Scalar]]

    /// Why the text is not a valid pattern.
    struct Invalid: Error, Hashable, Sendable {
        let reason: String
    }

    init(_ text: String) throws {
        guard !text.isEmpty, text.utf8.count <= Self.maximumLength else {
            throw Invalid(reason: "a pattern has 1 to \(Self.maximumLength) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Invalid(reason: "a pattern has no control characters")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        for part in parts {
            if part.isEmpty {
                throw Invalid(
                    reason: "a pattern is relative, with no empty component (no leading, trailing or double '/')")
            }
            if part == "." || part == ".." { throw Invalid(reason: "a pattern has no '.' or '..' component") }
        }
        self.text = text
        components = parts.map { Array($0.unicodeScalars) }
    }

    /// Whether the relative path `path` (components joined by `/`) matches.
    func matches(_ path: String) -> Bool {
        let names = path.split(separator: "/", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        var memo: [Int: Bool] = [:]
        return match(pattern: 0, name: 0, names: names, memo: &memo)
    }

    private func match(pattern: Int, name: Int, names: [[Unicode.Scalar]], memo: inout [Int: Bool]) -> Bool {
        let key = pattern * (names.count + 1) + name
        if let known = memo[key] { return known }
        let result: Bool
        if pattern == components.count {
            result = name == names.count
        } else if components[pattern] == ["*", "*"] {
            result =
                match(pattern: pattern + 1, name: name, names: names, memo: &memo)
                || (name < names.count && match(pattern: pattern, name: name + 1, names: names, memo: &memo))
        } else {
            result =
                name < names.count && Self.component(components[pattern][...], matches: names[name][...])
                && match(pattern: pattern + 1, name: name + 1, names: names, memo: &memo)
        }
        memo[key] = result
        return result
    }

    /// Matches one component with `*` and `?` by backtracking on the last `*` only, which is
    /// linear enough for names of at most 255 bytes.
    private static func component(_ pattern: ArraySlice<Unicode.Scalar>, matches name: ArraySlice<Unicode.Scalar>)
        -> Bool
    {
        var p = pattern.startIndex
        var n = name.startIndex
        var star: (pattern: Int, name: Int)?
        while n < name.endIndex {
            if p < pattern.endIndex && (pattern[p] == "?" || pattern[p] == name[n]) && pattern[p] != "*" {
                p += 1
                n += 1
            } else if p < pattern.endIndex && pattern[p] == "*" {
                star = (p, n)
                p += 1
            } else if let last = star {
                p = last.pattern + 1
                n = last.name + 1
                star = (last.pattern, last.name + 1)
            } else {
                return false
            }
        }
        while p < pattern.endIndex && pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }
}
