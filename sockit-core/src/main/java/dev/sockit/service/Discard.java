package dev.sockit.service;

import java.util.Optional;

/** RFC 863: read and drop; send nothing. */
public final class Discard implements StreamSession {
    private static final Discard INSTANCE = new Discard();
    public static final StreamService STREAM = peer -> INSTANCE;
    public static final DatagramService DATAGRAM = (request, peer) -> Optional.empty();
}
