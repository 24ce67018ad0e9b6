package dev.sockit.client;

/** Small text helpers for what servers send. */
final class Text {
    private Text() {
    }

    /** Drops one trailing CR LF or LF. */
    static String stripLineEnd(String s) {
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        if (s.endsWith("\n")) {
            return s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** A byte for a message: {@code 0x41 'A'}, or just the hex for what is not printable. */
    static String showByte(int b) {
        int v = b & 0xff;
        String hex = String.format("0x%02x", v);
        return v >= 0x20 && v < 0x7f ? hex + " '" + (char) v + "'" : hex;
    }
}
