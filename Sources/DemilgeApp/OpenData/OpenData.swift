import DemilgeCore
import Foundation
import Vapor

/// Responses for open-data downloads.
enum OpenData {
    static func csv(_ text: String, filename: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: filename)
        return response
    }

    static func json(_ value: some Encodable, on req: Request) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let response = Response(status: .ok, body: .init(data: try encoder.encode(value)))
        response.headers.contentType = .json
        return response
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }

    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

extension OpenData {
    /// Rows read a batch at a time, from `offset`, at most `limit`: fewer than `limit` ends the list.
    typealias Batches<Row> = @Sendable (_ offset: Int, _ limit: Int) async throws -> [Row]
    static let batchSize = 1_000

    /// A CSV download written as it is read, a thousand rows at a time: a national export never sits whole in memory.
    static func streamedCSV(header: [String], filename: String, rows: @escaping Batches<[String]>) -> Response {
        let response = Response(status: .ok, body: .init(asyncStream: { writer in
            try await writer.writeBuffer(ByteBuffer(string: CSV.write(header: header, rows: [])))
            var offset = 0
            while true {
                let batch = try await rows(offset, batchSize)
                if !batch.isEmpty {
                    try await writer.writeBuffer(ByteBuffer(string: batch.map { $0.map(CSV.escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"))
                }
                if batch.count < batchSize { break }
                offset += batch.count
            }
            try await writer.write(.end)
        }))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: filename)
        return response
    }

    /// A JSON array download written as it is read, a thousand items at a time.
    static func streamedJSON<Item: Encodable & Sendable>(_ items: @escaping Batches<Item>) -> Response {
        let response = Response(status: .ok, body: .init(asyncStream: { writer in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try await writer.writeBuffer(ByteBuffer(string: "["))
            var offset = 0
            while true {
                let batch = try await items(offset, batchSize)
                var chunk = ByteBuffer()
                for (index, item) in batch.enumerated() {
                    if offset + index > 0 { chunk.writeString(",") }
                    chunk.writeBytes(try encoder.encode(item))
                }
                if chunk.readableBytes > 0 { try await writer.writeBuffer(chunk) }
                if batch.count < batchSize { break }
                offset += batch.count
            }
            try await writer.writeBuffer(ByteBuffer(string: "]"))
            try await writer.write(.end)
        }))
        response.headers.contentType = .json
        return response
    }
}
