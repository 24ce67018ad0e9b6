package dev.sockit.engine;

import dev.sockit.linux.PeerCredentials;
import dev.sockit.net.Addresses;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * How an accepted peer is shown: {@code 127.0.0.1:51234}, {@code [::1]:51234}, or for a Unix socket,
 * whose client is nearly always unnamed, the process and user behind it: {@code unix:(pid 1234 uid 0)}.
 */
final class PeerNames {
    private PeerNames() {
    }

    static String of(SocketChannel channel) {
        try {
            SocketAddress a = channel.getRemoteAddress();
            if (a instanceof UnixDomainSocketAddress u) {
                String who = PeerCredentials.describe(channel).orElse("unnamed");
                String path = u.getPath().toString();
                return path.isEmpty() ? "unix:(" + who + ")" : "unix:" + path + " (" + who + ")";
            }
            return Addresses.format(a);
        } catch (IOException e) {
            return "(gone)";
        }
    }
}
