/// Checks that the symbolic links of an unpacked archive resolve inside it.
///
/// The archive's own links are all the links the tree holds, so resolution is done on their
/// recorded targets rather than on the file system: component by component from the link's
/// directory, following any link met on the way (a chain), as the kernel would. A target that
/// is absolute, climbs above the root at any point, or needs more than 40 links is refused.
enum LinkContainment {
    static let maximumLinks = 40

    /// The first link (path and target) that leaves the tree, if any.
    static func firstEscape(_ links: [String: String]) -> (path: String, target: String)? {
        for (path, target) in links.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            if escapes(path: path, target: target, links: links) { return (path, target) }
        }
        return nil
    }

    private static func escapes(path: String, target: String, links: [String: String]) -> Bool {
        var resolved = path.split(separator: "/").dropLast().map(String.init)
        var pending = Array(target.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
        guard !target.hasPrefix("/") else { return true }
        var followed = 0
        while let component = pending.popLast() {
            switch component {
            case ".":
                continue
            case "..":
                guard !resolved.isEmpty else { return true }
                resolved.removeLast()
            default:
                resolved.append(component)
                guard let next = links[resolved.joined(separator: "/")] else { continue }
                followed += 1
                guard followed <= maximumLinks, !next.hasPrefix("/") else { return true }
                resolved.removeLast()
                pending.append(contentsOf: next.split(separator: "/").map(String.init).reversed())
            }
        }
        return false
    }
}
