package dev.sockit.engine;

import dev.sockit.net.AccessList;
import dev.sockit.net.Addresses;
import dev.sockit.server.ServerEvents;

import java.net.InetAddress;

/**
 * The access list at the door of the stream listeners: a connection from an address the list does
 * not allow is closed as soon as it is accepted, before any service sees it, and the refusals are
 * reported at most once per interval. A peer whose name is not an address (none of the engines makes
 * one) is refused too: a gate fails closed.
 */
final class AccessGate {
    private final AccessList list;
    private final Refusals refusals;

    AccessGate(AccessList list, ServerEvents events) {
        this(list, events, Refusals.REPORT_EVERY_NANOS);
    }

    AccessGate(AccessList list, ServerEvents events, long reportEveryNanos) {
        this.list = list;
        this.refusals = new Refusals(events, "from addresses the access list does not allow", reportEveryNanos);
    }

    /** Whether a connection from {@code peer} ({@code 192.0.2.7:51234}, {@code [::1]:51234}, {@code unix:...}) may be served; reported when not. */
    boolean admits(String peer) {
        if (list.isOpen()) {
            return true;
        }
        InetAddress a;
        try {
            a = Source.addressOf(peer);
        } catch (IllegalArgumentException e) {
            refusals.refused(peer);
            return false;
        }
        if (a == null || list.allows(a)) {
            return true;
        }
        refusals.refused(Addresses.format(a));
        return false;
    }

    /** Says the refusals not yet said (at stop). */
    void reportRefusals() {
        refusals.flush();
    }
}
