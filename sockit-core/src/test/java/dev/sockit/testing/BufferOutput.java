package dev.sockit.testing;

import dev.sockit.service.Output;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** An {@link Output} over plain memory, for driving sessions without any socket. */
public final class BufferOutput implements Output {
    private final int capacity;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    public boolean closed;
    public boolean wantWritable;

    public BufferOutput(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = Math.min(room(), src.remaining());
        byte[] b = new byte[n];
        src.get(b);
        pending.writeBytes(b);
        return n;
    }

    @Override
    public int room() {
        return closed ? 0 : capacity - pending.size();
    }

    @Override
    public void wantWritable(boolean on) {
        wantWritable = on;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** What an engine would do after an event: send everything pending. Returns all bytes sent so far. */
    public byte[] drain() {
        sent.writeBytes(pending.toByteArray());
        pending.reset();
        return sent.toByteArray();
    }
}
