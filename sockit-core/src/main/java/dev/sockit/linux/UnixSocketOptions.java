package dev.sockit.linux;

import dev.sockit.net.SocketOptions;

import java.io.IOException;

/**
 * What of sockit's {@link SocketOptions} means something to a Unix socket made through libc: its
 * buffer sizes. Keepalive, nodelay and linger are TCP's and do not apply.
 */
final class UnixSocketOptions {
    private UnixSocketOptions() {
    }

    static void apply(Descriptor descriptor, SocketOptions options) throws IOException {
        if (options.receiveBuffer() == null && options.sendBuffer() == null) {
            return;
        }
        int fd = descriptor.enter();
        try {
            if (options.receiveBuffer() != null) {
                Libc.setIntOption(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, options.receiveBuffer(), "SO_RCVBUF");
            }
            if (options.sendBuffer() != null) {
                Libc.setIntOption(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, options.sendBuffer(), "SO_SNDBUF");
            }
        } finally {
            descriptor.leave();
        }
    }

    /** An int option as the kernel holds it (Linux doubles the buffer sizes asked for). */
    static int get(Descriptor descriptor, int name, String what) throws IOException {
        int fd = descriptor.enter();
        try {
            return Libc.getIntOption(fd, Libc.SOL_SOCKET, name, what);
        } finally {
            descriptor.leave();
        }
    }
}
