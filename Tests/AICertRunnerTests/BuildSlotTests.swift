import AICertRunner
import Crypto
import TPM2
import TPMTestSupport
import Testing

@Suite("One build per TPM reset")
struct BuildSlotTests {
    @Test func freshTPMAcceptsABuild() throws {
        let swtpm = try SoftwareTPM()
        try BuildSlot.requireFresh(swtpm.client())
    }

    @Test(arguments: [14, 15])
    func extendedBuildPCRRefusesASecondBuild(pcr: Int) throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        try tpm.extendPCR(pcr, digest: Array(SHA256.hash(data: Array("an earlier build".utf8))))
        let error = #expect(throws: BuildSlot.Occupied.self) { try BuildSlot.requireFresh(tpm) }
        #expect(error?.pcrs == [pcr])
        #expect(error?.description.contains("one build per boot") == true)
    }

    @Test func otherPCRsDoNotBlockABuild() throws {
        let swtpm = try SoftwareTPM()
        let tpm = try swtpm.client()
        try tpm.extendPCR(16, digest: [UInt8](repeating: 1, count: 32))
        try tpm.extendPCR(13, digest: [UInt8](repeating: 1, count: 32))
        try BuildSlot.requireFresh(tpm)
    }
}
