package dev.sockit.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * RFC 867: one human-readable date-time line ended by CR LF, then close. The RFC leaves the syntax
 * open; sockit offers the classic {@code ctime(3)} form that inetd sends, RFC 3339 and RFC 5322,
 * in the clock's time zone.
 */
public final class Daytime {

    /** The line formats a daytime server can send. */
    public enum Format {
        /** {@code Wed Nov 25 03:07:10 2026}, as inetd sends it (ctime(3) without its newline). */
        CTIME(DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT)),
        /** {@code 2026-11-25T03:07:10Z} or {@code 2026-11-25T04:07:10+01:00}. */
        RFC3339(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
        /** {@code Wed, 25 Nov 2026 03:07:10 GMT}, as in e-mail and HTTP. */
        RFC5322(DateTimeFormatter.RFC_1123_DATE_TIME);

        private final DateTimeFormatter formatter;

        Format(DateTimeFormatter formatter) {
            this.formatter = formatter;
        }

        public String format(ZonedDateTime t) {
            return formatter.format(t.truncatedTo(ChronoUnit.SECONDS));
        }

        /** Parses a format name as given on the command line (case ignored). */
        public static Format of(String name) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown daytime format '" + name + "'; expected ctime, rfc3339 or rfc5322");
        }
    }

    private Daytime() {
    }

    /** The line sent for the clock's current time, CR LF included. */
    public static byte[] line(Clock clock, Format format) {
        return line(ZonedDateTime.now(clock), format);
    }

    private static byte[] line(ZonedDateTime t, Format format) {
        return (format.format(t) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public static StreamService stream(Clock clock, Format format) {
        return OneShot.stream(new EachSecond(clock, format));
    }

    public static DatagramService datagram(Clock clock, Format format) {
        return OneShot.datagram(new EachSecond(clock, format));
    }

    /**
     * The current line, formatted once a second and shared until the next (read-only, as
     * {@link OneShot} hands it out). A line names whole seconds, a busy server answers thousands of
     * connections in each, and formatting was most of the Java work of a reply: a dozen objects.
     * Safe from any thread: a line is published whole, and two threads that both see a new second
     * only format it twice.
     */
    static final class EachSecond implements Supplier<byte[]> {
        private record Line(long second, byte[] bytes) {
        }

        private final Clock clock;
        private final Format format;
        private volatile Line last = new Line(Long.MIN_VALUE, null); // no Instant has this second

        EachSecond(Clock clock, Format format) {
            this.clock = clock;
            this.format = format;
        }

        @Override
        public byte[] get() {
            Instant now = clock.instant();
            Line l = last;
            if (l.second != now.getEpochSecond()) {
                l = new Line(now.getEpochSecond(), line(ZonedDateTime.ofInstant(now, clock.getZone()), format));
                last = l;
            }
            return l.bytes;
        }
    }
}
