/// libFuzzer's entry for `scripts/fuzz tpm2-response`: each input is given to every command of
/// ``ResponseHarness`` as the TPM's answer, and a broken property traps so that libFuzzer
/// keeps the input. Built by the script with the TPM2 library's sources; not part of the
/// package's targets.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTPM2Response(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    for command in ResponseHarness.commands {
        if case .broken(let what) = command.run(bytes) { fatalError("\(command.name): \(what)") }
    }
    return 0
}
