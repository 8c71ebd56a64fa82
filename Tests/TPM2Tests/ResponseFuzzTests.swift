import Foundation
import Synchronization
import TPM2
import TPMTestSupport
import Testing

/// Passes commands to a real TPM and keeps each response, to make the corpus.
private final class RecordingTransport: TPMTransport {
    let inner: any TPMTransport
    /// Each response with the command code it answered.
    let responses = Mutex<[(code: UInt32, response: [UInt8])]>([])

    init(_ inner: any TPMTransport) { self.inner = inner }

    func transmit(_ command: [UInt8]) throws -> [UInt8] {
        let response = try inner.transmit(command)
        let code = command.count >= 10 ? command[6..<10].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        responses.withLock { $0.append((code, response)) }
        return response
    }

    /// The last response to a command of `code`.
    func last(_ code: CommandCode) -> [UInt8] {
        responses.withLock { $0.last { $0.code == code.rawValue }?.response ?? [] }
    }
}

/// Seeded mutations of real swtpm responses (`Tests/Fuzz/Corpus/tpm2-response/<command>/`)
/// fed through ``TPMClient/execute(_:)`` as the TPM's answer: header, handles, parameter area
/// and sessions. Every refusal is a ``TPM2Error``, nothing traps, and an accepted response with
/// one byte more in its parameters (sizes fixed up) is refused (``ResponseHarness``).
@Suite("TPM responses, fuzzed", .timeLimit(.minutes(2)))
struct ResponseFuzzTests {
    static let executions = 20_000
    static let target = "tpm2-response"

    @Test(arguments: ResponseHarness.commands.map(\.name))
    func mutatedResponsesAreRefusedWithTPM2ErrorsOnly(_ command: String) throws {
        let run = try #require(ResponseHarness.commands.first { $0.name == command }?.run)
        let loop = MutationLoop(
            corpus: try FuzzCorpus("\(Self.target)/\(command)"), executions: Self.executions, seed: 0x7E57_0022)
        let figures = loop.run { bytes in
            switch run(bytes) {
            case .accepted: return true
            case .refused: return false
            case .broken(let what):
                Issue.record("\(what), for \(MutationLoop.hex(bytes))")
                return false
            }
        }
        #expect(figures.seedsWithWrongVerdict.isEmpty, "seeds accepted or refused against their names")
        #expect(figures.accepted > figures.seedsAccepted, "no mutant was accepted")
    }

    /// Records the responses of a real TPM (swtpm) to each command as the corpus, when asked
    /// to with `AICERT_WRITE_FUZZ_CORPUS` (`scripts/make-fuzz-corpus`).
    @Test(.enabled(if: FuzzCorpus.isWriting))
    func swtpmResponsesMakeTheCorpus() throws {
        let tpm = try SoftwareTPM()
        defer { tpm.stop() }
        let recorder = RecordingTransport(try tpm.client().transport)
        let client = TPMClient(transport: recorder)
        func keep<Command: TPMCommand>(_: Command.Type, _ folder: String, _ name: String) throws {
            try FuzzCorpus.write(recorder.last(Command.code), as: name, target: "\(Self.target)/\(folder)")
        }
        for (name, template) in [("rsa", PublicArea.rsaAttestationKeyTemplate), ("ecc", .eccAttestationKeyTemplate)] {
            let key = try client.createPrimary(template)
            try keep(CreatePrimary.self, "create-primary", "\(name)-attestation-key.bin")
            _ = try client.readPublic(key.handle)
            try keep(ReadPublic.self, "read-public", "\(name)-attestation-key.bin")
            _ = try client.quote(signingKey: key.handle, nonce: Array(repeating: 0xA5, count: 32), pcrs: 0...15)
            try keep(Quote.self, "quote", "\(name)-pcrs-0-15.bin")
            try client.flush(key.handle)
        }
        _ = try client.readPCRs(0...15)
        try keep(PCRRead.self, "pcr-read", "sha256-0-15.bin")
        _ = try client.pcrBanks()
        try keep(GetCapability.self, "get-capability", "pcr-banks.bin")
        _ = try client.properties()
        try keep(GetCapability.self, "get-capability", "fixed-properties.bin")
        _ = try client.handles(from: Handle(0x0100_0000))
        try keep(GetCapability.self, "get-capability", "nv-handles.bin")
        _ = try client.getRandom(16)
        try keep(GetRandom.self, "get-random", "16-bytes.bin")
        _ = try client.nvReadPublic(.rsaEKCertificateNV)
        try keep(NVReadPublic.self, "nv-read-public", "rsa-ek-certificate.bin")
        #expect(throws: TPM2Error.self) { try client.nvReadPublic(Handle(0x01FF_FFFF)) }
        try keep(NVReadPublic.self, "nv-read-public", "reject-undefined-index.bin")
        _ = try client.nvRead(.rsaEKCertificateNV)
        let chunks = recorder.responses.withLock { $0.filter { $0.code == CommandCode.nvRead.rawValue } }
        for (index, chunk) in chunks.prefix(2).enumerated() {
            try FuzzCorpus.write(
                chunk.response, as: "rsa-ek-certificate-\(index).bin", target: "\(Self.target)/nv-read")
        }
    }
}
