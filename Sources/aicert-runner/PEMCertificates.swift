import ArgumentParser
import Foundation

/// The DER certificates of a PEM file, in order (`--ak-intermediates`).
enum PEMCertificates {
    static func read(_ path: String) throws -> [[UInt8]] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("--ak-intermediates \(path) cannot be read: \(error.localizedDescription)")
        }
        var certificates: [[UInt8]] = []
        var body: String?
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line == "-----BEGIN CERTIFICATE-----" {
                body = ""
            } else if line == "-----END CERTIFICATE-----", let encoded = body {
                guard let der = Data(base64Encoded: encoded) else {
                    throw ValidationError(
                        "--ak-intermediates \(path): certificate \(certificates.count + 1) is not valid base64")
                }
                certificates.append(Array(der))
                body = nil
            } else if body != nil {
                body? += line
            }
        }
        guard !certificates.isEmpty else {
            throw ValidationError("--ak-intermediates \(path) holds no PEM certificate")
        }
        return certificates
    }
}
