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
        byte[] reply = OneShotClient.fetch(dialer, endpoint, transport, LIMIT, "daytime");
        return Text.stripLineEnd(new String(reply, StandardCharsets.US_ASCII));
    }
}
