import AICertCore

/// The client's nonce for a quote, read from the query by ``NonceRule``.
enum Nonce {
    static func parse(_ text: String?) throws -> [UInt8] {
        guard let text else {
            throw APIError(.invalidRequest, "a nonce is required: 32 to 128 hexadecimal digits")
        }
        switch NonceRule.parse(text) {
        case .success(let bytes): return bytes
        case .failure(let invalid): throw APIError(.invalidRequest, invalid.description)
        }
    }
}
