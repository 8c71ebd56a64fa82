import AICertCore

/// Fresh random bytes by ``NonceRule``: a quote's nonce, or the local runner's token.
struct Nonce: Sendable {
    let bytes: [UInt8]

    static func fresh() -> Nonce {
        Nonce(bytes: NonceRule.fresh())
    }

    var hex: String { Hex.string(bytes) }
}
