import AICertCore
import Foundation

/// Why a file could not be verified at all (the CLI's exit status 2), as opposed to a
/// certificate that was verified and failed.
public struct CannotVerify: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// A file `aicert verify` accepts: an `aicert/v1` certificate or a legacy AICert proof.
enum CertificateDocument {
    case v1(AICertificate)
    case legacy(LegacyProof)
}

/// Reads a certificate file from disk, bounded, and tells the formats apart.
enum CertificateFile {
    static func read(_ path: String) throws -> CertificateDocument {
        try decode(try bytes(path), path: path)
    }

    /// Reads an `aicert/v1` certificate only.
    static func readV1(_ path: String) throws -> AICertificate {
        guard case .v1(let certificate) = try read(path) else {
            throw CannotVerify("\(path): a legacy AICert proof, which has no aicert/v1 event log to show")
        }
        return certificate
    }

    /// Parses certificate bytes; `path` names them in errors.
    static func decode(_ data: Data, path: String) throws -> CertificateDocument {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CannotVerify("\(path): not a JSON object")
            }
            object = parsed
        } catch let error as CannotVerify {
            throw error
        } catch {
            throw CannotVerify("\(path): not valid JSON")
        }
        if LegacyProof.looksLegacy(object) {
            do {
                return .legacy(try LegacyProof(json: data))
            } catch {
                throw CannotVerify("\(path): \(error)")
            }
        }
        guard let format = object["format"] as? String else {
            throw CannotVerify("\(path): no \"format\" member: not an AI certificate")
        }
        guard format == AICertificate.currentFormat else {
            throw CannotVerify("\(path): unknown format '\(format)' (this aicert reads \(AICertificate.currentFormat))")
        }
        do {
            return .v1(try AICertificate(json: data))
        } catch {
            throw CannotVerify("\(path): \(error)")
        }
    }

    /// The file's bytes, refusing anything larger than a certificate can be.
    static func bytes(_ path: String, limit: Int = AICertificate.maximumFileSize) throws -> Data {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes else { throw CannotVerify("\(path): no such file or not readable") }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw CannotVerify("\(path): not a regular file")
        }
        if let size = attributes[.size] as? Int, size > limit {
            throw CannotVerify("\(path): \(size) bytes, larger than any certificate (\(limit))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CannotVerify("\(path): cannot be read")
        }
        return data
    }
}
