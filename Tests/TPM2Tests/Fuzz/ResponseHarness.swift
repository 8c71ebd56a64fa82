import TPM2

/// The property the TPM response fuzzers check, shared by the seeded loop of `swift test`
/// (`ResponseFuzzTests`) and the libFuzzer entry of `scripts/fuzz tpm2-response`: bytes given to
/// ``TPMClient/execute(_:)`` as the TPM's answer to a command are refused with a ``TPM2Error``
/// or accepted, and an accepted response with one byte more in its parameter area (sizes fixed
/// up) is refused. It imports nothing but `TPM2`, so that libFuzzer can build it with the
/// library's sources.
enum ResponseHarness {
    /// What the client did with one response.
    enum Outcome: Equatable {
        case accepted, refused
        /// The property broke: what happened.
        case broken(String)
    }

    /// A TPM that answers every command with the same bytes: the response under test.
    struct ReplayTransport: TPMTransport {
        let response: [UInt8]
        func transmit(_ command: [UInt8]) throws -> [UInt8] { response }
    }

    /// The commands whose responses are fuzzed, by the folder of their corpus, each parsing a
    /// response to itself.
    static let commands: [(name: String, run: @Sendable ([UInt8]) -> Outcome)] = [
        ("quote", { check(Quote(signingKey: .attestationKey, qualifyingData: [1], selection: .init([])), $0) }),
        ("read-public", { check(ReadPublic(object: .attestationKey), $0) }),
        ("pcr-read", { check(PCRRead(selection: .init([PCRSelection(hash: .sha256, pcrs: 0...15)])), $0) }),
        ("nv-read", { check(NVRead(authorization: .owner, index: .rsaEKCertificateNV, size: 64, offset: 0), $0) }),
        ("nv-read-public", { check(NVReadPublic(index: .rsaEKCertificateNV), $0) }),
        ("get-capability", { check(GetCapability(capability: .pcrs, property: 0, propertyCount: 1), $0) }),
        ("create-primary", { check(CreatePrimary(hierarchy: .endorsement, template: .rsaAttestationKeyTemplate), $0) }),
        ("get-random", { check(GetRandom(bytesRequested: 16), $0) }),
    ]

    /// The client's verdict on `bytes` as the response to `command`.
    static func check<Command: TPMCommand>(_ command: Command, _ bytes: [UInt8]) -> Outcome {
        let response: Command.Response
        do {
            response = try TPMClient(transport: ReplayTransport(response: bytes)).execute(command)
        } catch is TPM2Error {
            return .refused
        } catch {
            return .broken("\(Command.code): \(error) is not a TPM2Error")
        }
        if let quote = response as? Quote.Response {
            do {
                _ = try quote.parsedAttestation()
            } catch is TPM2Error {
            } catch {
                return .broken("TPMS_ATTEST: \(error) is not a TPM2Error")
            }
        }
        if let longer = withParameterByte(bytes, handleCount: Command.Response.handleCount),
            (try? TPMClient(transport: ReplayTransport(response: longer)).execute(command)) != nil
        {
            return .broken("\(Command.code) accepts a trailing byte in its parameters")
        }
        return .accepted
    }

    /// An accepted response with one byte more at the end of its parameter area and its
    /// sizes fixed up, or `nil` for a response that has no parameter area to extend.
    static func withParameterByte(_ bytes: [UInt8], handleCount: Int) -> [UInt8]? {
        guard bytes.count >= 10, bytes[6..<10].allSatisfy({ $0 == 0 }) else { return nil }
        var longer = bytes
        if bytes[0] == 0x80 && bytes[1] == 0x01 {
            longer.append(0)
        } else {
            let sizeAt = 10 + 4 * handleCount
            guard bytes.count >= sizeAt + 4 else { return nil }
            let size = bytes[sizeAt..<(sizeAt + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard sizeAt + 4 + size <= bytes.count else { return nil }
            longer.insert(0, at: sizeAt + 4 + size)
            setBigEndian(&longer, at: sizeAt, UInt32(size + 1))
        }
        setBigEndian(&longer, at: 2, UInt32(longer.count))
        return longer
    }

    private static func setBigEndian(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(index))) }
    }
}
