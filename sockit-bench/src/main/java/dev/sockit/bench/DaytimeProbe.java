package dev.sockit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * The smallest one-shot daytime client on the JVM: connect, print the reply, exit. The runner times a
 * whole process of it, with and without the JDK's AOT cache, to show what JVM startup costs a
 * one-shot command (sockit's own daytime client is written on another branch).
 */
public final class DaytimeProbe {
    private DaytimeProbe() {
    }

    /** Args: HOST PORT. */
    public static void main(String[] args) throws IOException {
        try (Socket s = new Socket(args[0], Integer.parseInt(args[1])); InputStream in = s.getInputStream()) {
            System.out.write(in.readAllBytes());
            System.out.flush();
        }
    }
}
