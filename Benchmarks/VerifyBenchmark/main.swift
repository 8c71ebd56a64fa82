import AICertCore
import AICertVerify
import Foundation

// In-process verification time of one certificate: `verify-benchmark CERT ROOT [RUNS]`.
// Prints the median and best time of a full verification (all checks, no artifacts; the
// fixture is a local development certificate, so its unmeasured boot is accepted).

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: verify-benchmark CERTIFICATE ROOT.pem [RUNS]\n".utf8))
    exit(2)
}
let runs = arguments.count > 3 ? max(1, Int(arguments[3]) ?? 200) : 200
let data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
let roots = try TrustStore.certificates(in: Data(contentsOf: URL(fileURLWithPath: arguments[2])), source: arguments[2])
var times: [Double] = []
for _ in 0..<(runs + 10) {
    let start = DispatchTime.now().uptimeNanoseconds
    let certificate = try AICertificate(json: data)
    let report = await CertificateVerifier.verify(
        certificate, options: VerificationOptions(trustRoots: roots, allowUnmeasuredBoot: true))
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    guard report.valid else {
        FileHandle.standardError.write(Data("the certificate does not verify: \(report.checks)\n".utf8))
        exit(1)
    }
    times.append(elapsed)
}
let measured = times.dropFirst(10).sorted()
print(
    String(
        format: "in-process verification (parse + all checks): median %.3f ms, best %.3f ms over %d runs",
        measured[measured.count / 2], measured[0], runs))
