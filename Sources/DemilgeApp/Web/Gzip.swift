import CZlib
import NIOCore

/// gzip in one call, for a page compressed once and sent many times (`PageCache`). Responses that are not cached are
/// compressed by the HTTP server as they go out.
enum Gzip {
    /// The bytes gzipped, or nil if zlib refuses (out of memory): the caller then sends them as they are.
    static func compress(_ input: ByteBuffer, level: Int32 = 6) -> ByteBuffer? {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var input = input
        let bound = Int(deflateBound(&stream, UInt(input.readableBytes)))
        var output = ByteBuffer()
        var finished = false
        input.withUnsafeMutableReadableBytes { source in
            // deflateBound leaves room for the whole result, so one call with Z_FINISH ends the stream.
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                stream.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(target.count)
                finished = deflate(&stream, Z_FINISH) == Z_STREAM_END
                return finished ? target.count - Int(stream.avail_out) : 0
            }
        }
        return finished ? output : nil
    }
}
