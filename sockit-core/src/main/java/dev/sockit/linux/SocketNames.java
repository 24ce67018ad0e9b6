package dev.sockit.linux;

import dev.sockit.net.UnixSocketAddress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Binding and connecting a Unix socket descriptor to a {@link UnixSocketAddress}, and reading its names back. */
final class SocketNames {
    private SocketNames() {
    }

    /** Binds and returns the address the kernel reports. */
    static UnixSocketAddress bind(Descriptor descriptor, UnixSocketAddress address) throws java.io.IOException {
        int fd = descriptor.enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(UnixAddresses.SIZE);
            Libc.bind(fd, sa, UnixAddresses.encode(address, sa), address.toString());
            MemorySegment bound = a.allocate(UnixAddresses.SIZE);
            return UnixAddresses.decode(bound, Libc.getsockname(fd, bound));
        } finally {
            descriptor.leave();
        }
    }

    /**
     * Linux autobind: bound with nothing but the family, a socket gets a fresh abstract name from the
     * kernel (five hex digits, e.g. {@code unix:@0001f}), unique while it lives and gone with it: no file
     * to clean up, nothing to collide with. Returns that name.
     */
    static UnixSocketAddress autobind(Descriptor descriptor) throws java.io.IOException {
        int fd = descriptor.enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(UnixAddresses.SIZE);
            sa.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            Libc.bind(fd, sa, UnixAddresses.FAMILY_SIZE, "unix (autobind)");
            MemorySegment bound = a.allocate(UnixAddresses.SIZE);
            return UnixAddresses.decode(bound, Libc.getsockname(fd, bound));
        } finally {
            descriptor.leave();
        }
    }

    static void connect(Descriptor descriptor, UnixSocketAddress address) throws java.io.IOException {
        int fd = descriptor.enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(UnixAddresses.SIZE);
            Libc.connect(fd, sa, UnixAddresses.encode(address, sa), address.toString());
        } finally {
            descriptor.leave();
        }
    }
}
