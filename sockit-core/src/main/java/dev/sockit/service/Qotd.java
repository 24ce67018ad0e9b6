package dev.sockit.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RFC 865: one short message (fewer than 512 characters), then close. Quotations are taken in turn
 * from a built-in list, or from a file in fortune(6) form: quotations separated by lines holding
 * only {@code %}, or else by blank lines.
 */
public final class Qotd {
    /** RFC 865: "the quote should be limited to 512 characters". */
    public static final int MAX_BYTES = 511;

    private static final List<String> BUILT_IN = List.of(
            "Be liberal in what you accept, and conservative in what you send. - Jon Postel, RFC 760",
            "The network is reliable. - the first fallacy of distributed computing, L. Peter Deutsch",
            "We reject kings, presidents and voting. We believe in rough consensus and running code. - David Clark",
            "In theory, there is no difference between theory and practice. In practice, there is. - Jan L. A. van de Snepscheut",
            "There are only two hard things in computer science: cache invalidation and naming things. - Phil Karlton",
            "Any sufficiently advanced technology is indistinguishable from magic. - Arthur C. Clarke",
            "Simplicity is prerequisite for reliability. - Edsger W. Dijkstra",
            "A distributed system is one in which the failure of a computer you didn't even know existed can render your own computer unusable. - Leslie Lamport");

    private final List<byte[]> quotes;
    private final AtomicInteger next = new AtomicInteger();

    private Qotd(List<String> texts) {
        List<byte[]> q = new ArrayList<>();
        for (String t : texts) {
            String text = t.strip();
            byte[] b = (text + "\r\n").getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_BYTES) {
                throw new IllegalArgumentException("a quotation of " + b.length + " bytes, its CR LF included; RFC 865 allows fewer than 512: \""
                        + beginning(text) + "\"");
            }
            int control = controlCharacterAt(text);
            if (control >= 0) {
                // a client's terminal would take it as an escape; sockit's own client refuses such a reply
                throw new IllegalArgumentException("a quotation has the control character U+" + String.format("%04X", (int) text.charAt(control))
                        + ": \"" + beginning(text) + "\"");
            }
            q.add(b);
        }
        if (q.isEmpty()) {
            throw new IllegalArgumentException("no quotations");
        }
        this.quotes = List.copyOf(q);
    }

    public static Qotd builtIn() {
        return new Qotd(BUILT_IN);
    }

    public static Qotd of(List<String> quotations) {
        return new Qotd(quotations);
    }

    /** Quotes files are read whole, into memory the server keeps: bounded. */
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    /** Loads quotations from a fortune-style file. */
    public static Qotd load(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": a directory, not a file of quotations");
        }
        // Read with a bound, not whole: a huge file, or a device such as /dev/zero, would fill the memory.
        // A pipe is fine (--quotes <(fortune -f ...)).
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(file + ": more than " + MAX_FILE_BYTES / (1024 * 1024)
                    + " MiB; a quotes file may have at most that (fortune's largest files are under 1 MiB)");
        }
        List<String> lines;
        try {
            lines = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString().lines().toList();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text (quotations are sent as UTF-8; convert it with iconv)", e);
        }
        boolean percent = lines.stream().anyMatch(l -> l.strip().equals("%"));
        List<String> quotes = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String l : lines) {
            boolean separator = percent ? l.strip().equals("%") : l.isBlank();
            if (separator) {
                if (!cur.toString().isBlank()) {
                    quotes.add(cur.toString());
                }
                cur.setLength(0);
            } else {
                cur.append(cur.isEmpty() ? "" : "\r\n").append(l);
            }
        }
        if (!cur.toString().isBlank()) {
            quotes.add(cur.toString());
        }
        if (quotes.isEmpty()) {
            throw new IllegalArgumentException("no quotations in " + file);
        }
        try {
            return new Qotd(quotes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where {@code text} has a character a terminal would act on rather than show (C0 but tab, CR and
     * LF; DEL; C1, whose U+009B is ESC [), or -1: a quotation has none, from a file or a server.
     */
    public static int controlCharacterAt(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || (c >= 0x7f && c < 0xa0)) {
                return i;
            }
        }
        return -1;
    }

    /** The first words of a quotation, enough to find it in its file, its control characters shown as \\xNN. */
    private static String beginning(String text) {
        String first = text.lines().findFirst().orElse("");
        String cut = first.codePointCount(0, first.length()) > 40 ? first.substring(0, first.offsetByCodePoints(0, 40)) + "..." : first;
        StringBuilder b = new StringBuilder();
        cut.chars().forEach(c -> b.append(c < 0x20 || (c >= 0x7f && c < 0xa0) ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    /** The next quotation, CR LF ended. */
    public byte[] next() {
        return quotes.get(Math.floorMod(next.getAndIncrement(), quotes.size()));
    }

    public int size() {
        return quotes.size();
    }

    public StreamService stream() {
        return OneShot.stream(this::next);
    }

    public DatagramService datagram() {
        return OneShot.datagram(this::next);
    }
}
