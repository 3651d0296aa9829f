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

    /// JPEG segments: APP0 (JFIF) and APP2 (colour profile) stay, every other APPn and COM goes — before the
    /// picture and between the scans of a progressive one. Nothing after the end of the image is kept (phones put
    /// a second picture with its own EXIF, or a video with the position, there).
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
            let isMetadata = (0xE1...0xEF).contains(marker) && marker != 0xE2 || marker == 0xFE
            if !isMetadata { out += [0xFF] + bytes[markerIndex..<end] }
            index = end
            if marker == 0xDA {
                // The scan's compressed data runs to the next marker: 0xFF not followed by 0x00 (a stuffed byte) or a restart.
                var scan = index
                while scan < bytes.count {
                    if bytes[scan] == 0xFF, scan + 1 < bytes.count, bytes[scan + 1] != 0x00, !(0xD0...0xD7).contains(bytes[scan + 1]) { break }
                    scan += 1
                }
                guard scan < bytes.count else { return nil }
                out += bytes[index..<scan]
                index = scan
            }
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
