import TPM2
import Testing

@Suite("TCTI strings")
struct TCTITests {
    @Test func deviceFormsAreAccepted() throws {
        #expect(try TCTI(parsing: "device:/dev/tpmrm0") == .device(path: "/dev/tpmrm0"))
        #expect(try TCTI(parsing: "device:/dev/tpm0") == .device(path: "/dev/tpm0"))
        #expect(try TCTI(parsing: "device") == .device(path: "/dev/tpmrm0"))
    }

    @Test func swtpmFormsAreAcceptedWithDefaults() throws {
        #expect(try TCTI(parsing: "swtpm:host=127.0.0.1,port=2321") == .swtpm(host: "127.0.0.1", port: 2321))
        #expect(try TCTI(parsing: "swtpm:port=4000") == .swtpm(host: "localhost", port: 4000))
        #expect(try TCTI(parsing: "swtpm") == .swtpm(host: "localhost", port: 2321))
    }

    @Test(arguments: [
        "mssim:host=localhost", "swtpm:port=0", "swtpm:port=70000", "swtpm:port=abc", "swtpm:hots=x",
        "swtpm:host", "device:/etc/passwd", "", ":",
    ])
    func malformedStringsAreRejectedWithAnExplanation(_ text: String) {
        let error = #expect(throws: TPM2Error(.invalidTCTI, "")) { try TCTI(parsing: text) }
        #expect(error?.reason.contains("TCTI '\(text)'") == true)
    }

    @Test func descriptionParsesBackToTheSameTCTI() throws {
        for tcti in [TCTI.device(path: "/dev/tpm0"), .swtpm(host: "::1", port: 2321)] {
            #expect(try TCTI(parsing: tcti.description) == tcti)
        }
    }
}
