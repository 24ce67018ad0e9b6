package dev.sockit.service;

import java.time.Clock;

/**
 * What the built-in services may be configured with.
 *
 * @param clock   the time daytime and time tell (tests inject one)
 * @param daytime the daytime line format
 * @param quotes  the qotd quotations
 * @param printer where sink prints what clients send
 */
public record Settings(Clock clock, Daytime.Format daytime, Qotd quotes, Sink.Printer printer) {

    /** System clock, ctime daytime, built-in quotations, sink lines to standard output. */
    public static Settings defaults() {
        return new Settings(Clock.systemDefaultZone(), Daytime.Format.CTIME, Qotd.builtIn(), Settings::printToStdout);
    }

    public Settings withClock(Clock c) {
        return new Settings(c, daytime, quotes, printer);
    }

    public Settings withDaytime(Daytime.Format f) {
        return new Settings(clock, f, quotes, printer);
    }

    public Settings withQuotes(Qotd q) {
        return new Settings(clock, daytime, q, printer);
    }

    public Settings withPrinter(Sink.Printer p) {
        return new Settings(clock, daytime, quotes, p);
    }

    private static void printToStdout(String peer, byte[] bytes, int length) {
        byte[] line = Sink.prefixedLine(peer, bytes, length); // one write: a log line on the same file (2>&1) cannot land inside it
        System.out.write(line, 0, line.length);
        if (System.out.checkError()) { // a PrintStream keeps its failures to itself: asked, so that they can be said
            throw new java.io.UncheckedIOException(new java.io.IOException("standard output cannot be written (its reader has gone, or the disk is full)"));
        }
    }
}
