import Crypto

/// How a quote binds the TLS key of the connection it was asked for: its qualifying data
/// (`extraData`) is `SHA-256("aicert-tls-v1" ‖ nonce ‖ SHA-256(SPKI))`, where SPKI is the DER
/// `SubjectPublicKeyInfo` of the runner's TLS certificate.
///
/// A client that checks the binding against the key its own connection presented knows the
/// quote came from the end of that connection, not from a machine in the middle relaying a
/// genuine quote; a verifier that checks it against the runner event's `tls_spki_sha256` knows
/// which channel the build's inputs came over.
public enum ChannelBinding {
    /// The domain-separation label hashed first.
    public static let label = Array("aicert-tls-v1".utf8)

    /// The qualifying data of a quote asked for with `nonce` over a channel whose TLS key's SPKI
    /// has the SHA-256 `keyDigest`.
    public static func qualifyingData(nonce: [UInt8], keyDigest: SHA256Hash) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: label)
        hasher.update(data: nonce)
        hasher.update(data: keyDigest.bytes)
        return Array(hasher.finalize())
    }

    /// The SHA-256 of a DER `SubjectPublicKeyInfo`.
    public static func keyDigest(spki: some Collection<UInt8>) -> SHA256Hash {
        SHA256Hash(SHA256.hash(data: Array(spki)))
    }

    /// The member of the runner event that names the TLS key's SPKI digest.
    public static let runnerEventMember = "tls_spki_sha256"

    /// The TLS key digest the runner event (an event log's first record) names, or `nil` when
    /// the log does not start with a runner event naming a well-formed one. The event log's
    /// own check judges its grammar; this only reads it.
    public static func keyDigest(in eventLog: [EventRecord]) -> SHA256Hash? {
        guard let first = eventLog.first, first.contentType == EventType.runner.rawValue,
            let text = first.content[runnerEventMember]?.stringValue
        else { return nil }
        return Hex.bytes(text).flatMap { SHA256Hash(bytes: $0) }
    }
}
