import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// The runner's HTTP server (`aicert-runner serve`): the API of `docs/runner-api.yaml` over
/// the one ``Runner`` of this machine.
public struct RunnerServer: Sendable {
    private let runner: Runner
    private let configuration: RunnerConfiguration
    /// The TLS key and certificate served, `nil` over plain HTTP in tests.
    public let tls: RunnerTLS?

    /// Opens the TPM, checks that no build was measured since its reset and that the boot is
    /// what the configuration expects, reads the platform identity, prepares the workspace and
    /// checks the sandbox, and makes the TLS key. Throws ``BuildSlot/Occupied`` when PCR 14 or
    /// 15 is not zero, ``BootRefusal`` when the boot is not as expected, ``APIError`` for the rest.
    public static func open(_ configuration: RunnerConfiguration) async throws -> RunnerServer {
        let tls: RunnerTLS?
        switch configuration.transport {
        case .tls: tls = try RunnerTLS.generate()
        case .plainHTTPForTests: tls = nil
        }
        return RunnerServer(
            runner: try await Runner.open(configuration, tlsKeyDigest: tls?.keyDigest), configuration: configuration,
            tls: tls)
    }

    /// Serves until the surrounding task is cancelled; `onListening` gets the port listened on.
    /// On the way out, a running job is killed, open requests are finished and the TPM
    /// connection is closed.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: BearerTokenMiddleware(token: configuration.token))
        IdentityRoutes.add(to: router, runner: runner)
        BuildRoutes.add(to: router, runner: runner)
        InputRoutes.add(to: router, runner: runner)
        LogRoutes.add(to: router, runner: runner)
        OutputRoutes.add(to: router, runner: runner)
        AttestationRoutes.add(to: router, runner: runner)
        var logger = Logger(label: "aicert-runner")
        logger.logLevel = .warning
        let application = Application(
            router: router, server: try tls.map { try .tls(.http1(), tlsConfiguration: $0.configuration) } ?? .http1(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [application], logger: logger)
        // On the way out the job goes first, so that followed logs end and the server can
        // finish its connections gracefully.
        let runner = self.runner
        // The group runs in a task of its own, which our cancellation does not reach: it ends
        // by a graceful shutdown instead.
        let serving = Task { try await group.run() }
        do {
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                Task {
                    await runner.shutdown()
                    await group.triggerGracefulShutdown()
                }
            }
        } catch {
            await runner.shutdown()
            throw error
        }
        await runner.shutdown()
    }
}
