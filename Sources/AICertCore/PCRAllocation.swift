/// Which PCRs AICert uses for what (see `docs/` and the design brief).
public enum PCRAllocation {
    /// PCRs 0–13: the boot chain, judged against the platform's reference values.
    public static let bootChain = 0...13
    /// PCR 14: everything that goes into the build.
    public static let inputs = 14
    /// PCR 15: everything that comes out of the build.
    public static let outputs = 15
    /// The PCRs every AICert quote covers, in the SHA-256 bank.
    public static let quoted = Array(0...15)
}
