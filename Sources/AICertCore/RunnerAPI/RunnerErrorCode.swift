/// The stable, machine-readable `error` member of the runner API's error bodies
/// (docs/runner-api.yaml, `Error`). The runner maps each to an HTTP status at its edge.
public enum RunnerErrorCode: String, Hashable, Sendable, Codable, CaseIterable {
    /// No bearer token, or not the runner's.
    case unauthorized
    /// No such route, build, input or output.
    case notFound = "not_found"
    /// A request that is malformed: a body that is not the JSON asked for, a bad nonce or path.
    case invalidRequest = "invalid_request"
    /// A build spec that breaks a rule; the detail names the field.
    case invalidSpec = "invalid_spec"
    /// An input that cannot be accepted: a rejected archive entry, a broken upload.
    case invalidInput = "invalid_input"
    /// A body larger than the runner accepts.
    case tooLarge = "too_large"
    /// This runner already has a build: one build per runner and TPM reset.
    case buildExists = "build_exists"
    /// The request does not fit the build's state (an upload after the start, a certificate
    /// before the end, a second upload of one input).
    case wrongState = "wrong_state"
    /// The TPM already measured a build since it was reset.
    case tpmUsed = "tpm_used"
    /// An input could not be fetched or did not have the digest the spec requires.
    case inputFailed = "input_failed"
    /// The outputs could not be measured.
    case outputsFailed = "outputs_failed"
    /// The TPM failed or could not be reached.
    case tpmFailure = "tpm_failure"
    /// The sandbox could not run the job.
    case sandboxFailure = "sandbox_failure"
    /// Anything else that went wrong inside the runner.
    case internalError = "internal"
}
