package dev.sockit.linux;

import java.lang.foreign.MemorySegment;
import dev.sockit.net.UnixSocketAddress;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sockaddr_un} to and from {@link UnixSocketAddress}. An abstract name is written as the
 * kernel wants it: a NUL byte, then exactly the name's bytes (no terminator; the length says where it
 * ends). Paths are encoded as the JDK encodes file names, so both name the same file.
 */
final class UnixAddresses {
    /** {@code sizeof(struct sockaddr_un)}: a 2-byte family and 108 bytes of path. */
    static final int SIZE = 110;
    /** {@code sizeof(sa_family_t)}: an address of the family alone asks the kernel to autobind. */
    static final int FAMILY_SIZE = 2;
    private static final int PATH_OFFSET = FAMILY_SIZE;
    private static final int PATH_MAX = 108;
    private static final Charset FILE_NAMES = fileNameCharset();

    private UnixAddresses() {
    }

    /** Writes {@code address} into {@code sa} (at least {@link #SIZE} bytes) and returns the length to pass. */
    static int encode(UnixSocketAddress address, MemorySegment sa) throws ErrnoException {
        if (address.isUnnamed()) {
            throw new ErrnoException(address.toString(), Errno.EDESTADDRREQ.code());
        }
        byte[] bytes = address.name().getBytes(FILE_NAMES);
        // A path goes with its terminating NUL; an abstract name is a NUL and then exactly its bytes.
        int needed = bytes.length + 1;
        if (needed > PATH_MAX) {
            throw new ErrnoException(address + " is " + bytes.length + " bytes long; the limit is " + (PATH_MAX - 1),
                    Errno.ENAMETOOLONG.code());
        }
        sa.fill((byte) 0);
        sa.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
        MemorySegment.copy(bytes, 0, sa, JAVA_BYTE, PATH_OFFSET + (address.isAbstract() ? 1 : 0), bytes.length);
        return PATH_OFFSET + needed;
    }

    /** The address the kernel wrote into {@code sa}, {@code length} bytes of it. */
    static UnixSocketAddress decode(MemorySegment sa, int length) {
        int n = Math.min(length, SIZE) - PATH_OFFSET;
        if (n <= 0) {
            return UnixSocketAddress.unnamed();
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(sa, JAVA_BYTE, PATH_OFFSET, bytes, 0, n);
        if (bytes[0] == 0) {
            return n == 1 ? UnixSocketAddress.unnamed() : UnixSocketAddress.abstractName(new String(bytes, 1, n - 1, FILE_NAMES));
        }
        int end = 0;
        while (end < n && bytes[end] != 0) {
            end++;
        }
        return UnixSocketAddress.path(new String(bytes, 0, end, FILE_NAMES));
    }

    private static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding", System.getProperty("native.encoding"));
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
