import AICertCore

/// One upload in progress, or broken off: the receiver keeps what it has written and hashed, so
/// an upload whose connection broke resumes at ``received`` without measuring anything twice,
/// and its manifest is the one an unbroken upload gives.
///
/// Only the one request that holds its input's `uploading` state touches it; the runner keeps
/// it between requests.
final class PartialUpload: @unchecked Sendable {
    let receiver: any InputReceiver
    let isArchive: Bool
    /// The bytes the receiver has consumed: written to disk and hashed.
    private(set) var received: Int64 = 0

    init(receiver: any InputReceiver, isArchive: Bool) {
        self.receiver = receiver
        self.isArchive = isArchive
    }

    /// Passes the next bytes to the receiver and counts them once it has them.
    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        try receiver.consume(bytes)
        received += Int64(bytes.count)
    }
}
