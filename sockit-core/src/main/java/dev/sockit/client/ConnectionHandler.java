package dev.sockit.client;

import java.io.IOException;

/** What a listener does with each connection it accepts; the connection is closed after. */
@FunctionalInterface
public interface ConnectionHandler {
    void handle(Connection connection) throws IOException;
}
