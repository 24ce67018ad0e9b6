package dev.sockit.bench;

import java.net.InetSocketAddress;

/** The line a bench server prints once a listener is bound, which the runner waits for (no sleeping). */
final class Ready {
    private Ready() {
    }

    static void announce(String service, InetSocketAddress bound) {
        System.out.println(service + " " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        System.out.flush();
    }
}
