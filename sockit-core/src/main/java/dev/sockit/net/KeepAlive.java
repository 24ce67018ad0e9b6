package dev.sockit.net;

/**
 * TCP keepalive: after {@code idle} seconds without traffic, probe every {@code interval} seconds;
 * after {@code count} unanswered probes the connection is dead and its next read fails.
 * Ranges are Linux's (tcp(7)): idle and interval 1..32767 s, count 1..127.
 */
public record KeepAlive(int idle, int interval, int count) {
    public static final int MAX_SECONDS = 32767;
    public static final int MAX_COUNT = 127;

    public KeepAlive {
        check("idle", idle, MAX_SECONDS);
        check("interval", interval, MAX_SECONDS);
        check("count", count, MAX_COUNT);
    }

    private static void check(String what, int v, int max) {
        if (v < 1 || v > max) {
            throw new IllegalArgumentException("keepalive " + what + " must be from 1 to " + max + ", not " + v);
        }
    }

    /** Parses {@code IDLE,INTERVAL,COUNT} (seconds, seconds, probes), e.g. {@code 1,1,10}; {@code off} gives null. */
    public static KeepAlive parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("off")) {
            return null;
        }
        String[] parts = t.split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("keepalive takes IDLE,INTERVAL,COUNT (e.g. 1,1,10) or off, not '" + text + "'");
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("keepalive takes IDLE,INTERVAL,COUNT as whole numbers (e.g. 1,1,10), not '" + text + "'");
            }
        }
        return new KeepAlive(v[0], v[1], v[2]);
    }

    /** The longest a dead peer can go unnoticed: idle + interval x count. */
    public int deadAfterSeconds() {
        return idle + interval * count;
    }

    @Override
    public String toString() {
        return idle + "," + interval + "," + count;
    }
}
