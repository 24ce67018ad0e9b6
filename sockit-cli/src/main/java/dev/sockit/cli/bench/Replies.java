package dev.sockit.cli.bench;

import dev.sockit.service.Qotd;
import dev.sockit.service.Time;

import java.time.Duration;
import java.time.Instant;

/** What a correct one-shot reply looks like, service by service: the shapes the RFCs give. */
final class Replies {
    /** RFC 868 servers may be a little off; a day off is a broken one. */
    private static final Duration TIME_SLACK = Duration.ofDays(1);

    private Replies() {
    }

    static boolean oneShot(String service) {
        return service.equals("daytime") || service.equals("time") || service.equals("qotd");
    }

    /** Null when {@code reply} (the whole reply, up to the server's close) is right for the service, else why not. */
    static String check(String service, byte[] reply, int length) {
        return switch (service) {
            case "daytime" -> daytime(reply, length);
            case "time" -> time(reply, length);
            case "qotd" -> qotd(reply, length);
            default -> throw new IllegalArgumentException("no reply check for " + service);
        };
    }

    /** RFC 867: one line of ASCII text ended by CR LF (its syntax is otherwise free). */
    private static String daytime(byte[] b, int n) {
        if (n < 3 || b[n - 2] != '\r' || b[n - 1] != '\n') {
            return "daytime reply of " + n + " bytes is not a line ended by CR LF";
        }
        for (int i = 0; i < n - 2; i++) {
            if (b[i] < 0x20 || b[i] > 0x7e) {
                return "daytime reply has a non-printable byte " + (b[i] & 0xff) + " at " + i;
            }
        }
        return null;
    }

    /** RFC 868: exactly four bytes, the seconds since 1900, near our own clock. */
    private static String time(byte[] b, int n) {
        if (n != 4) {
            return "time reply is " + n + " bytes, RFC 868 says 4";
        }
        Instant now = Instant.now();
        Instant t = Time.toInstant(new byte[] {b[0], b[1], b[2], b[3]}, now);
        if (Duration.between(t, now).abs().compareTo(TIME_SLACK) > 0) {
            return "time reply says " + t + ", more than a day from this clock's " + now;
        }
        return null;
    }

    /** RFC 865: a short message, fewer than 512 characters. */
    private static String qotd(byte[] b, int n) {
        if (n == 0) {
            return "qotd reply is empty";
        }
        if (n > Qotd.MAX_BYTES) {
            return "qotd reply is " + n + " bytes; RFC 865 says fewer than 512";
        }
        return null;
    }
}
