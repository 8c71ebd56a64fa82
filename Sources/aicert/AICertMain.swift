import AICertClient

@main
enum AICertMain {
    static func main() async {
        await AICertCommand.runAsMain()
    }
}
