import AICertClient
import ArgumentParser

@main
enum AICertMain {
    static func main() {
        AICertCommand.main()
    }
}
