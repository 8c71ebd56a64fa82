import Foundation

/// 32 fresh random bytes from the system's CSPRNG: a quote's nonce, or the local runner's token.
struct Nonce: Sendable {
    let bytes: [UInt8]

    static func fresh() -> Nonce {
        var generator = SystemRandomNumberGenerator()
        return Nonce(bytes: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }
}
