package dev.sockit.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Reads and writes that finish the whole job. A socket read or write may move fewer bytes than asked;
 * the classic programs loop until the buffer is done, and so must every caller of these.
 */
public final class ExactIO {
    private ExactIO() {
    }

    /** Fills {@code dst} completely, or throws {@link EOFException} saying how much came before the peer closed. */
    public static void readFully(ReadableByteChannel ch, ByteBuffer dst) throws IOException {
        int wanted = dst.remaining();
        while (dst.hasRemaining()) {
            if (ch.read(dst) < 0) {
                throw new EOFException("peer closed after " + (wanted - dst.remaining()) + " of " + wanted + " bytes");
            }
        }
    }

    /** Reads exactly {@code n} bytes, or throws {@link EOFException} on an early end of stream. */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("peer closed after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Reads until the peer closes; fails rather than hold more than {@code limit} bytes. */
    public static byte[] readToEnd(InputStream in, int limit) throws IOException {
        byte[] b = in.readNBytes(limit);
        if (b.length == limit && in.read() >= 0) {
            throw new IOException("peer sent more than " + limit + " bytes");
        }
        return b;
    }

    /** Writes all of {@code src}. */
    public static void writeFully(WritableByteChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            ch.write(src);
        }
    }

    /** Writes all of {@code b} and flushes. */
    public static void writeFully(OutputStream out, byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }
}
