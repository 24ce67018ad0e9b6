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
        byte[] reply = OneShotClient.fetch(dialer, endpoint, transport, 8 * (Qotd.MAX_BYTES + 1), "qotd", false);
        String quote = new String(reply, StandardCharsets.UTF_8);
        int control = Qotd.controlCharacterAt(quote); // it would reach the user's terminal as an escape
        if (control >= 0) {
            throw new IOException("the reply has the control character U+" + String.format("%04X", (int) quote.charAt(control))
                    + " at character " + control + "; is it a qotd server?");
        }
        return Text.stripLineEnd(quote);
    }
}
