import AICertCore
import AICertImage
import AICertVerify
import Foundation

/// Base images registered on this machine (`aicert image measure --register`): one policy file
/// per image in `AICERT_HOME/images/`, named by the UKI's SHA-256, whose `images` list
/// `aicert verify` searches for the identity a certificate's runner event signs.
enum RegisteredImages {
    /// `AICERT_HOME/images`.
    static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        LocalPlatform.defaultHome(environment: environment).appendingPathComponent("images")
    }

    /// Every registered image; a file that cannot be read is an error naming it.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [KnownImage] {
        let folder = directory(environment: environment)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return try names.sorted().filter { $0.hasSuffix(".yaml") }.flatMap { name in
            try PolicyFile.load(folder.appendingPathComponent(name).path).policy.images
        }
    }

    /// Writes `values` as the registration of `identity`, atomically; returns the file.
    static func register(_ values: ImageReferenceValues, identity: ImageIdentity) throws -> URL {
        let folder = directory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("\(identity.ukiSHA256).yaml")
        try Data(values.imageYAML(identity: identity).utf8).write(to: file, options: .atomic)
        return file
    }

    /// The identity image/build.sh writes beside the image (`image.json`), checked against the UKI measured.
    static func identity(imageDirectory: String, measured: ImageReferenceValues) throws -> ImageIdentity {
        let path = URL(fileURLWithPath: imageDirectory).appendingPathComponent("image.json").path
        guard let identity = ImageIdentity.read(path) else {
            throw ImageMeasureError(
                .malformed, file: path, "is not the image identity image/build.sh writes: {name, version, uki_sha256}")
        }
        guard identity.ukiSHA256 == measured.image.ukiFileSHA256 else {
            throw ImageMeasureError(
                .inconsistent, file: path,
                "names uki_sha256 \(identity.ukiSHA256), but aicert.efi has \(measured.image.ukiFileSHA256)")
        }
        return identity
    }
}
