package dev.sockit.linux;

import dev.sockit.net.Transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sockets systemd passes by socket activation (sd_listen_fds(3)): descriptors 3, 4, ... as many
 * as {@code LISTEN_FDS} says, meant for this process when {@code LISTEN_PID} is its pid, named by
 * {@code LISTEN_FDNAMES} (colon-separated, a .socket unit's {@code FileDescriptorName=}, by default
 * the unit's name, {@code sockit.socket}). systemd
 * binds them, so a server started by it may serve port 7 without ever being root, and the sockets
 * outlive the server's restarts: connections made meanwhile wait in the backlog.
 */
public final class SocketActivation {
    /** SD_LISTEN_FDS_START. */
    static final int FIRST_FD = 3;

    private SocketActivation() {
    }

    /** A descriptor and its name, before they are looked at. */
    record Named(int fd, String name) {
    }

    /**
     * The sockets passed to this process, each looked at with getsockopt and getsockname; none when
     * the environment passes none, or passes them to another process (LISTEN_PID).
     *
     * @throws IOException naming the descriptor that is not a socket, or the variable that is malformed
     */
    public static List<InheritedSocket> inherited() throws IOException {
        List<InheritedSocket> passed = new ArrayList<>();
        for (Named n : named(System.getenv(), ProcessHandle.current().pid())) {
            passed.add(lookAt(n));
        }
        return passed;
    }

    /**
     * The descriptors and names {@code env} passes to process {@code pid}.
     *
     * @throws IllegalArgumentException when LISTEN_FDS or LISTEN_PID is not a number, or LISTEN_FDNAMES has another count
     */
    static List<Named> named(Map<String, String> env, long pid) {
        String fds = env.get("LISTEN_FDS");
        if (fds == null || fds.isBlank()) {
            return List.of();
        }
        String forPid = env.get("LISTEN_PID");
        if (forPid == null || forPid.isBlank()) {
            return List.of(); // as sd_listen_fds(3): without LISTEN_PID, nothing says they are ours
        }
        long target;
        try {
            target = Long.parseLong(forPid.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("socket activation: LISTEN_PID is not a process id: '" + forPid + "'");
        }
        if (target != pid) {
            return List.of(); // for another process (our parent's, say): not ours to take
        }
        int count;
        try {
            count = Integer.parseInt(fds.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("socket activation: LISTEN_FDS is not a number: '" + fds + "'");
        }
        if (count < 0 || count > 4096) {
            throw new IllegalArgumentException("socket activation: LISTEN_FDS is out of range: " + count);
        }
        String names = env.getOrDefault("LISTEN_FDNAMES", "");
        String[] each = names.isEmpty() ? new String[0] : names.split(":", -1);
        if (!names.isEmpty() && each.length != count) {
            throw new IllegalArgumentException("socket activation: LISTEN_FDNAMES names " + each.length + " sockets, LISTEN_FDS passes " + count);
        }
        List<Named> named = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            named.add(new Named(FIRST_FD + i, each.length > 0 ? each[i] : ""));
        }
        return named;
    }

    private static InheritedSocket lookAt(Named n) throws IOException {
        int fd = n.fd();
        int type;
        try {
            type = Libc.getIntOption(fd, Libc.SOL_SOCKET, Libc.SO_TYPE, "SO_TYPE");
        } catch (ErrnoException e) {
            throw new IOException("socket activation passed descriptor " + fd + (n.name().isEmpty() ? "" : " (" + n.name() + ")")
                    + ", which is not a socket: " + e.getMessage(), e);
        }
        Libc.setCloseOnExec(fd); // for us, not for what we may run
        boolean stream = type == Libc.SOCK_STREAM;
        if (!stream && type != Libc.SOCK_DGRAM) {
            throw new IOException("socket activation passed descriptor " + fd + ", a socket of type " + type + ": only stream and datagram sockets are served");
        }
        boolean listening = stream && Libc.getIntOption(fd, Libc.SOL_SOCKET, Libc.SO_ACCEPTCONN, "SO_ACCEPTCONN") != 0;
        SocketAddress local;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SocketAddresses.STORAGE);
            local = SocketAddresses.decode(sa, Libc.getsockname(fd, sa));
        }
        return new InheritedSocket(fd, n.name(), stream ? Transport.TCP : Transport.UDP, listening, local);
    }
}
