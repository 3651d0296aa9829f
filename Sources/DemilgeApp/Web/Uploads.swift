import DemilgeCore
import Foundation
import Vapor

/// Uploaded photos: checked by their first bytes (not by the name a browser sends), limited in
/// size, stripped of their metadata (a phone's photo carries the GPS position of the house it was taken in),
/// stored under a random name in the uploads directory (`DEMILGE_UPLOADS`, default ./uploads).
enum Uploads {
    static let maximumPhotoBytes = 2 * 1024 * 1024

    enum Kind: String { case jpeg = "jpg", png }

    enum Problem: Error { case tooLarge, notAPhoto }

    static func kind(of data: ByteBuffer) -> Kind? {
        let bytes = data.getBytes(at: data.readerIndex, length: min(8, data.readableBytes)) ?? []
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// A photo as it will be published: its kind and its bytes without metadata.
    struct Photo: Sendable {
        let kind: Kind
        let bytes: [UInt8]
    }

    static func check(_ file: File) -> Result<Photo, Problem> {
        guard file.data.readableBytes <= maximumPhotoBytes else { return .failure(.tooLarge) }
        guard let kind = kind(of: file.data), let bytes = file.data.getBytes(at: file.data.readerIndex, length: file.data.readableBytes),
              let clean = PhotoMetadata.stripped(bytes) else { return .failure(.notAPhoto) }
        return .success(Photo(kind: kind, bytes: clean))
    }

    static func directory(_ app: Application) -> URL {
        URL(fileURLWithPath: Environment.get("DEMILGE_UPLOADS") ?? app.directory.workingDirectory + "uploads")
    }

    /// Saves the photo and returns its stored name.
    static func save(_ photo: Photo, app: Application) throws -> String {
        let folder = directory(app)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = "\(UUID().uuidString.lowercased()).\(photo.kind.rawValue)"
        try Data(photo.bytes).write(to: folder.appendingPathComponent(name), options: .atomic)
        return name
    }

    /// Removes a stored photo whose record was not written.
    static func remove(_ name: String, app: Application) {
        guard isStoredName(name) else { return }
        try? FileManager.default.removeItem(at: directory(app).appendingPathComponent(name))
    }

    /// Only names this module produced are ever read back.
    static func isStoredName(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        return parts.count == 2 && UUID(uuidString: String(parts[0])) != nil && (parts[1] == "jpg" || parts[1] == "png")
    }
}
