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
