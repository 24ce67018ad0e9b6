package dev.sockit.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@code sockit listen --exec CMD}: runs a program per connection with the socket as its standard input
 * and output, as inetd does. The program's stderr is ours. When the program closes its output, the
 * connection is half-closed; when the client finishes sending, the program's input is closed.
 * The environment carries {@code SOCKIT_PEER} (the client's address) for the program.
 */
public final class ExecHandler implements ConnectionHandler {
    private final List<String> command;

    public ExecHandler(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to run");
        }
        this.command = List.copyOf(command);
    }

    /** Runs {@code sh -c script}: the shell splits words, expands and redirects as people expect. */
    public static ExecHandler shell(String script) {
        return new ExecHandler(List.of("/bin/sh", "-c", script));
    }

    @Override
    public void handle(Connection c) throws IOException {
        run(c);
    }

    /**
     * Serves {@code c} with the program, and returns its exit status (as a shell gives it: 128 + the
     * signal for one killed by a signal; 127 from sh for a command not found).
     */
    public int run(Connection c) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("SOCKIT_PEER", c.peer());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        Thread toProgram = Threads.start(c.blocksInNativeCode(), "sockit-exec-in " + c.peer(), () -> {
            try (OutputStream stdin = p.getOutputStream()) {
                ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
                int n;
                while ((n = c.read(buf.clear())) >= 0) {
                    stdin.write(buf.array(), 0, n);
                    stdin.flush();
                }
            } catch (IOException ignored) {
                // the program stopped reading, or the connection ended: either way its input is closed
            }
        });
        try (InputStream stdout = p.getInputStream()) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = stdout.read(buf)) >= 0) {
                c.write(ByteBuffer.wrap(buf, 0, n));
            }
            c.shutdownOutput();
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            c.closeQuietly(); // ends the copy into the program if the client is still sending
            toProgram.interrupt();
            if (p.isAlive()) {
                p.destroy();
            }
        }
    }
}
