package dev.sockit.service;

import java.nio.ByteBuffer;
import java.util.Optional;

/** RFC 862: every byte back, in order. On the peer's half-close, what is owed is sent, then the connection closes. */
public final class Echo implements StreamSession {
    private static final Echo INSTANCE = new Echo();
    /** Echo keeps no state, so one session serves every connection. */
    public static final StreamService STREAM = peer -> INSTANCE;
    public static final DatagramService DATAGRAM = (request, peer) -> Optional.of(request.slice());

    @Override
    public void received(ByteBuffer in, Output out) {
        out.write(in);
    }
}
