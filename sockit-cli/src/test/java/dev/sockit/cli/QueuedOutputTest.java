package dev.sockit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class QueuedOutputTest {

    /** A stalled stderr (Ctrl-S) holds no logging thread up; what does not fit is counted and said once it flows. */
    @Test
    void aStalledStderrHoldsNobodyUpAndWhatWasDroppedIsSaid() throws Exception {
        CountDownLatch flowing = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stderr = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                stuck.countDown();
                try {
                    flowing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.write(b, off, len);
            }
        };
        QueuedOutput log = new QueuedOutput(stderr, n -> n + " dropped\n");
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        out.println("first"); // taken by the writer, which then sticks
        stuck.await();
        String line = "x".repeat(1023);
        int lines = (int) (QueuedOutput.MAX_BYTES / 1024) + 10; // 10 more than 1 MiB holds
        for (int i = 0; i < lines; i++) {
            out.println(line); // returns at once, stalled or not
        }
        flowing.countDown();
        log.drain(Duration.ofSeconds(10));

        String text = written.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("first\n");
        assertThat(text.lines().filter(l -> l.equals(line)).count()).isEqualTo(lines - 10);
        assertThat(text).endsWith(line + "\n10 dropped\n");
    }
}
