import AICertCore
import AICertVerify
import X509

/// What a run does about time-stamps: the TSA to ask, the roots its token must chain to (when
/// given), and whether a TSA that fails may leave the certificate without a token.
struct Timestamping: Sendable {
    let authority: TimestampAuthority
    let roots: [Certificate]
    /// The `--tsa-root` files as given, for the printed verify command.
    let rootFiles: [String]
    let optional: Bool
}
