package dev.sockit.cli;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.ConnectionRecord;
import dev.sockit.server.Listener;
import dev.sockit.service.Service;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class EventPrinterTest {
    private static final Listener ECHO = new Listener(Service.named("echo").orElseThrow(), Transport.TCP,
            Endpoint.parse("127.0.0.1:7"), Endpoint.parse("127.0.0.1:7"));

    /** A storm of connections writes at most 1,000 lines a second, and says how many it left out. */
    @Test
    void connectionLinesArePacedAndWhatIsLeftOutIsCounted() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        EventPrinter events = new EventPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, clock::get);
        ConnectionRecord r = new ConnectionRecord(ECHO, "127.0.0.1:5000", 0, 0, Duration.ZERO, "reset by peer");
        for (int i = 0; i < 1500; i++) {
            events.connectionEnded(r);
        }
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        events.connectionEnded(r); // the next second: shown, after the count of the last
        events.connectionEnded(r);
        events.stopped(true);

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1000 + 1 + 2 + 1);
        assertThat(lines.subList(0, 1000)).allMatch(l -> l.endsWith(" echo tcp 127.0.0.1:5000 in=0 out=0 time=0.0ms reset by peer"));
        assertThat(lines.get(1000)).isEqualTo("sockit: 500 connection lines not shown (more than 1000 a second; --quiet shows none)");
        assertThat(lines.get(1001)).endsWith("reset by peer");
        assertThat(lines.get(1003)).isEqualTo("sockit: stopped");
    }
}
