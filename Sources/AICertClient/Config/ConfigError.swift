/// Why an `aicert.yaml` cannot be used: the file, the line and column, the key at fault
/// (`build.inputs[1].source`) and what is expected there.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The config file as it was named.
    public let file: String
    /// 1-based line and column of the offending node, when the problem has a place in the file.
    public let line: Int?
    public let column: Int?
    /// The dotted path of the key (`build.timeout`), or empty for the document as a whole.
    public let key: String
    /// What is wrong, and what is expected instead.
    public let reason: String

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String = "", _ reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.reason = reason
    }

    /// `aicert.yaml:12:7: build.inputs[1].source: <reason>`, as compilers print positions.
    public var description: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return key.isEmpty ? "\(place): \(reason)" : "\(place): \(key): \(reason)"
    }
}
