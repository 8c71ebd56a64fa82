import AICertCore

/// Takes an input's bytes as they arrive and measures them on the way: no second pass over
/// what was written.
protocol InputReceiver: AnyObject {
    /// Takes the next bytes of the stream.
    func consume(_ bytes: UnsafeRawBufferPointer) throws
    /// Ends the stream; the input is complete on disk and this is its manifest.
    func finish() throws -> Manifest
}
