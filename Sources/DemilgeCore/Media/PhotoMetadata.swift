import Foundation

/// Removes what a photo says about where and by whom it was taken before it is published: EXIF (with its GPS
/// position), XMP, IPTC and comments in JPEG files; `eXIf` and text chunks in PNG files. The picture itself
/// is copied byte for byte. A file whose structure cannot be walked is refused (nil), not published as sent.
public enum PhotoMetadata {
    public static func stripped(_ bytes: [UInt8]) -> [UInt8]? {
        if bytes.starts(with: [0xFF, 0xD8]) { return strippedJPEG(bytes) }
        if bytes.starts(with: pngSignature) { return strippedPNG(bytes) }
        return nil
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// JPEG segments up to the image data: APP0 (JFIF) and APP2 (colour profile) stay, every other APPn and COM goes.
    static func strippedJPEG(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = [0xFF, 0xD8]
        var index = 2
        while index < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            var markerIndex = index + 1
            while markerIndex < bytes.count && bytes[markerIndex] == 0xFF { markerIndex += 1 }   // fill bytes
            guard markerIndex < bytes.count else { return nil }
            let marker = bytes[markerIndex]
            if marker == 0xD9 { out += [0xFF, 0xD9]; return out }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 {
                out += [0xFF, marker]
                index = markerIndex + 1
                continue
            }
            guard markerIndex + 2 < bytes.count else { return nil }
            let length = Int(bytes[markerIndex + 1]) << 8 | Int(bytes[markerIndex + 2])
            let end = markerIndex + 1 + length
            guard length >= 2, end <= bytes.count else { return nil }
            if marker == 0xDA {
                // Start of scan: the compressed picture and everything after it are kept as they are.
                out += [0xFF] + bytes[markerIndex..<bytes.count]
                return out
            }
            let isMetadata = (0xE1...0xEF).contains(marker) && marker != 0xE2 || marker == 0xFE
            if !isMetadata { out += [0xFF] + bytes[markerIndex..<end] }
            index = end
        }
        return nil
    }

    /// PNG chunks: every chunk but the ones that carry text, a time or EXIF.
    static func strippedPNG(_ bytes: [UInt8]) -> [UInt8]? {
        let dropped: Set<String> = ["eXIf", "tEXt", "zTXt", "iTXt", "tIME"]
        var out = pngSignature
        var index = pngSignature.count
        while index + 12 <= bytes.count {
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            let end = index + 12 + length
            guard length >= 0, length <= bytes.count, end <= bytes.count else { return nil }
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            if !dropped.contains(type) { out += bytes[index..<end] }
            index = end
            if type == "IEND" { return out }
        }
        return nil
    }
}
