package dev.sockit.net;

import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The socket options sockit sets, one immutable value applied the same way to every socket a server
 * accepts and every socket a client connects. A null field means "leave the system default".
 *
 * @param keepAlive      TCP keepalive, or null
 * @param noDelay        TCP_NODELAY (disable Nagle), or null
 * @param receiveBuffer  SO_RCVBUF in bytes (the kernel doubles it for bookkeeping), or null
 * @param sendBuffer     SO_SNDBUF in bytes, or null
 * @param linger         SO_LINGER: how long close() may wait to send what is queued (0: reset at once), or null
 * @param reusePort      SO_REUSEPORT on listeners: several processes share one port and the kernel spreads connections
 */
public record SocketOptions(KeepAlive keepAlive, Boolean noDelay, Integer receiveBuffer, Integer sendBuffer,
                            Duration linger, boolean reusePort) {
    public static final SocketOptions DEFAULTS = new SocketOptions(null, null, null, null, null, false);

    public SocketOptions {
        if (receiveBuffer != null && receiveBuffer < 1) {
            throw new IllegalArgumentException("receive buffer must be at least 1 byte");
        }
        if (sendBuffer != null && sendBuffer < 1) {
            throw new IllegalArgumentException("send buffer must be at least 1 byte");
        }
        if (linger != null && (linger.isNegative() || linger.toSeconds() > 65535)) {
            throw new IllegalArgumentException("linger must be from 0 to 65535 seconds");
        }
    }

    public SocketOptions withKeepAlive(KeepAlive k) {
        return new SocketOptions(k, noDelay, receiveBuffer, sendBuffer, linger, reusePort);
    }

    public SocketOptions withNoDelay(Boolean on) {
        return new SocketOptions(keepAlive, on, receiveBuffer, sendBuffer, linger, reusePort);
    }

    public SocketOptions withReceiveBuffer(Integer bytes) {
        return new SocketOptions(keepAlive, noDelay, bytes, sendBuffer, linger, reusePort);
    }

    public SocketOptions withSendBuffer(Integer bytes) {
        return new SocketOptions(keepAlive, noDelay, receiveBuffer, bytes, linger, reusePort);
    }

    public SocketOptions withLinger(Duration d) {
        return new SocketOptions(keepAlive, noDelay, receiveBuffer, sendBuffer, d, reusePort);
    }

    public SocketOptions withReusePort(boolean on) {
        return new SocketOptions(keepAlive, noDelay, receiveBuffer, sendBuffer, linger, on);
    }

    /** True when nothing is set: accepted sockets need no system call at all. */
    public boolean isDefault() {
        return equals(DEFAULTS);
    }

    /**
     * What a server sets on the TCP connections it accepts: these options, with TCP_NODELAY on unless
     * they say otherwise. Both engines write a session's whole output at once, so Nagle's algorithm has
     * nothing to coalesce and only holds back the tail of a bulk write until the previous one is
     * acknowledged (measured: stream echo at half a CPU, 8 connections, ~500 MB/s with Nagle, ~610
     * without). Netty, Go and nginx default to the same.
     */
    public SocketOptions forAcceptedTcp() {
        return noDelay == null ? withNoDelay(true) : this;
    }

    /** Applies the per-connection options to an accepted or connecting socket. TCP-only options are skipped on Unix sockets. */
    public void applyTo(NetworkChannel ch, boolean tcp) throws IOException {
        if (tcp && keepAlive != null) {
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, keepAlive.idle());
            ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, keepAlive.interval());
            ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, keepAlive.count());
        }
        if (tcp && noDelay != null) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
        }
        if (receiveBuffer != null) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
        }
        if (sendBuffer != null) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
        }
        if (tcp && linger != null) {
            ch.setOption(StandardSocketOptions.SO_LINGER, (int) linger.toSeconds());
        }
    }

    /**
     * Applies what belongs on a listening socket, before bind: SO_REUSEPORT, and the receive buffer
     * (set before listen, the window scale offered to clients fits it).
     */
    public void applyToListener(ServerSocketChannel ch) throws IOException {
        if (reusePort) {
            ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (receiveBuffer != null) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
        }
    }

    /**
     * What the kernel really holds for the options this value sets, read back from a fresh socket of
     * {@code family} configured exactly as a connection will be (and from the listener for
     * SO_REUSEPORT): for the start-up log. Linux, for one, doubles the buffer sizes asked for.
     */
    public String readBack(ProtocolFamily family, ServerSocketChannel listener) {
        if (isDefault()) {
            return "";
        }
        boolean tcp = family != StandardProtocolFamily.UNIX;
        List<String> parts = new ArrayList<>();
        try (SocketChannel ch = SocketChannel.open(family)) {
            applyTo(ch, tcp);
            if (tcp && keepAlive != null) {
                parts.add("keepalive=" + (ch.getOption(StandardSocketOptions.SO_KEEPALIVE)
                        ? ch.getOption(ExtendedSocketOptions.TCP_KEEPIDLE) + "," + ch.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)
                        + "," + ch.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT) : "off"));
            }
            if (tcp && noDelay != null) {
                parts.add("nodelay=" + (ch.getOption(StandardSocketOptions.TCP_NODELAY) ? "on" : "off"));
            }
            if (receiveBuffer != null) {
                parts.add("rcvbuf=" + ch.getOption(StandardSocketOptions.SO_RCVBUF));
            }
            if (sendBuffer != null) {
                parts.add("sndbuf=" + ch.getOption(StandardSocketOptions.SO_SNDBUF));
            }
            if (tcp && linger != null) {
                parts.add("linger=" + ch.getOption(StandardSocketOptions.SO_LINGER));
            }
            if (reusePort && listener != null) {
                parts.add("reuseport=" + (read(listener, StandardSocketOptions.SO_REUSEPORT) ? "on" : "off"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            parts.add("(could not read back: " + e.getMessage() + ")");
        }
        return String.join(" ", parts);
    }

    private static <T> T read(NetworkChannel ch, SocketOption<T> o) throws IOException {
        return ch.getOption(o);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (keepAlive != null) {
            parts.add("keepalive=" + keepAlive);
        }
        if (noDelay != null) {
            parts.add("nodelay=" + (noDelay ? "on" : "off"));
        }
        if (receiveBuffer != null) {
            parts.add("rcvbuf=" + receiveBuffer);
        }
        if (sendBuffer != null) {
            parts.add("sndbuf=" + sendBuffer);
        }
        if (linger != null) {
            parts.add("linger=" + linger.toSeconds());
        }
        if (reusePort) {
            parts.add("reuseport=on");
        }
        return parts.isEmpty() ? "defaults" : String.join(" ", parts);
    }
}
