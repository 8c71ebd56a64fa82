import AICertCore
import AICertVerify
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SwiftASN1

/// A Time-Stamping Authority reached over HTTP (RFC 3161, section 3.4): asked for a token over
/// the SHA-256 of a quote's signature, with a fresh nonce and its certificate included.
public struct TimestampAuthority: Sendable {
    public let url: URL
    /// The longest a TSA may take to answer.
    public var timeout: Duration = .seconds(30)
    /// The largest response read: a token with a few certificates is a few KiB.
    static let maximumResponseBytes = TimeStampToken.maximumSize + 4096

    public init(url: URL) {
        self.url = url
    }

    /// Why no token came back: the TSA, what went wrong, in one line.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A DER `TimeStampToken` over `SHA-256(signature)`, checked before it is returned: it
    /// parses, time-stamps that digest, and answers this request's nonce.
    public func token(over signature: [UInt8]) async throws(Failure) -> [UInt8] {
        let imprint = Array(SHA256.hash(data: signature))
        var nonce = NonceRule.fresh().prefix(8)
        nonce[nonce.startIndex] = (nonce[nonce.startIndex] & 0x7F) | 0x01  // positive, minimal INTEGER
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/timestamp-query")
        request.headers.add(name: "Accept", value: "application/timestamp-reply")
        request.body = .bytes(ByteBuffer(bytes: Self.query(imprint: imprint, nonce: Array(nonce))))
        let body: ByteBuffer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds))
            guard response.status == .ok else {
                throw Failure(description: "\(url.absoluteString) answered HTTP \(response.status.code)")
            }
            body = try await response.body.collect(upTo: Self.maximumResponseBytes)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(url.absoluteString) did not answer within \(timeout) or failed: \(error)")
        }
        let token = try Self.token(inResponse: Array(body.readableBytesView))
        let parsed: TimeStampToken
        do {
            parsed = try TimeStampToken(derEncoded: token)
        } catch {
            throw Failure(description: "\(url.absoluteString) sent a token that does not parse: \(error)")
        }
        guard parsed.imprint == imprint else {
            throw Failure(description: "\(url.absoluteString) time-stamped another digest than the one asked")
        }
        guard parsed.nonce == Array(nonce) else {
            throw Failure(description: "\(url.absoluteString) answered with another nonce: a replayed token")
        }
        return token
    }

    /// `TimeStampReq`: version 1, a SHA-256 message imprint, the nonce, `certReq` true.
    static func query(imprint: [UInt8], nonce: [UInt8]) -> [UInt8] {
        let sha256: [UInt8] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        let algorithm = DERBytes.tagged(0x30, sha256 + [0x05, 0x00])
        let messageImprint = DERBytes.tagged(0x30, algorithm + DERBytes.tagged(0x04, imprint))
        return DERBytes.tagged(
            0x30,
            [0x02, 0x01, 0x01] + messageImprint + DERBytes.tagged(0x02, nonce) + [0x01, 0x01, 0xFF])
    }

    /// The token of a `TimeStampResp` whose status is granted (0) or granted with mods (1).
    static func token(inResponse bytes: [UInt8]) throws(Failure) -> [UInt8] {
        do {
            return try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
                guard let statusInfo = nodes.next() else { throw Failure(description: "an empty answer") }
                let status = try DER.sequence(statusInfo, identifier: .sequence) { parts in
                    let status = try Int(derEncoded: &parts)
                    while parts.next() != nil {}
                    return status
                }
                guard status == 0 || status == 1, let token = nodes.next() else {
                    throw Failure(description: "the TSA refused the request (PKIStatus \(status))")
                }
                return Array(token.encodedBytes)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "the TSA's answer is not a DER TimeStampResp")
        }
    }
}

/// Definite-length DER, for the one small structure the client writes.
enum DERBytes {
    /// `tag`, the length of `content` in DER's definite form, then `content`.
    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var count = content.count
            while count > 0 {
                length.insert(UInt8(count & 0xFF), at: 0)
                count >>= 8
            }
            length.insert(0x80 | UInt8(length.count), at: 0)
        }
        return [tag] + length + content
    }
}
