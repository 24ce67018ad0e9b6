package dev.sockit.engine;

import dev.sockit.io.DatagramPort;
import dev.sockit.net.AccessList;
import dev.sockit.net.Addresses;
import dev.sockit.server.DropReason;
import dev.sockit.server.Listener;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.DatagramService;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Optional;

/**
 * One datagram socket's server: a single loop that receives a datagram, asks the service for the
 * reply, asks the guard whether it may go, sends it, and counts, then takes the next. No thread per
 * datagram and no queue: one buffer, reused. Under a flood the only queue is the kernel's socket
 * buffer, which is bounded and drops what does not fit; the loop never holds more than one datagram.
 */
final class DatagramLoop implements Runnable {
    /** The largest UDP payload (65,535 less the UDP header; IPv6 allows 65,527) fits, with room to spare. */
    static final int BUFFER_SIZE = 65_536;

    private final Listener listener;
    private final DatagramPort port;
    private final DatagramService service;
    private final ReplyGuard guard;
    private final AccessList access;
    private final ServerEvents events;
    private final DatagramCounters counters = new DatagramCounters();
    private volatile boolean stopping;

    DatagramLoop(Listener listener, DatagramPort port, DatagramService service, ReplyGuard guard, AccessList access, ServerEvents events) {
        this.access = access;
        this.listener = listener;
        this.port = port;
        this.service = service;
        this.guard = guard;
        this.events = events;
    }

    @Override
    public void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
        AcceptBackoff backoff = new AcceptBackoff(events, "receive", listener.toString());
        while (!stopping) {
            buffer.clear();
            DatagramPort.Received received;
            try {
                received = port.receive(buffer);
                backoff.succeeded();
            } catch (ClosedChannelException e) { // AsynchronousCloseException too: the server is stopping
                return;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                try {
                    backoff.failed(e);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            buffer.flip();
            handle(buffer, received);
        }
    }

    private void handle(ByteBuffer request, DatagramPort.Received received) {
        int length = received.length();
        String sender = Addresses.format(received.sender());
        if (!access.allows(received.sender())) {
            counters.dropped(length, DropReason.NOT_ALLOWED, sender);
            return;
        }
        if (length > request.limit()) {
            counters.dropped(length, DropReason.TOO_LARGE, sender);
            return;
        }
        Optional<ByteBuffer> reply;
        try {
            reply = service.answer(request, sender);
        } catch (RuntimeException e) {
            events.warning(listener.service().name() + " failed on a datagram from " + sender + ", not answered: " + e, e);
            counters.noReply(length);
            return;
        }
        if (reply.isEmpty()) {
            counters.noReply(length);
            return;
        }
        Optional<DropReason> refused = guard.check(received.sender());
        if (refused.isPresent()) {
            counters.dropped(length, refused.get(), sender);
            return;
        }
        ByteBuffer out = reply.get();
        int replyLength = out.remaining();
        try {
            if (port.send(out, received.sender())) {
                counters.answered(length, replyLength);
            } else {
                counters.dropped(length, DropReason.SEND_FAILED, sender);
            }
        } catch (IOException e) {
            counters.dropped(length, DropReason.SEND_FAILED, sender);
        }
    }

    Listener listener() {
        return listener;
    }

    DatagramCounters counters() {
        return counters;
    }

    boolean needsPlatformThread() {
        return port.blocksInNativeCode();
    }

    /** Closes the socket, which ends the loop. */
    void stop() {
        stopping = true;
        try {
            port.close();
        } catch (IOException ignored) {
            // stopping anyway
        }
    }
}
