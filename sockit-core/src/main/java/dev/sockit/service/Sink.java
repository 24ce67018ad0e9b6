package dev.sockit.service;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * The classic concurrent server that prints what each client sends: every line, prefixed by the
 * client's address, goes whole to a {@link Printer}, so lines of concurrent clients never mix.
 * A line longer than {@link #MAX_LINE} is passed on in pieces rather than held without bound.
 */
public final class Sink implements StreamSession {
    public static final int MAX_LINE = 8192;

    /** Receives whole lines (or pieces of overlong ones); it must be safe for concurrent callers. */
    @FunctionalInterface
    public interface Printer {
        /** @param bytes the line's bytes, without its newline */
        void print(String peer, byte[] bytes, int length);
    }

    /** {@code peer: line} and its newline as one array, so that it goes out in one write and no other line lands inside it. */
    public static byte[] prefixedLine(String peer, byte[] bytes, int length) {
        byte[] prefix = (peer + ": ").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] line = new byte[prefix.length + length + 1];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        System.arraycopy(bytes, 0, line, prefix.length, length);
        line[line.length - 1] = '\n';
        return line;
    }

    /**
     * {@code printer} with each control character but tab shown as {@code \xNN}, in the line and in the
     * peer's name (a Unix client picks its own abstract name): for a terminal, where a client's escape
     * sequences would clear the screen or retitle the window, and a CR would print over the address that
     * says whose line it is. C1 controls count too, as UTF-8 (C2 80 to C2 9F) or as lone bytes; other
     * bytes from 0x80 up pass as they are (UTF-8 text).
     */
    public static Printer escaping(Printer printer) {
        return (peer, bytes, length) -> {
            byte[] name = peer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] shown = escape(bytes, length);
            printer.print(new String(escape(name, name.length), java.nio.charset.StandardCharsets.UTF_8), shown, shown.length);
        };
    }

    private static byte[] escape(byte[] bytes, int length) {
        java.io.ByteArrayOutputStream shown = new java.io.ByteArrayOutputStream(length + 16);
        for (int i = 0; i < length; i++) {
            int b = bytes[i] & 0xff;
            boolean c1 = b == 0xc2 && i + 1 < length && (bytes[i + 1] & 0xff) >= 0x80 && (bytes[i + 1] & 0xff) <= 0x9f;
            boolean lone = b >= 0x80 && b <= 0x9f && (i == 0 || (bytes[i - 1] & 0xff) < 0x80);
            if ((b < 0x20 && b != '\t') || b == 0x7f || lone) {
                hex(shown, b);
            } else if (c1) {
                hex(shown, b);
                hex(shown, bytes[++i] & 0xff);
            } else {
                shown.write(b);
            }
        }
        return shown.toByteArray();
    }

    private static void hex(java.io.ByteArrayOutputStream out, int b) {
        out.write('\\');
        out.write('x');
        out.write(Character.forDigit(b >> 4, 16));
        out.write(Character.forDigit(b & 0xf, 16));
    }

    private final String peer;
    private final Printer printer;
    private byte[] line = new byte[256];
    private int length;

    private Sink(String peer, Printer printer) {
        this.peer = peer;
        this.printer = printer;
    }

    public static StreamService stream(Printer printer) {
        return peer -> new Sink(peer, printer);
    }

    /**
     * Over datagrams, each line of a datagram is printed with its sender, as a stream's are (a datagram
     * without a newline is one line; its last newline ends its last line); nothing is sent back.
     */
    public static DatagramService datagram(Printer printer) {
        return (request, peer) -> {
            byte[] b = new byte[request.remaining()];
            request.get(b);
            int end = b.length > 0 && b[b.length - 1] == '\n' ? b.length - 1 : b.length;
            int start = 0;
            for (int i = 0; i < end; i++) {
                if (b[i] == '\n') {
                    printer.print(peer, Arrays.copyOfRange(b, start, i), i - start);
                    start = i + 1;
                }
            }
            printer.print(peer, Arrays.copyOfRange(b, start, end), end - start);
            return Optional.empty();
        };
    }

    @Override
    public void received(ByteBuffer in, Output out) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                emit();
            } else {
                if (length == line.length) {
                    if (length == MAX_LINE) {
                        emit();
                    } else {
                        line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
                    }
                }
                line[length++] = b;
            }
        }
    }

    @Override
    public void peerClosed(Output out) {
        if (length > 0) {
            emit();
        }
        out.close();
    }

    private void emit() {
        printer.print(peer, line, length);
        length = 0;
    }
}
