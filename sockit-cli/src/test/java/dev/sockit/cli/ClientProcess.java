package dev.sockit.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code sockit} run as a real process, as a user runs it, for the client commands: run to
 * the end with given input, or started with its streams left to the test.
 */
final class ClientProcess {
    private ClientProcess() {
    }

    record Result(int exit, String out, String err) {
    }

    /** The command line: this JVM's java, the JVM options, the jar, then the arguments. */
    static List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(SockitProcess.java());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(SockitProcess.jar().toString());
        cmd.addAll(args);
        return cmd;
    }

    static Process start(List<String> jvmOptions, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(jvmOptions, List.of(args)));
        pb.environment().put("TZ", "UTC");
        return pb.start();
    }

    static Result run(byte[] stdin, String... args) throws Exception {
        return run(List.of(), stdin, args);
    }

    /** What a run printed on stdout, as bytes (binary output does not survive decoding). */
    record Run(int exit, byte[] out, String err) {
    }

    /** Runs to the end with {@code stdin} as its input and returns stdout as it came. */
    static Run runBytes(byte[] stdin, String... args) throws Exception {
        Process p = start(List.of(), args);
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        Result r = finish(p, stdin, out, err, args);
        return new Run(r.exit(), out.get(), r.err());
    }

    /** Runs to the end with {@code stdin} as its input (closed after), and collects both outputs. */
    static Result run(List<String> jvmOptions, byte[] stdin, String... args) throws Exception {
        Process p = start(jvmOptions, args);
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        return finish(p, stdin, out, err, args);
    }

    private static Result finish(Process p, byte[] stdin, CompletableFuture<byte[]> out, CompletableFuture<byte[]> err, String... args)
            throws Exception {
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException ignored) {
            // it did not want all its input (it exited first)
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sockit " + String.join(" ", args) + " did not finish within 60s; stderr so far: "
                    + new String(err.getNow(new byte[0]), StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }

    static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (in) {
                in.transferTo(b);
            } catch (IOException ignored) {
                // the process ended
            }
            f.complete(b.toByteArray());
        });
        return f;
    }

    /** Reads stderr up to the "listening on" line and returns the endpoint printed there. */
    static String listeningEndpoint(BufferedReader stderr) throws IOException {
        String line;
        while ((line = stderr.readLine()) != null) {
            int at = line.indexOf("listening on ");
            if (at >= 0) {
                String rest = line.substring(at + "listening on ".length()); // e.g. "tcp 127.0.0.1:40001"
                return rest.substring(rest.indexOf(' ') + 1);
            }
        }
        throw new AssertionError("no 'listening on' line on stderr");
    }

    static BufferedReader lines(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }
}
