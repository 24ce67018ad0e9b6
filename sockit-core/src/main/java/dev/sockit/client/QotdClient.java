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
        for (int i = 0; i < reply.length; i++) {
            // a quotation is text (UTF-8 let through); control bytes would reach the user's terminal as escapes
            if ((reply[i] >= 0 && reply[i] < 0x20 && reply[i] != '\r' && reply[i] != '\n' && reply[i] != '\t') || reply[i] == 0x7f) {
                throw new IOException("the reply's byte " + i + " is " + Text.showByte(reply[i]) + ", a control character; is it a qotd server?");
            }
        }
        return Text.stripLineEnd(new String(reply, StandardCharsets.UTF_8));
    }
}
