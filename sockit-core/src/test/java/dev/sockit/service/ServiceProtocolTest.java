package dev.sockit.service;

import dev.sockit.testing.BufferOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The services as pure protocol logic: driven with plain buffers, no socket anywhere. */
class ServiceProtocolTest {

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(US_ASCII));
    }

    /** RFC 864's pattern, computed here independently of the service: line n starts at character 32 + n mod 95. */
    static String expectedChargen(int lines) {
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < lines; n++) {
            for (int c = 0; c < 72; c++) {
                sb.append((char) (32 + (n + c) % 95));
            }
            sb.append("\r\n");
        }
        return sb.toString();
    }

    @Test
    void echoWritesWhatFitsAndLeavesTheRestForLater() {
        StreamSession echo = Echo.STREAM.open("peer");
        BufferOutput out = new BufferOutput(4);
        ByteBuffer in = ascii("abcdefg");
        echo.received(in, out);
        assertThat(in.remaining()).as("back-pressure: unconsumed input stays").isEqualTo(3);
        assertThat(new String(out.drain(), US_ASCII)).isEqualTo("abcd");
        echo.received(in, out);
        assertThat(new String(out.drain(), US_ASCII)).isEqualTo("abcdefg");
        echo.peerClosed(out);
        assertThat(out.closed).isTrue();
    }

    @Test
    void discardSendsNothing() {
        StreamSession d = Discard.STREAM.open("peer");
        BufferOutput out = new BufferOutput(1024);
        ByteBuffer in = ascii("drop me");
        d.received(in, out);
        assertThat(in.hasRemaining()).isFalse();
        assertThat(out.drain()).isEmpty();
        assertThat(Discard.DATAGRAM.answer(ascii("x"), "peer")).isEmpty();
    }

    @Test
    void chargenFollowsTheRfcPatternAcrossSmallWritesAndTheWholeCycle() {
        StreamSession c = Chargen.STREAM.open("peer");
        BufferOutput out = new BufferOutput(1000); // not a multiple of a line, nor of the cycle
        c.opened(out);
        assertThat(out.wantWritable).isTrue();
        for (int i = 0; i < 20; i++) {
            out.drain();
            c.writable(out);
        }
        String got = new String(out.drain(), US_ASCII);
        int lines = got.length() / 74;
        assertThat(lines).isGreaterThan(190); // more than two full cycles of 95 lines
        assertThat(got.substring(0, lines * 74)).isEqualTo(expectedChargen(lines));
        assertThat(expectedChargen(1)).startsWith(" !\"#$%&").endsWith("efg\r\n").hasSize(74);
    }

    @Test
    void chargenKeepsSendingAfterAHalfClose() {
        StreamSession c = Chargen.STREAM.open("peer");
        BufferOutput out = new BufferOutput(100);
        c.opened(out);
        c.peerClosed(out);
        assertThat(out.closed).isFalse();
        assertThat(out.wantWritable).isTrue();
    }

    @Test
    void chargenDatagramsAreEachTheNextLineWithinTheRfcLimit() {
        DatagramService chargen = Chargen.datagram();
        for (int n = 0; n < 2 * Chargen.PRINTABLE; n++) {
            ByteBuffer reply = chargen.answer(ascii("x"), "peer").orElseThrow();
            assertThat(reply.remaining()).isBetween(0, 512);
            assertThat(US_ASCII.decode(reply).toString()).as("datagram %d", n).isEqualTo(Chargen.line(n));
        }
    }

    @Test
    void timeIsSecondsSince1900BigEndian() {
        Instant t = Instant.parse("2026-11-25T03:07:10Z");
        long expected = t.getEpochSecond() + 2_208_988_800L;
        byte[] b = Time.encode(t);
        assertThat(b).containsExactly((byte) (expected >>> 24), (byte) (expected >>> 16), (byte) (expected >>> 8), (byte) expected);
        assertThat(Time.encode(Instant.parse("1970-01-01T00:00:00Z"))).containsExactly(0x83, 0xAA, 0x7E, 0x80);
    }

    @Test
    void timeWrapsIn2036AndDecodesToTheNearestEra() {
        Instant last = Instant.parse("2036-02-07T06:28:15Z");
        assertThat(Time.encode(last)).containsExactly(0xFF, 0xFF, 0xFF, 0xFF);
        assertThat(Time.encode(last.plusSeconds(1))).containsExactly(0, 0, 0, 0);
        assertThat(Time.encode(last.plusSeconds(2))).containsExactly(0, 0, 0, 1);
        for (Instant t : List.of(last, last.plusSeconds(1), last.plusSeconds(2), Instant.parse("2026-11-25T03:07:10Z"))) {
            assertThat(Time.toInstant(Time.encode(t), t.plusSeconds(3600))).isEqualTo(t);
            assertThat(Time.toInstant(Time.encode(t), t.minusSeconds(3600))).isEqualTo(t);
        }
    }

    @Test
    void daytimeFormatsAreExactLinesEndedByCrLf() {
        Clock utc = Clock.fixed(Instant.parse("2026-11-05T03:07:10.750Z"), ZoneOffset.UTC);
        assertThat(new String(Daytime.line(utc, Daytime.Format.CTIME), US_ASCII)).isEqualTo("Thu Nov  5 03:07:10 2026\r\n");
        assertThat(new String(Daytime.line(utc, Daytime.Format.RFC3339), US_ASCII)).isEqualTo("2026-11-05T03:07:10Z\r\n");
        assertThat(new String(Daytime.line(utc, Daytime.Format.RFC5322), US_ASCII)).isEqualTo("Thu, 5 Nov 2026 03:07:10 GMT\r\n");
        Clock paris = Clock.fixed(Instant.parse("2026-11-25T03:07:10Z"), ZoneId.of("Europe/Paris"));
        assertThat(new String(Daytime.line(paris, Daytime.Format.RFC3339), US_ASCII)).isEqualTo("2026-11-25T04:07:10+01:00\r\n");
        assertThatThrownBy(() -> Daytime.Format.of("iso")).hasMessageContaining("ctime, rfc3339 or rfc5322");
    }

    @Test
    void aDaytimeServerSendsTheLineOfTheCurrentSecondEvenThoughItFormatsOnceASecond() {
        SteppingClock clock = new SteppingClock(Instant.parse("2026-11-25T03:07:10.100Z"), ZoneId.of("Europe/Paris"));
        StreamService daytime = Daytime.stream(clock, Daytime.Format.RFC3339);
        assertThat(reply(daytime)).isEqualTo("2026-11-25T04:07:10+01:00\r\n");
        clock.now = Instant.parse("2026-11-25T03:07:10.999Z");
        assertThat(reply(daytime)).isEqualTo("2026-11-25T04:07:10+01:00\r\n");
        clock.now = Instant.parse("2026-11-25T03:07:11Z");
        assertThat(reply(daytime)).isEqualTo("2026-11-25T04:07:11+01:00\r\n");
        clock.now = Instant.parse("2026-11-25T03:07:09.500Z"); // a clock set back is followed too
        assertThat(reply(daytime)).isEqualTo("2026-11-25T04:07:09+01:00\r\n");
        DatagramService overUdp = Daytime.datagram(clock, Daytime.Format.CTIME);
        ByteBuffer answer = overUdp.answer(ByteBuffer.allocate(0), "peer").orElseThrow();
        assertThat(answer.isReadOnly()).isTrue(); // the line is shared until the next second: nobody may write into it
        assertThat(US_ASCII.decode(answer).toString()).isEqualTo("Wed Nov 25 04:07:09 2026\r\n");
    }

    private static String reply(StreamService service) {
        StreamSession s = service.open("peer");
        BufferOutput out = new BufferOutput(1024);
        s.opened(out);
        assertThat(out.closed).isTrue();
        return new String(out.drain(), US_ASCII);
    }

    /** A clock a test sets by hand. */
    private static final class SteppingClock extends Clock {
        Instant now;
        private final ZoneId zone;

        SteppingClock(Instant now, ZoneId zone) {
            this.now = now;
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId z) {
            return new SteppingClock(now, z);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void oneShotServicesWriteTheirReplyAndClose() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T03:07:10Z"), ZoneOffset.UTC);
        StreamSession s = Time.stream(clock).open("peer");
        BufferOutput out = new BufferOutput(1024);
        s.opened(out);
        assertThat(out.closed).isTrue();
        assertThat(out.drain()).isEqualTo(Time.encode(clock.instant()));
    }

    @Test
    void qotdTakesQuotationsInTurnAndRefusesLongOnes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("quotes");
        Files.writeString(f, "first line\nsecond line\n%\nanother\n%\n");
        Qotd q = Qotd.load(f);
        assertThat(q.size()).isEqualTo(2);
        assertThat(new String(q.next(), StandardCharsets.UTF_8)).isEqualTo("first line\r\nsecond line\r\n");
        assertThat(new String(q.next(), StandardCharsets.UTF_8)).isEqualTo("another\r\n");
        assertThat(new String(q.next(), StandardCharsets.UTF_8)).isEqualTo("first line\r\nsecond line\r\n");

        Files.writeString(f, "one\n\ntwo\n");
        assertThat(Qotd.load(f).size()).isEqualTo(2);

        Files.writeString(f, "x".repeat(600));
        assertThatThrownBy(() -> Qotd.load(f)).hasMessageContaining("RFC 865 allows fewer than 512");
        Files.writeString(f, "\n\n");
        assertThatThrownBy(() -> Qotd.load(f)).hasMessageContaining("no quotations");
        Qotd.builtIn(); // every built-in quotation is within the limit, or this throws
    }

    @Test
    void sinkPrintsWholeLinesPrefixedAndSplitsOverlongOnes() {
        List<String> printed = new ArrayList<>();
        Sink.Printer printer = (peer, bytes, length) -> printed.add(peer + "|" + new String(bytes, 0, length, US_ASCII));
        StreamSession s = Sink.stream(printer).open("[::1]:5000");
        BufferOutput out = new BufferOutput(1024);
        s.received(ascii("hel"), out);
        s.received(ascii("lo\nwor"), out);
        assertThat(printed).containsExactly("[::1]:5000|hello");
        s.received(ascii("ld"), out);
        s.peerClosed(out);
        assertThat(printed).containsExactly("[::1]:5000|hello", "[::1]:5000|world");
        assertThat(out.drain()).isEmpty();

        printed.clear();
        StreamSession big = Sink.stream(printer).open("p");
        big.received(ascii("y".repeat(Sink.MAX_LINE + 10) + "\n"), out);
        assertThat(printed).hasSize(2);
        assertThat(printed.get(0)).hasSize(2 + Sink.MAX_LINE);
        assertThat(printed.get(1)).isEqualTo("p|" + "y".repeat(10));
    }

    @Test
    void sinkPrintsEachLineOfADatagramWithItsSender() {
        List<String> printed = new ArrayList<>();
        DatagramService sink = Sink.datagram((peer, bytes, length) -> printed.add(peer + "|" + new String(bytes, 0, length, US_ASCII)));
        assertThat(sink.answer(ascii("one\ntwo\n"), "127.0.0.1:5000")).isEmpty();
        assertThat(sink.answer(ascii("no newline"), "127.0.0.1:5000")).isEmpty();
        assertThat(sink.answer(ascii("\n"), "[::1]:6000")).isEmpty();
        assertThat(sink.answer(ascii("a\n\nb"), "[::1]:6000")).isEmpty();
        assertThat(printed).containsExactly("127.0.0.1:5000|one", "127.0.0.1:5000|two", "127.0.0.1:5000|no newline",
                "[::1]:6000|", "[::1]:6000|a", "[::1]:6000|", "[::1]:6000|b");
    }

    @Test
    void sinkForATerminalShowsControlCharactersInsteadOfObeyingThem() {
        List<String> printed = new ArrayList<>();
        Sink.Printer printer = Sink.escaping((peer, bytes, length) -> printed.add(peer + "|" + new String(bytes, 0, length, StandardCharsets.UTF_8)));
        for (String line : List.of("\u001b[2Jgone\rover\ttab\u007f", "plain, and caf\u00e9 \u011b", "CSI as UTF-8: \u009b2J")) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            printer.print("p", b, b.length);
        }
        printer.print("p", new byte[]{'a', (byte) 0x9b, '2', 'J'}, 4); // a lone C1 byte, as an 8-bit terminal takes it
        printer.print("unix:@\u001b]0;evil\u0007", new byte[]{'x'}, 1); // a Unix client names itself
        assertThat(printed).containsExactly("p|\\x1b[2Jgone\\x0dover\ttab\\x7f", "p|plain, and caf\u00e9 \u011b",
                "p|CSI as UTF-8: \\xc2\\x9b2J", "p|a\\x9b2J", "unix:@\\x1b]0;evil\\x07|x");
    }

    @Test
    void theTableHasTheStandardPorts() {
        assertThat(Service.standard()).extracting(Service::name, Service::port).containsExactly(
                org.assertj.core.groups.Tuple.tuple("echo", 7), org.assertj.core.groups.Tuple.tuple("discard", 9),
                org.assertj.core.groups.Tuple.tuple("daytime", 13), org.assertj.core.groups.Tuple.tuple("qotd", 17),
                org.assertj.core.groups.Tuple.tuple("chargen", 19), org.assertj.core.groups.Tuple.tuple("time", 37));
        assertThat(Service.named("SINK")).isPresent();
        assertThat(Service.named("finger")).isEmpty();
    }
}
