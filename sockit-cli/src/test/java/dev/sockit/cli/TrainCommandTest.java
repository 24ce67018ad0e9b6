package dev.sockit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher's training run: every client against an in-process server on loopback, quietly. */
class TrainCommandTest {

    @Test
    @Timeout(60)
    void trainsQuietlyAndPutsTheStandardStreamsBack() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();

        int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), "train");

        assertThat(code).isEqualTo(0);
        assertThat(o.toString()).isEmpty();
        assertThat(e.toString()).isEmpty();
        assertThat(System.out).isSameAs(out);
        assertThat(System.err).isSameAs(err);
    }

    @Test
    void isHiddenFromHelp() {
        StringWriter o = new StringWriter();
        int code = Main.run(new PrintWriter(o, true), new PrintWriter(new StringWriter(), true), "--help");

        assertThat(code).isEqualTo(0);
        assertThat(o.toString()).contains("daytime").doesNotContain("train");
    }
}
