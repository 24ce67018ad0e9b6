package dev.sockit.service;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The shape shared by daytime, qotd and time: on open, write one reply and close; over datagrams,
 * answer any request with one reply. Input from the peer is ignored. A reply's array may be shared
 * between connections (daytime's changes once a second), so it goes out read-only.
 */
final class OneShot implements StreamSession {
    private final Supplier<byte[]> reply;

    private OneShot(Supplier<byte[]> reply) {
        this.reply = reply;
    }

    static StreamService stream(Supplier<byte[]> reply) {
        return peer -> new OneShot(reply);
    }

    static DatagramService datagram(Supplier<byte[]> reply) {
        return (request, peer) -> Optional.of(ByteBuffer.wrap(reply.get()).asReadOnlyBuffer());
    }

    @Override
    public void opened(Output out) {
        // Replies are at most 512 bytes, and every engine's output holds more than that.
        out.writeAndClose(ByteBuffer.wrap(reply.get()).asReadOnlyBuffer());
    }
}
