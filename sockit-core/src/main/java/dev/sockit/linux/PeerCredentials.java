package dev.sockit.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SocketChannel;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Who is at the other end of a Unix stream connection, as the kernel recorded it when the peer
 * connected ({@code SO_PEERCRED}, {@code struct ucred}): its process, user and group ids.
 *
 * <p>The JDK's own {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED} gives the user and group but not
 * the pid, and a channel's descriptor is not public; so the descriptor is read through
 * {@link JdkDescriptors}, which needs {@code java.base/sun.nio.ch} exported to sockit. Where it is
 * not, {@link #describe} falls back to the JDK's option and shows the user alone.
 */
public record PeerCredentials(int pid, int uid, int gid) {

    /** {@code pid 1234 uid 0}: how a peer is shown in a connection's log line. */
    @Override
    public String toString() {
        return "pid " + pid + " uid " + Integer.toUnsignedString(uid);
    }

    /** The peer's credentials, when the channel's descriptor can be read here. */
    public static Optional<PeerCredentials> of(SocketChannel channel) {
        int fd = JdkDescriptors.of(channel);
        if (fd < 0 || !Libc.available()) {
            return Optional.empty();
        }
        return of(fd);
    }

    /** The credentials of the peer of a connected Unix stream socket's descriptor. */
    public static Optional<PeerCredentials> of(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(12);
            if (Libc.getsockopt(fd, Libc.SOL_SOCKET, Libc.SO_PEERCRED, ucred, "SO_PEERCRED") < 12) {
                return Optional.empty();
            }
            return Optional.of(new PeerCredentials(ucred.get(JAVA_INT, 0), ucred.get(JAVA_INT, 4), ucred.get(JAVA_INT, 8)));
        } catch (ErrnoException e) {
            return Optional.empty();
        }
    }

    /**
     * The peer of a Unix stream connection as sockit shows it: {@code pid 1234 uid 0}, or
     * {@code user alice} when only the JDK's view is available, or empty when neither is.
     */
    public static Optional<String> describe(SocketChannel channel) {
        Optional<PeerCredentials> c = of(channel);
        if (c.isPresent()) {
            return Optional.of(c.get().toString());
        }
        try {
            var principal = channel.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            return Optional.of("user " + principal.user().getName());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
