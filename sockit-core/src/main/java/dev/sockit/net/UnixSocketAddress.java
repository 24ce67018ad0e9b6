package dev.sockit.net;

import java.io.Serial;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Unix-domain socket address: a file path, a Linux abstract name, or none (an unnamed socket, which
 * can send but cannot be answered). The JDK's {@link UnixDomainSocketAddress} cannot hold an abstract
 * name (its path may not contain NUL), so the sockets of {@code dev.sockit.linux} use this one.
 */
public final class UnixSocketAddress extends SocketAddress {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final UnixSocketAddress UNNAMED = new UnixSocketAddress("", false);

    private final String name;
    private final boolean abstractName;

    private UnixSocketAddress(String name, boolean abstractName) {
        this.name = name;
        this.abstractName = abstractName;
    }

    public static UnixSocketAddress path(String path) {
        if (path.isEmpty() || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad Unix socket path '" + path.replace("\0", "\\0") + "'");
        }
        return new UnixSocketAddress(path, false);
    }

    public static UnixSocketAddress path(Path path) {
        return path(path.toString());
    }

    /** A name in Linux's abstract namespace: no file, gone when the socket closes. */
    public static UnixSocketAddress abstractName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty abstract socket name");
        }
        return new UnixSocketAddress(name, true);
    }

    public static UnixSocketAddress unnamed() {
        return UNNAMED;
    }

    public static UnixSocketAddress of(Endpoint.Unix endpoint) {
        return endpoint.abstractName() ? abstractName(endpoint.path()) : path(endpoint.path());
    }

    /** The same address as the JDK's; an empty path means unnamed. */
    public static UnixSocketAddress of(UnixDomainSocketAddress address) {
        String p = address.getPath().toString();
        return p.isEmpty() ? UNNAMED : path(p);
    }

    /** The path or abstract name (without any prefix); empty when unnamed. */
    public String name() {
        return name;
    }

    public boolean isAbstract() {
        return abstractName;
    }

    public boolean isUnnamed() {
        return name.isEmpty();
    }

    /** The endpoint for this address. */
    public Endpoint.Unix toEndpoint() {
        if (isUnnamed()) {
            throw new IllegalStateException("an unnamed socket has no endpoint");
        }
        return new Endpoint.Unix(name, abstractName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixSocketAddress u && u.abstractName == abstractName && u.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, abstractName);
    }

    /** {@code unix:/path}, {@code unix:@name} or {@code unix:(unnamed)}: as sockit shows a peer. */
    @Override
    public String toString() {
        return isUnnamed() ? "unix:(unnamed)" : toEndpoint().toString();
    }
}
