/// A JSON value restricted to what AICert event contents use: no floating-point numbers, so
/// that every value has exactly one canonical (RFC 8785) encoding.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    /// An integer within ±(2^53 − 1), the range RFC 8785 writes exactly.
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The largest magnitude an integer may have.
    public static let maximumInteger: Int64 = (1 << 53) - 1

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            guard abs(value) <= Self.maximumInteger else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "integer \(value) is beyond ±(2^53 − 1)")
            }
            self = .integer(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a JSON value AICert accepts (fractional numbers are not allowed)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The RFC 8785 (JSON Canonicalization Scheme) encoding: object members sorted by the
    /// UTF-16 code units of their names, no whitespace, minimal string escapes.
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        appendCanonical(to: &output)
        return output
    }

    private func appendCanonical(to output: inout [UInt8]) {
        switch self {
        case .null: output += Array("null".utf8)
        case .bool(let value): output += Array((value ? "true" : "false").utf8)
        case .integer(let value): output += Array(String(value).utf8)
        case .string(let value): CanonicalJSON.appendString(value, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.appendCanonical(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let names = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, name) in names.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalJSON.appendString(name, to: &output)
                output.append(UInt8(ascii: ":"))
                members[name]?.appendCanonical(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The member `name` of an object, or `nil`.
    public subscript(name: String) -> JSONValue? {
        if case .object(let members) = self { return members[name] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
