import AICertCore
import Foundation
import Hummingbird
import NIOCore

/// Responses with a JSON body, and the bounded reading of JSON request bodies.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return make(status, bytes: Array(try encoder.encode(value)))
    }

    static func make(_ status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func error(_ error: APIError) -> Response {
        var headers: HTTPFields = [:]
        if error.code == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body =
            (try? encoder.encode(error.body)).map(Array.init) ?? Array(#"{"error":"internal","detail":""}"#.utf8)
        return make(error.status, bytes: body, headers: headers)
    }

    /// The request's body, at most `limit` bytes.
    static func body(of request: Request, limit: Int) async throws -> Data {
        var data = Data()
        for try await buffer in request.body {
            guard data.count + buffer.readableBytes <= limit else {
                throw APIError(.tooLarge, "the request body is larger than \(limit) bytes")
            }
            data.append(contentsOf: buffer.readableBytesView)
        }
        return data
    }
}
