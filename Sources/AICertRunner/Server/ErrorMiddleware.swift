import AICertCore
import Hummingbird

/// Turns every error into a JSON `{error, detail}` response with the right status, whatever
/// threw it: the edge's own ``APIError``s, the domain's ``RunnerFailure``s, Hummingbird's (no
/// such route) or anything else.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONResponse.error(error)
        } catch let failure as RunnerFailure {
            return JSONResponse.error(APIError(failure))
        } catch let error as HTTPError {
            switch error.status {
            case .notFound, .methodNotAllowed:
                return JSONResponse.error(APIError(.notFound, "no route \(request.method) \(request.uri.path)"))
            case .contentTooLarge:
                return JSONResponse.error(APIError(.tooLarge, "the request body is too large"))
            case let status where status.kind == .clientError:
                return JSONResponse.error(APIError(.invalidRequest, "\(status.code) \(status.reasonPhrase)"))
            default:
                return JSONResponse.error(APIError(.internalError, "\(error.status.code) \(error.status.reasonPhrase)"))
            }
        } catch {
            return JSONResponse.error(APIError(.internalError, "\(error)"))
        }
    }
}
