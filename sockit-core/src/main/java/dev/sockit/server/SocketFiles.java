package dev.sockit.server;

import dev.sockit.linux.Libc;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hygiene of Unix socket files: a missing directory is named, not reported as "no such file"; a
 * file left behind by a server that died is replaced, but only when nothing answers on it; a file that
 * is not a socket is never touched; and {@code --socket-mode} applies from the moment the file exists.
 */
public final class SocketFiles {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    /** umask is per process: two servers of this JVM binding at once must not interleave their masks. */
    private static final ReentrantLock UMASK = new ReentrantLock();

    private SocketFiles() {
    }

    /** Makes {@code endpoint}'s path ready for bind: its directory exists and no live socket holds it. */
    public static void prepare(Transport transport, Endpoint.Unix endpoint) throws ListenException {
        if (endpoint.abstractName()) {
            return;
        }
        Path file = endpoint.file();
        Path dir = file.toAbsolutePath().getParent();
        String where = "cannot listen on " + transport.label(endpoint) + " " + endpoint + " — ";
        if (dir != null && !Files.isDirectory(dir)) {
            throw new ListenException(where + "directory " + dir + " does not exist (create it first)", ListenException.Reason.OTHER, null);
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(file)) {
            throw new ListenException(where + file + " exists and is not a socket; sockit will not replace it",
                    ListenException.Reason.IN_USE, null);
        }
        if (answers(file)) {
            throw new ListenException(where + "address already in use (a server answers on " + file
                    + "; stop it or choose another path)", ListenException.Reason.IN_USE, null);
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new ListenException(where + "cannot remove the stale socket file: " + e.getMessage(), ListenException.Reason.OTHER, e);
        }
    }

    private static boolean isSocket(Path file) {
        return isSocket(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether {@code file} is a socket (false when it cannot be told, or there is no such file). */
    public static boolean isSocket(Path file, LinkOption... options) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode", options);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Whether a live socket is bound at {@code file}. A stream connect tells: a listener accepts it, a
     * datagram socket refuses it as the wrong type, and only a socket file with nothing behind it
     * (its server died without removing it) gives "connection refused".
     */
    private static boolean answers(Path file) throws ListenException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(file));
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            // "Protocol wrong type for socket": a datagram socket is bound there; other errors: assume alive
            return true;
        }
    }

    /** Socket file permissions from an octal mode such as 0660. */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                p.add(bits[i]);
            }
        }
        return p;
    }

    /** Something that binds a socket. */
    interface Bind<T> {
        T bind() throws IOException;
    }

    /**
     * Binds with the socket file created at {@code mode} (e.g. 0660), or the process's umask when
     * {@code mode} is negative. Linux creates a socket file as 0777 less the umask and ignores fchmod
     * on the socket, so the mask is set around bind: no peer can connect in a moment where the file is
     * more open than asked, and the mask gives the file exactly {@code mode}. No chmod follows: by
     * path, it would follow a symbolic link put in the socket's place meanwhile, as root perhaps.
     * Without libc's umask the file is bound, then chmod-ed.
     */
    static <T> T bindWithMode(Endpoint.Unix endpoint, int mode, Bind<T> bind) throws IOException {
        if (mode < 0 || endpoint.abstractName()) {
            return bind.bind();
        }
        T bound;
        if (Libc.available()) {
            UMASK.lock();
            try {
                int old = Libc.umask(~mode & 0777);
                try {
                    bound = bind.bind();
                } finally {
                    Libc.umask(old);
                }
            } finally {
                UMASK.unlock();
            }
        } else {
            bound = bind.bind();
            Files.setPosixFilePermissions(endpoint.file(), permissions(mode));
        }
        return bound;
    }
}
