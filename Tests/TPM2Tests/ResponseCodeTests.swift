import TPM2
import Testing

@Suite("Response codes")
struct ResponseCodeTests {
    @Test func formatZeroErrorsAreNamed() {
        #expect(ResponseCode(rawValue: 0x14C).name == "TPM_RC_NV_DEFINED")
        #expect(ResponseCode(rawValue: 0x100).name == "TPM_RC_INITIALIZE")
        #expect(ResponseCode(rawValue: 0x14C).subject == nil)
    }

    @Test func formatOneErrorsNameTheParameterHandleOrSession() {
        let parameter = ResponseCode(rawValue: 0x1C4)
        #expect(parameter.name == "TPM_RC_VALUE")
        #expect(parameter.subject == .parameter(1))
        #expect(parameter.description == "TPM_RC_VALUE (0x1C4) on parameter 1")

        let handle = ResponseCode(rawValue: 0x28B)
        #expect(handle.name == "TPM_RC_HANDLE")
        #expect(handle.subject == .handle(2))

        let session = ResponseCode(rawValue: 0x98E)
        #expect(session.name == "TPM_RC_AUTH_FAIL")
        #expect(session.subject == .session(1))
    }

    @Test func warningsAreNamedAndRetryableOnesRecognised() {
        #expect(ResponseCode(rawValue: 0x922).name == "TPM_RC_RETRY")
        #expect(ResponseCode(rawValue: 0x922).isRetryable)
        #expect(ResponseCode(rawValue: 0x902).name == "TPM_RC_OBJECT_MEMORY")
        #expect(!ResponseCode(rawValue: 0x902).isRetryable)
    }

    @Test func vendorAndLegacyCodesAreReportedAsSuch() {
        #expect(ResponseCode(rawValue: 0x0000_0026).name == "TPM 1.2 response code 0x26")
        #expect(ResponseCode(rawValue: 0x0000_0501).name == "vendor response code 0x501")
    }
}
