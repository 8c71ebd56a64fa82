import Yams

/// A node of a config file together with the key that leads to it, so that every problem can
/// be reported with the file, the line and the key.
///
/// Scalars are taken as the text written: `SEED: 42` is the string `42` and `DEBUG: yes` the
/// string `yes`, never a number or a boolean that is turned back into different text. Anchors
/// and aliases are refused, which also rules out "billion laughs" documents.
struct ConfigNode {
    let node: Node
    /// `build.inputs[1].source`; empty for the document.
    let key: String
    let file: String

    /// An error located at this node.
    func error(_ reason: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, key: key, reason)
    }

    /// The members of a mapping; a key not in `allowed` is an error that lists the allowed ones.
    func mapping(allowed: [String]) throws -> ConfigMapping {
        let entries = try entries(expected: "a mapping with the keys \(allowed.joined(separator: ", "))")
        var members: [String: ConfigNode] = [:]
        for entry in entries {
            guard allowed.contains(entry.name) else {
                throw ConfigError(
                    file: file, line: entry.keyMark?.line, column: entry.keyMark?.column, key: entry.value.key,
                    "unknown key; expected one of \(allowed.joined(separator: ", "))")
            }
            members[entry.name] = entry.value
        }
        return ConfigMapping(owner: self, members: members)
    }

    /// The members of a mapping in the order written, each keyed `key.name`; keys are plain text.
    func entries(expected: String) throws -> [(name: String, keyMark: Mark?, value: ConfigNode)] {
        try refuseAnchor()
        guard case .mapping(let mapping) = node else { throw error("expected \(expected), found \(kind)") }
        return try mapping.map { keyNode, value in
            guard case .scalar(let scalar) = keyNode, !Self.isNull(keyNode) else {
                let keyConfig = ConfigNode(node: keyNode, key: key, file: file)
                throw keyConfig.error("expected a plain key, found \(keyConfig.kind)")
            }
            let name = scalar.string
            return (name, keyNode.mark, ConfigNode(node: value, key: key.isEmpty ? name : "\(key).\(name)", file: file))
        }
    }

    /// The elements of a sequence, each keyed `key[index]`.
    func sequence(expected: String) throws -> [ConfigNode] {
        try refuseAnchor()
        guard case .sequence(let sequence) = node else { throw error("expected \(expected), found \(kind)") }
        return sequence.enumerated().map { index, element in
            ConfigNode(node: element, key: "\(key)[\(index)]", file: file)
        }
    }

    /// The text of a scalar; null (`~`, `null` or nothing) is not text.
    func text(expected: String) throws -> String {
        try refuseAnchor()
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            throw error("expected \(expected), found \(kind)")
        }
        return scalar.string
    }

    /// A list of scalars, as for `command` and `outputs`.
    func texts(expected: String) throws -> [String] {
        try sequence(expected: expected).map { try $0.text(expected: "a string") }
    }

    /// What the node is, for "found …" in messages.
    var kind: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            Self.isNull(node) ? "nothing (null)" : "the scalar '\(scalar.string.prefix(80))'"
        }
    }

    /// Whether `node` is YAML's null: a plain `~`, `null` or nothing (quoted text never is).
    private static func isNull(_ node: Node) -> Bool {
        node.tag.rawValue == Tag.Name.null.rawValue
    }

    private func refuseAnchor() throws {
        if node.anchor != nil {
            throw error("anchors and aliases (&name, *name) are not supported; write the value out")
        }
    }
}

/// The members of a mapping in a config file, by key.
struct ConfigMapping {
    let owner: ConfigNode
    let members: [String: ConfigNode]

    func optional(_ name: String) -> ConfigNode? {
        members[name]
    }

    /// The member `name`; its absence is an error at the mapping that says what to add.
    func required(_ name: String, expected: String) throws -> ConfigNode {
        guard let member = members[name] else {
            let path = owner.key.isEmpty ? name : "\(owner.key).\(name)"
            throw ConfigError(
                file: owner.file, line: owner.node.mark?.line, column: owner.node.mark?.column, key: path,
                "is required: \(expected)")
        }
        return member
    }
}
