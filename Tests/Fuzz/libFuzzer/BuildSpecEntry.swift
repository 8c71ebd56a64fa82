/// libFuzzer's entry for `scripts/fuzz build-spec`: each input is read as a build spec by
/// ``BuildSpecHarness``, the harness the seeded loop uses, and a broken property traps so that
/// libFuzzer keeps the input. Built by the script with the parser's sources; not part of the
/// package's targets.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBuildSpec(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    if case .broken(let what) = BuildSpecHarness.check(Array(UnsafeBufferPointer(start: data, count: count))) {
        fatalError(what)
    }
    return 0
}
