import AICertClient
import Glibc

@main
enum AICertMain {
    static func main() async {
        // A reader that goes away (`aicert run | head`) ends a write with EPIPE, not the process.
        signal(SIGPIPE, SIG_IGN)
        await AICertCommand.runAsMain()
    }
}
