package dev.sockit.service;

import java.nio.ByteBuffer;
import java.util.Optional;

/** A service over a datagram transport: a pure function from one request to at most one reply. */
@FunctionalInterface
public interface DatagramService {

    /**
     * @param request the datagram's payload (position..limit)
     * @param peer    how the sender is shown, e.g. {@code 127.0.0.1:51234}
     * @return the reply, or empty for none
     */
    Optional<ByteBuffer> answer(ByteBuffer request, String peer);
}
