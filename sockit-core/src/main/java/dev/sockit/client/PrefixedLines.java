package dev.sockit.client;

import dev.sockit.service.Output;
import dev.sockit.service.Sink;
import dev.sockit.service.StreamSession;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * {@code sockit listen --keep-open}: each client's lines, prefixed by its address, whole lines at a time
 * so concurrent clients never mix within a line. The line handling is the sink service's, driven here
 * by a blocking read loop.
 */
public final class PrefixedLines implements ConnectionHandler {
    private static final Output NO_REPLY = new Output() {
        @Override
        public int write(ByteBuffer src) {
            return 0;
        }

        @Override
        public int room() {
            return 0;
        }

        @Override
        public void wantWritable(boolean on) {
        }

        @Override
        public void close() {
        }
    };

    private final Sink.Printer printer;

    public PrefixedLines(Sink.Printer printer) {
        this.printer = printer;
    }

    /**
     * Prints {@code peer: line} to {@code out}, one whole line at a time. Once {@code out} cannot be
     * written (its reader went away) each print throws an {@link java.io.UncheckedIOException} around
     * a {@link Relay.OutputClosedException}.
     */
    public static Sink.Printer printingTo(OutputStream out) {
        return (peer, bytes, length) -> {
            byte[] line = Sink.prefixedLine(peer, bytes, length);
            synchronized (out) {
                try {
                    Relay.writeOut(out, line, 0, line.length);
                } catch (Relay.OutputClosedException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public void handle(Connection c) throws IOException {
        StreamSession session = Sink.stream(printer).open(c.peer());
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        while (c.read(buf.clear()) >= 0) {
            session.received(buf.flip(), NO_REPLY);
        }
        session.peerClosed(NO_REPLY);
    }
}
