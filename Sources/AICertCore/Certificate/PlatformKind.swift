import Foundation

/// The kinds of machine a runner measures on, as the runner event signs them.
public enum PlatformKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A software TPM on the builder's own machine, certified by the development CA.
    case local
    /// A runner already running elsewhere, reached by URL.
    case remote
    /// The base image booted under QEMU with a software TPM.
    case qemu
    /// An Azure Trusted Launch VM, whose vTPM Azure certifies.
    case azure

    /// `local, remote, qemu, azure`, for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Which base image booted, as the runner event signs it: the key under which a verifier looks
/// up the image's reference PCR values. A false claim cannot help: the quoted PCRs must then
/// equal the reference values of the image claimed.
public struct ImageIdentity: Hashable, Sendable, Codable {
    public var name: String
    public var version: String
    /// SHA-256 of the unified kernel image file (`aicert.efi`), lowercase hex.
    public var ukiSHA256: String

    enum CodingKeys: String, CodingKey {
        case name, version
        case ukiSHA256 = "uki_sha256"
    }

    public init(name: String, version: String, ukiSHA256: String) {
        self.name = name
        self.version = version
        self.ukiSHA256 = ukiSHA256
    }

    /// The identity file image/build.sh writes beside the image (`image.json`): at most 4 KiB,
    /// exactly these members, a lowercase SHA-256. `nil` when it cannot be read or is not one.
    public static func read(_ path: String) -> ImageIdentity? {
        guard let data = BoundedFile.read(path, limit: 4096), data.count <= 4096,
            let identity = try? JSONDecoder().decode(ImageIdentity.self, from: data),
            SHA256Hash(hex: identity.ukiSHA256)?.hex == identity.ukiSHA256
        else { return nil }
        return identity
    }

    /// The identity in event content: exactly `{name, version, uki_sha256}` with a lowercase
    /// SHA-256; `nil` for anything else.
    public init?(jsonValue: JSONValue) {
        guard case .object(let members) = jsonValue, Set(members.keys) == ["name", "version", "uki_sha256"],
            let name = members["name"]?.stringValue, let version = members["version"]?.stringValue,
            let digest = members["uki_sha256"]?.stringValue, SHA256Hash(hex: digest)?.hex == digest
        else { return nil }
        self.init(name: name, version: version, ukiSHA256: digest)
    }

    /// The identity as event content.
    public var jsonValue: JSONValue {
        .object(["name": .string(name), "version": .string(version), "uki_sha256": .string(ukiSHA256)])
    }
}
