package dev.sockit.bench;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The daytime line every compared server sends: ctime(3) form, as inetd and sockit send it, so each does the same work. */
final class CtimeLine {
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private CtimeLine() {
    }

    static byte[] now() {
        return (CTIME.format(ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS)) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
