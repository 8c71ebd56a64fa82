import AICertCore
import ArgumentParser
import Foundation
import TPM2

/// `aicert eventlog`: a TPM firmware event log, decoded and replayed into PCR values.
struct EventLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eventlog",
        abstract: "Decode a TPM firmware event log and replay it into the PCR values it claims.",
        discussion: """
            Reads a TCG PC Client firmware event log, as Linux exposes it, and prints one line \
            per event (index, PCR, type, the start of its SHA-256 digest, what its data says), \
            then the PCR values that replaying the log gives, per bank:

                $ aicert eventlog /sys/kernel/security/tpm0/binary_bios_measurements
                …
                   1 PCR  0  EV_S_CRTM_VERSION                 96a296d224f285c6  ""
                …
                sha256:
                  PCR  0  464a812afa3f88d8a5f1fe7e71df41951435ebd05edb742db8c2c0d67d62c0d1
                …

            Both formats are read: crypto-agile logs (a Spec ID event, then one digest per bank) \
            and legacy SHA-1 logs. EV_NO_ACTION events are not replayed; a StartupLocality or \
            H-CRTM event sets the starting value of PCR 0. The values must equal what the TPM \
            quotes for the log to be trusted; see docs/firmware-event-log.md.

            Exit status: 0 when the log was read, 2 when the file cannot be read or the log is \
            malformed (the message names the record and field).
            """
    )

    @Argument(
        help: ArgumentHelp(
            "The binary event log, e.g. `aicert eventlog /sys/kernel/security/tpm0/binary_bios_measurements`.",
            valueName: "file"))
    var path: String

    @Flag(
        help: """
            Print one JSON object {"events": […], "pcrs": {bank: {pcr: hex}}} with sorted keys instead of text, \
            e.g. `aicert eventlog --json log.bin`.
            """)
    var json = false

    init() {}

    func run() throws {
        let bytes: [UInt8]
        do {
            bytes = try Self.readLog(path)
        } catch {
            HashCommand.writeError("aicert eventlog: cannot read \(path): \(error)")
            throw ExitCode(2)
        }
        let log: FirmwareEventLog
        do {
            log = try FirmwareEventLog(bytes: bytes)
        } catch {
            HashCommand.writeError("aicert eventlog: \(path): malformed event log: \(error)")
            throw ExitCode(2)
        }
        let output = json ? Self.jsonDocument(log) : Self.textLines(log)
        Console.out(Data(output.utf8))
    }

    /// Reads the file until its end, refusing it as soon as it is larger than a log may be. Files
    /// under /sys report no size, so the size is not taken from `stat`.
    static func readLog(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CannotReadLog(errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CannotReadLog(errno: errno)
            }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
            guard bytes.count <= FirmwareEventLog.maximumSize else {
                let limit = FirmwareEventLog.maximumSize
                throw CannotReadLog(description: "larger than \(limit) bytes, the limit for an event log")
            }
        }
    }

    /// The text listing: a line per event, then each bank's replayed PCR values.
    static func textLines(_ log: FirmwareEventLog) -> String {
        var text = ""
        for event in log.events {
            let digest: String
            if let sha256 = event.digest(for: .sha256) {
                digest = String(sha256.hexString.prefix(16))
            } else if let first = event.digests.first, event.isExtended {
                digest = "\(first.algorithm):" + String(first.value.hexString.prefix(11))
            } else {
                digest = "-"
            }
            let columns = [
                pad(String(event.index), 4, right: true), " PCR ", pad(String(event.pcr), 2, right: true), "  ",
                pad(event.type.name, 34), pad(digest, 18), summary(event.payload, data: event.data),
            ]
            text += columns.joined() + "\n"
        }
        let banks = log.replay()
        for bank in banks.keys.sorted(by: bankOrder) {
            text += "\(bank):\n"
            for (pcr, value) in (banks[bank] ?? [:]).sorted(by: { $0.key < $1.key }) {
                text += "  PCR \(pad(String(pcr), 2, right: true))  \(value.hexString)\n"
            }
        }
        return text
    }

    /// The `--json` document: events and replayed PCRs, keys sorted, on one line.
    static func jsonDocument(_ log: FirmwareEventLog) -> String {
        let events: [JSONValue] = log.events.map { event in
            var digests: [String: JSONValue] = [:]
            for digest in event.digests { digests[digest.algorithm.description] = .string(digest.value.hexString) }
            return .object([
                "index": .integer(Int64(event.index)),
                "pcr": .integer(Int64(event.pcr)),
                "type": .string(event.type.name),
                "digests": .object(digests),
                "details": details(event.payload, data: event.data),
            ])
        }
        var pcrs: [String: JSONValue] = [:]
        for (bank, values) in log.replay() {
            let entries = values.map { (String($0.key), JSONValue.string(Hex.string($0.value))) }
            pcrs[bank] = .object(Dictionary(uniqueKeysWithValues: entries))
        }
        let document = JSONValue.object(["events": .array(events), "pcrs": .object(pcrs)])
        return String(decoding: document.canonicalBytes, as: UTF8.self) + "\n"
    }

    /// A few words on what an event's data says, for the text listing.
    static func summary(_ payload: FirmwareEventPayload, data: [UInt8]) -> String {
        switch payload {
        case .specID(let specID):
            return "Spec ID Event03: " + specID.algorithms.map { "\($0.algorithm)" }.joined(separator: ", ")
        case .startupLocality(let locality):
            return "StartupLocality \(locality)"
        case .noAction(let signature):
            return signature.map { quoted($0) } ?? "\(data.count) byte(s)"
        case .variable(let variable):
            return "\(TerminalText.escaped(variable.name)), \(variable.data.count) byte(s) of data"
        case .imageLoad(let image):
            let file = image.filePath.map { TerminalText.escaped($0) } ?? "(no file in the device path)"
            return "\(file), image of \(image.imageLength) byte(s)"
        case .firmwareBlob(let blob):
            let range = "0x\(String(blob.length, radix: 16)) byte(s) at 0x\(String(blob.base, radix: 16))"
            return blob.blobDescription.map { "\(quoted($0)), \(range)" } ?? range
        case .text(let text):
            return quoted(text.value)
        case .guid(let guid):
            return guid.description
        case .separator(let value):
            return value == 0 ? "normal" : "error (0x\(String(value, radix: 16)))"
        case .taggedEvent(let id, let tagged):
            return "tag 0x\(String(id, radix: 16)), \(tagged.count) byte(s)"
        case .undecoded:
            return "\(data.count) byte(s)"
        }
    }

    /// The `details` object of an event in `--json`.
    static func details(_ payload: FirmwareEventPayload, data: [UInt8]) -> JSONValue {
        let address = { (value: UInt64) in JSONValue.string("0x" + String(value, radix: 16)) }
        let optional = { (value: String?) in value.map(JSONValue.string) ?? .null }
        switch payload {
        case .specID(let specID):
            return .object([
                "kind": .string("spec_id"),
                "platform_class": .integer(Int64(specID.platformClass)),
                "spec_version": .string("\(specID.specVersionMajor).\(specID.specVersionMinor).\(specID.specErrata)"),
                "uintn_size": .integer(Int64(specID.uintnSize)),
                "algorithms": .array(
                    specID.algorithms.map {
                        .object([
                            "algorithm": .string($0.algorithm.description),
                            "digest_size": .integer(Int64($0.digestSize)),
                        ])
                    }),
                "vendor_info": .string(specID.vendorInfo.hexString),
            ])
        case .startupLocality(let locality):
            return .object(["kind": .string("startup_locality"), "locality": .integer(Int64(locality))])
        case .noAction(let signature):
            return .object([
                "kind": .string("no_action"), "signature": optional(signature), "data": .string(data.hexString),
            ])
        case .variable(let variable):
            return .object([
                "kind": .string("variable"), "vendor": .string(variable.vendor.description),
                "name": .string(variable.name), "data": .string(variable.data.hexString),
            ])
        case .imageLoad(let image):
            return .object([
                "kind": .string("image_load"), "image_address": address(image.imageAddress),
                "image_length": address(image.imageLength), "link_time_address": address(image.linkTimeAddress),
                "device_path": .string(image.devicePath.hexString), "file_path": optional(image.filePath),
            ])
        case .firmwareBlob(let blob):
            return .object([
                "kind": .string("firmware_blob"), "base": address(blob.base), "length": address(blob.length),
                "description": optional(blob.blobDescription),
            ])
        case .text(let text):
            return .object([
                "kind": .string("text"), "text": .string(text.value), "encoding": .string(text.encoding.rawValue),
            ])
        case .guid(let guid):
            return .object(["kind": .string("guid"), "guid": .string(guid.description)])
        case .separator(let value):
            return .object(["kind": .string("separator"), "value": .integer(Int64(value))])
        case .taggedEvent(let id, let tagged):
            return .object([
                "kind": .string("tagged_event"), "id": .integer(Int64(id)), "data": .string(tagged.hexString),
            ])
        case .undecoded:
            return .object(["kind": .string("raw"), "data": .string(data.hexString)])
        }
    }

    /// Banks by digest size, so that `sha1` precedes `sha256`.
    private static func bankOrder(_ first: String, _ second: String) -> Bool {
        (first.count, first) < (second.count, second)
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }

    /// A string from the log in quotes, shortened, with control characters escaped so that it
    /// cannot forge lines of output.
    private static func quoted(_ text: String) -> String {
        let limit = 80
        let shown = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + TerminalText.escaped(shown) + "\""
    }
}

/// The file could not be opened or read, or is larger than any firmware event log.
private struct CannotReadLog: Error, CustomStringConvertible {
    let description: String

    init(description: String) { self.description = description }
    init(errno number: Int32) { description = String(cString: strerror(number)) }
}
