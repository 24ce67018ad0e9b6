package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.service.Sink;
import dev.sockit.testing.Loopback;
import dev.sockit.testing.RecordingEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What sink prints goes to standard output from a thread of its own: a reader that stops reading
 * ({@code serve sink | slow}) holds up sink alone, never an event loop serving the other services,
 * and never the stop. On the engine under test.
 */
@Timeout(60)
class SinkOutputTest {
    private static final Endpoint LOOPBACK = new Endpoint.Inet("127.0.0.1", 0);

    @Test
    void aStalledStandardOutputHoldsUpSinkAloneAndTheStopStillEnds() throws Exception {
        CountDownLatch stdoutReads = new CountDownLatch(1); // standard output's reader, who never reads until the end
        Set<String> printingThreads = ConcurrentHashMap.newKeySet();
        CountDownLatch firstLine = new CountDownLatch(1);
        Sink.Printer stalled = (peer, bytes, length) -> {
            printingThreads.add(Thread.currentThread().getName());
            firstLine.countDown();
            try {
                stdoutReads.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        RecordingEvents events = new RecordingEvents();
        List<Socket> flooders = new ArrayList<>();
        try {
            try (Server server = Loopback.builder().settings(Settings.defaults().withPrinter(stalled)).events(events)
                    .serve(Service.named("sink").orElseThrow(), Transport.TCP, LOOPBACK)
                    .serve(Service.named("echo").orElseThrow(), Transport.TCP, LOOPBACK)
                    .grace(java.time.Duration.ofMillis(100)).start()) {
                InetSocketAddress sink = (InetSocketAddress) server.listeners().get(0).bound().toSocketAddress();
                InetSocketAddress echo = (InetSocketAddress) server.listeners().get(1).bound().toSocketAddress();
                // four clients each send 2 MiB of lines, more than the queue holds: on each event loop, surely
                byte[] lines = ("x".repeat(1023) + "\n").repeat(2048).getBytes(US_ASCII);
                CountDownLatch sent = new CountDownLatch(4);
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket(sink.getAddress(), sink.getPort());
                    flooders.add(s);
                    Thread.ofVirtual().start(() -> {
                        try {
                            s.getOutputStream().write(lines); // the threads engine slows it down: it may block until the stop
                        } catch (IOException cutAtStop) {
                            // expected once the server stops
                        } finally {
                            sent.countDown();
                        }
                    });
                }
                assertThat(firstLine.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("a line reached standard output's writer").isTrue();
                try (Socket e = new Socket(echo.getAddress(), echo.getPort())) {
                    e.setSoTimeout(10_000);
                    OutputStream out = e.getOutputStream();
                    for (int i = 0; i < 20; i++) { // echo answers throughout
                        out.write("ping\n".getBytes(US_ASCII));
                        assertThat(new String(e.getInputStream().readNBytes(5), US_ASCII)).isEqualTo("ping\n");
                    }
                }
            } // the stop ends although standard output never takes a line
            assertThat(printingThreads).containsOnly("sockit-sink-output");
            assertThat(events.warnings).anyMatch(w -> w.startsWith("sink: standard output is blocked; "));
        } finally {
            stdoutReads.countDown();
            for (Socket s : flooders) {
                s.close();
            }
        }
    }

    /** Standard output that cannot be written (a full disk, its reader gone) is said once, and sink goes on. */
    @Test
    void anOutputThatFailsIsSaidOnce() throws Exception {
        Sink.Printer full = (peer, bytes, length) -> {
            throw new java.io.UncheckedIOException(new IOException("standard output cannot be written (its reader has gone, or the disk is full)"));
        };
        RecordingEvents events = new RecordingEvents();
        try (Server server = Loopback.builder().settings(Settings.defaults().withPrinter(full)).events(events)
                .serve(Service.named("sink").orElseThrow(), Transport.TCP, LOOPBACK).start();
             Socket s = Loopback.connect(server)) {
            s.getOutputStream().write("one\ntwo\nthree\n".getBytes(US_ASCII));
            s.shutdownOutput();
            assertThat(events.nextEnded(java.time.Duration.ofSeconds(10)).outcome()).isEqualTo("closed");
        }
        assertThat(events.warnings).containsExactly(
                "sink: standard output cannot be written (its reader has gone, or the disk is full); its lines are lost from here");
    }

    @Test
    void linesQueuedBeforeTheStopAreWrittenInOrder() throws Exception {
        List<String> printed = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch stdoutReads = new CountDownLatch(1); // the reader starts reading only as the server stops
        Sink.Printer stdout = (peer, bytes, length) -> {
            try {
                stdoutReads.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            printed.add(new String(bytes, 0, length, US_ASCII));
        };
        RecordingEvents events = new RecordingEvents();
        Server server = Loopback.builder().settings(Settings.defaults().withPrinter(stdout)).events(events)
                .serve(Service.named("sink").orElseThrow(), Transport.TCP, LOOPBACK).start();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            b.append("line ").append(i).append('\n'); // 9 KB: the queue holds it all
        }
        try (Socket s = Loopback.connect(server)) {
            s.getOutputStream().write(b.toString().getBytes(US_ASCII));
            s.shutdownOutput();
            assertThat(events.nextEnded(java.time.Duration.ofSeconds(10)).bytesIn()).isEqualTo(b.length());
        }
        assertThat(printed).as("nothing is written before the reader reads").isEmpty();
        stdoutReads.countDown();
        server.close(); // the stop waits for the writer: every line queued is out when it returns, in order
        assertThat(printed).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(printed.get(i)).isEqualTo("line " + i);
        }
        assertThat(events.warnings).isEmpty();
    }
}
