import AICertCore

/// Turns a verified build into a document of another ecosystem's format, deterministically.
///
/// An exporter reads only what ``VerifiedBuild`` holds (the certificate, its digest and the
/// summary the verifier derived from the event log), never the clock or the file system, so
/// the same certificate always gives the same bytes. The bytes are written with one rule,
/// ``ExportEncoding``, in every exporter and in the Python SDK.
public protocol Exporter: Sendable {
    /// The format this exporter writes.
    var format: ExportFormat { get }

    /// The document for `build`, as a JSON value.
    ///
    /// - Throws: ``ExportError`` with code `unsupported` when the format cannot say what the
    ///   build holds.
    func document(for build: VerifiedBuild) throws -> JSONValue
}

extension Exporter {
    /// The document for `build`, encoded by ``ExportEncoding``.
    public func export(_ build: VerifiedBuild) throws -> [UInt8] {
        ExportEncoding.bytes(try document(for: build))
    }
}
