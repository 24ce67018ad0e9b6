package dev.sockit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test, started as its own process on port 0: it is ready once it has said where its
 * echo and daytime listeners are (sockit on stderr, the others on stdout), which the runner waits for.
 */
final class ServerProcess implements AutoCloseable {
    /** "sockit: echo listening on tcp 127.0.0.1:41234" or "echo 127.0.0.1:41234". */
    private static final Pattern READY = Pattern.compile("(?:sockit: )?(echo|daytime) (?:listening on tcp )?(\\S+):(\\d+)");

    private final Process process;
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private final CountDownLatch ready;
    private final StringBuffer log = new StringBuffer();

    /** A server of echo and daytime. */
    ServerProcess(List<String> command) throws IOException {
        this(command, List.of("echo", "daytime"));
    }

    /** A server of {@code services} (echo, daytime or both): ready once each has said where it listens. */
    ServerProcess(List<String> command, List<String> services) throws IOException {
        ready = new CountDownLatch(services.size());
        process = new ProcessBuilder(command).start();
        watch(process.getInputStream());
        watch(process.getErrorStream());
    }

    private void watch(InputStream s) {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = READY.matcher(line);
                    if (m.matches() && ports.putIfAbsent(m.group(1), Integer.parseInt(m.group(3))) == null) {
                        ready.countDown();
                    } else if (log.length() < 10_000) {
                        log.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Waits until both listeners are bound; fails with what the server printed if it does not get there. */
    ServerProcess awaitReady(Duration timeout) throws InterruptedException, IOException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IOException("server " + process.info().commandLine().orElse("?") + " did not start: " + log);
        }
        return this;
    }

    int port(String service) {
        return ports.get(service);
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
