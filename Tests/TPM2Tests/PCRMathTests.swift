import Crypto
import TPM2
import Testing

@Suite("PCR math")
struct PCRMathTests {
    @Test func extendIsTheHashOfOldValueAndDigest() throws {
        let digest = Array(SHA256.hash(data: Array("aicert".utf8)))
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(try PCRMath.extend(zero, with: digest, bank: .sha256) == Array(SHA256.hash(data: zero + digest)))
    }

    @Test func replayOfNothingIsZeroAndOrderMatters() throws {
        #expect(try PCRMath.replay([], bank: .sha256) == [UInt8](repeating: 0, count: 32))
        let a = [UInt8](repeating: 1, count: 32)
        let b = [UInt8](repeating: 2, count: 32)
        #expect(try PCRMath.replay([a, b], bank: .sha256) != PCRMath.replay([b, a], bank: .sha256))
    }

    @Test func compositeDigestFollowsSelectionOrderAndNeedsEveryValue() throws {
        let selection = PCRSelectionList([PCRSelection(hash: .sha256, pcrs: [1, 0])])
        let values: [AlgorithmID: [Int: [UInt8]]] = [
            .sha256: [0: [UInt8](repeating: 0xA, count: 32), 1: [UInt8](repeating: 0xB, count: 32)]
        ]
        let expected = Array(SHA256.hash(data: [UInt8](repeating: 0xA, count: 32) + [UInt8](repeating: 0xB, count: 32)))
        #expect(try PCRMath.compositeDigest(selection: selection, values: values) == expected)
        #expect(throws: TPM2Error(.invalidValue, "")) {
            try PCRMath.compositeDigest(
                selection: PCRSelectionList([PCRSelection(hash: .sha256, pcrs: [2])]), values: values)
        }
    }
}
