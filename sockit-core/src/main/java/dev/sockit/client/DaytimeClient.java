package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** RFC 867: the server's date and time, as the one line it sends. */
public final class DaytimeClient {
    /** RFC 867 sets no limit; no daytime line is anywhere near this long. */
    static final int LIMIT = 4096;

    private DaytimeClient() {
    }

    /** The server's line, without its line ending. */
    public static String fetch(Dialer dialer, Endpoint endpoint, Transport transport) throws IOException {
        byte[] reply = OneShotClient.fetch(dialer, endpoint, transport, LIMIT, "daytime", true);
        for (int i = 0; i < reply.length; i++) {
            if (!isText(reply[i])) {
                throw new IOException("the reply's byte " + i + " is " + Text.showByte(reply[i])
                        + ", not text; is it a daytime server?");
            }
        }
        return Text.stripLineEnd(new String(reply, StandardCharsets.US_ASCII));
    }

    /** RFC 867 recommends ASCII printing characters, space, CR and LF; a tab is let through too. */
    private static boolean isText(byte b) {
        return (b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n' || b == '\t';
    }
}
