/// Why `aicert run` did not end with a verified certificate, sorted by the exit status it
/// gives: 1 when the job itself failed, 2 when a local input cannot be read, 3 when the
/// platform, the runner or a verification did.
struct RunFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, which decides the exit status.
    struct Kind: Hashable, Sendable {
        let exitStatus: Int32
        private let name: String
        private init(_ name: String, exitStatus: Int32) {
            self.name = name
            self.exitStatus = exitStatus
        }
        /// The job exited with a status other than 0, or ran out of time.
        static let job = Kind("job", exitStatus: 1)
        /// A local input is not a readable file or directory tree (found before anything is sent).
        static let input = Kind("input", exitStatus: 2)
        /// The platform could not be started, or the runner failed or misbehaved.
        static let platform = Kind("platform", exitStatus: 3)
        /// The runner's identity or the certificate did not verify.
        static let verification = Kind("verification", exitStatus: 3)
    }

    let kind: Kind
    let reason: String

    init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    var description: String { reason }
}
