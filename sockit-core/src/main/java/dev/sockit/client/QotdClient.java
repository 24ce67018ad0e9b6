package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Qotd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** RFC 865: the server's quotation of the day. */
public final class QotdClient {
    private QotdClient() {
    }

    /**
     * The quotation, without its final line ending. RFC 865 keeps it under 512 characters; a few times
     * that is accepted from servers that stretch the rule.
     */
    public static String fetch(Dialer dialer, Endpoint endpoint, Transport transport) throws IOException {
        byte[] reply = OneShotClient.fetch(dialer, endpoint, transport, 8 * (Qotd.MAX_BYTES + 1), "qotd");
        return Text.stripLineEnd(new String(reply, StandardCharsets.UTF_8));
    }
}
