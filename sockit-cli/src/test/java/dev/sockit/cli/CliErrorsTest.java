package dev.sockit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every way a user can get `sockit serve` wrong: one clear line, the right exit code, no stack trace. */
class CliErrorsTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void onlyABareOneShotCallSkipsTheParser() {
        assertThat(BareCall.matches("daytime", "localhost:13")).isTrue();
        assertThat(BareCall.matches("time", "[::1]:37")).isTrue();
        assertThat(BareCall.matches("qotd", "unix:@qotd")).isTrue();
        assertThat(BareCall.matches("daytime", "--help")).isFalse();
        assertThat(BareCall.matches("daytime", "@arguments.txt")).isFalse(); // picocli would read the file
        assertThat(BareCall.matches("daytime", "")).isFalse();
        assertThat(BareCall.matches("daytime", "localhost:13", "--json")).isFalse();
        assertThat(BareCall.matches("echo", "localhost:7")).isFalse();
        assertThat(BareCall.matches("--debug", "daytime")).isFalse();
        assertThat(BareCall.matches("daytime")).isFalse();
    }

    @Test
    void aBareOneShotCallFailsExactlyAsThroughTheParser() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        for (String command : new String[] {"daytime", "time", "qotd"}) {
            for (String endpoint : new String[] {"127.0.0.1:99999", "127.0.0.1:" + closed, "[::1"}) {
                Result bare = run(command, endpoint);
                Result parsed = run(command, endpoint, "--timeout", "10s"); // the default: the same call, through picocli
                assertThat(bare).isEqualTo(parsed);
                assertThat(bare.code()).isIn(1, 2);
                assertThat(bare.err()).startsWith("sockit: ").doesNotContain("\tat ");
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "serve --bogus|sockit: Unknown option: '--bogus'",
            "daytime -x|sockit: Unknown option: '-x'",
            "chargen 127.0.0.1:19 --print --json|sockit: --print and --json exclude each other: --json prints the result alone, for a script to read",
            "daytime -4v|sockit: Missing required parameter: 'HOST[:PORT]'",
            "daytime -4x|sockit: Unknown option: '-4x'",
            "daytime -4t5s|sockit: Missing required parameter: 'HOST[:PORT]'",
            "serve finger|sockit: unknown service 'finger' in 'finger'; services: echo, discard, daytime, qotd, chargen, time, sink",
            "serve sink@localhost|sockit: sink has no standard port; give one, e.g. sink@localhost:15000",
            "connect 127.0.0.1 20007|sockit: write an endpoint as one word, HOST:PORT: '127.0.0.1:20007'",
            "connect ::1 20007|sockit: write an endpoint as one word, HOST:PORT: '[::1]:20007'",
            "chargen 127.0.0.1:19 1000|sockit: Unmatched argument at index 2: '1000'",
            "chargen localhost:19 --bytes 100 200|sockit: Unmatched argument at index 4: '200'",
            "listen 32060|sockit: bad endpoint '32060': no port; expected HOST:PORT or :PORT (to listen on port 32060 on every address: :32060)",
            "serve echo@::1:7|sockit: bad endpoint '::1:7': write IPv6 addresses in brackets, e.g. [::1]:7",
            "serve sink|sockit: sink has no standard port; give one, e.g. sink@:15000",
            "serve --port-offset -1|sockit: --port-offset must be from 0 to 65535, not -1",
            "serve --port-offset x|sockit: Invalid value for option '--port-offset': 'x' is not an int",
            "serve --grace soon|sockit: Invalid value for option '--grace': 'soon' is not a duration; write e.g. 5s, 250ms, 1.5s, 2m",
            "serve --daytime-format iso|sockit: unknown daytime format 'iso'; expected ctime, rfc3339 or rfc5322",
            "serve --bind not_an_address!|sockit: --bind 'not_an_address!': 'not_an_address!' is not a host name or address",
            "serve --bind 256.0.0.1|sockit: --bind '256.0.0.1': '256.0.0.1' is not a valid IP address",
            "serve echo@:0 --bind unix:/tmp/x|sockit: --bind takes an IP address or a host name; a Unix socket is a SPEC of its own, e.g. echo@unix:/tmp/x",
            "frobnicate|sockit: unknown command 'frobnicate'; commands: serve, keepalive, connect, listen, daytime, time, qotd, echo, chargen, discard, bench",
            "serve echo@:0 --keepalive 0,1,3|sockit: --keepalive: keepalive idle must be from 1 to 32767, not 0",
            "serve echo@:0 --keepalive 1,1,128|sockit: --keepalive: keepalive count must be from 1 to 127, not 128",
            "serve echo@:0 --keepalive chargen=1,1,3|sockit: an option names service 'chargen', which is not being served (serving: echo)",
            "serve echo@:0 --rcvbuf lots|sockit: --rcvbuf: 'lots' is not a size in bytes (e.g. 262144 or 256k)",
            "serve echo@:0 --linger -1|sockit: --linger: must be from 0 to 65535 seconds, not -1",
            "serve echo@:0 --nodelay --nagle|sockit: --nodelay and --nagle contradict each other; give one",
            "serve echo@:0 discard@:0 --nodelay=echo --nagle=echo|sockit: --nodelay and --nagle contradict each other for echo; give one",
            "serve echo@:0 --engine kqueue|sockit: Invalid value for option '--engine': unknown engine 'kqueue'; engines: threads, epoll",
            "keepalive|sockit: give either ENDPOINT to connect to, or --listen ENDPOINT",
            "serve echo@:0 --max-per-source -1|sockit: --max-per-source must be 0 (no limit) or more, not -1",
            "serve echo@:0 --allow 10.0.0.1/8|sockit: Invalid value for option '--allow' (BLOCK): 10.0.0.1/8 has address bits set past its /8 (did you mean 10.0.0.0/8?)",
            "serve echo@:0 --deny 192.0.2.0/24,example.com|sockit: Invalid value for option '--deny' (BLOCK): 'example.com' is not an address block: write an IP address, or ADDRESS/PREFIX such as 192.0.2.0/24 or 2001:db8::/32",
            "serve echo@:0 --reply-rate NaN|sockit: --reply-rate must be a number from 0 up (0 turns the limit off), not NaN",
            "serve echo@:0 --global-reply-rate -1|sockit: --global-reply-rate must be a number from 0 up (0 turns the limit off), not -1",
            "bench unix:@echo|sockit: bench cannot reach an abstract Unix name (unix:@echo); serve on a socket file, unix:/path",
            "keepalive 127.0.0.1:7 --keepalive off|sockit: --keepalive off makes no sense here: this command watches keepalive",
            "keepalive unix:/tmp/x|sockit: keepalive is a TCP feature; 'unix:/tmp/x' is not a TCP endpoint",
            "keepalive 127.0.0.1:7 --keepalive echo=1,1,1|sockit: 'echo': naming a service (SERVICE=...) is for sockit serve only",
            "serve echo@127.0.0.1:7007 daytime/tcp@127.0.0.1:7007|sockit: 'echo@127.0.0.1:7007' and 'daytime/tcp@127.0.0.1:7007' both ask for tcp 127.0.0.1:7007; one socket serves one service",
            "daytime ::1:17013|sockit: bad endpoint '::1:17013': write IPv6 addresses in brackets, e.g. [::1]:17013",
            "bench 127.0.0.1:7 --service finger|sockit: unknown service 'finger'; services: echo, discard, daytime, qotd, chargen, time, sink",
            "chargen 127.0.0.1:19 --bytes 17179869184G|sockit: Invalid value for option '--bytes': '17179869184G' is too large",
            "chargen 127.0.0.1:19 --bytes 1x|sockit: Invalid value for option '--bytes': '1x' is not a size; write e.g. 64, 16K, 1M, 2G",
            "serve echo@:0 --allow ,|sockit: --allow ',': an empty address block (a comma too many?)",
            "serve echo@:0 --allow 10.0.0.0/8 --deny 10.1.0.0/16,|sockit: --deny '10.1.0.0/16,': an empty address block (a comma too many?)",
            "listen 256.1.1.1:7|sockit: bad endpoint '256.1.1.1:7': '256.1.1.1' is not a valid IP address",
            "keepalive --listen 256.1.1.1:7|sockit: bad endpoint '256.1.1.1:7': '256.1.1.1' is not a valid IP address",
            "serve echo@:0 --busy-poll 10h|sockit: --busy-poll must be from 0 to 10ms, not 10h",
            "bench 127.0.0.1:7 --rate NaN|sockit: --rate must be a number from 0 (as fast as possible) to 1e9 per second, not NaN",
            "serve echo@:0 --no-reply-limits --reply-rate 5|sockit: --no-reply-limits and --reply-rate contradict each other; give one",
            "listen unix:/tmp/sockit-x.sock --keepalive 1,1,1|sockit: --keepalive is a TCP option; unix:/tmp/sockit-x.sock is a Unix stream socket, where it does nothing",
            "connect 127.0.0.1:7 --udp --nodelay|sockit: --nodelay is a TCP option; 127.0.0.1:7 is UDP, where it does nothing",
            "daytime 127.0.0.1:13 --nodelay=echo|sockit: '--nodelay=echo': naming a service (SERVICE=...) is for sockit serve only",
            "daytime 127.0.0.1:13 --reuseport|sockit: Unknown option: '--reuseport'",
            "listen :0 --max-connections 5|sockit: --max-connections is for --keep-open; without it listen serves one client",
            "listen :0 --udp --no-half-close|sockit: --no-half-close is for stream sockets; a datagram socket has no half-close"})
    void usageErrorsExitWith2AndOneClearLine(String args, String message) {
        Result r = run(args.split(" "));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse("")).isEqualTo(message);
        assertThat(r.err()).contains("--help").doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** An @FILE (a config file of arguments) that cannot be read is said as such, not taken for an argument. */
    @Test
    void anArgumentFileThatCannotBeReadIsSaid(@TempDir Path dir) {
        Result missing = run("serve", "@" + dir.resolve("serve.args"));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("sockit: cannot read argument file " + dir.resolve("serve.args") + ": no such file\n");
        Result directory = run("serve", "@" + dir);
        assertThat(directory.code()).isEqualTo(2);
        assertThat(directory.err()).isEqualTo("sockit: cannot read argument file " + dir + ": not a regular file\n");
        String[] text = {"echo", "--text", "@" + dir.resolve("me"), "127.0.0.1:7"};
        assertThat(Main.unreadableArgumentFile(Main.commandLine(text), text))
                .as("an option's value that names no file stays text, as picocli has it").isNull();
        String[] flag = {"serve", "--json", "@" + dir.resolve("serve.args")};
        assertThat(Main.unreadableArgumentFile(Main.commandLine(flag), flag)).as("after a flag, which takes no value: checked")
                .isEqualTo("cannot read argument file " + dir.resolve("serve.args") + ": no such file");
    }

    /** An argument file of binary, or a huge line, still gives one short line a terminal shows as it is. */
    @Test
    void garbageInAnArgumentFileIsQuotedPrintablyAndShort(@TempDir Path dir) throws Exception {
        // C1 CSI (U+009B), which a terminal takes as ESC [: picocli keeps it inside the word (it splits at C0 controls)
        Path garbage = Files.writeString(dir.resolve("garbage.args"), "finger\u009b2J");
        Result r = run("serve", "@" + garbage);
        assertThat(r.code()).isEqualTo(2);
        String first = r.err().lines().findFirst().orElseThrow();
        assertThat(first).startsWith("sockit: unknown service 'finger\\x9b2j' in 'finger\\x9b2J'").doesNotContain("\u009b");

        Path huge = Files.writeString(dir.resolve("huge.args"), "x".repeat(5_000_000));
        r = run("serve", "@" + huge);
        assertThat(r.code()).isEqualTo(2);
        first = r.err().lines().findFirst().orElseThrow();
        assertThat(first).hasSizeLessThan(Main.LONGEST_MESSAGE + 50).endsWith(" characters)");
    }

    /** What a bad line of an argument file says: the same as on the command line. */
    @Test
    void anArgumentFileIsReadAsItsArguments(@TempDir Path dir) throws Exception {
        Path args = Files.writeString(dir.resolve("serve.args"), "# sockit serve\necho@127.0.0.1:0\n--allow 10.0.0.1/8\n");
        Result r = run("serve", "@" + args);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: Invalid value for option '--allow' (BLOCK): 10.0.0.1/8 has address bits set past its /8");
    }

    @Test
    void aPortInUseIsARuntimeFailure() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result r = run("serve", "echo@127.0.0.1:" + taken.getLocalPort());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("sockit: cannot listen on tcp 127.0.0.1:" + taken.getLocalPort()
                    + " — address already in use (another program serves it; stop that one or choose another port)\n");
        }
    }

    /** listen and keepalive --listen say why a bind failed as serve does. */
    @Test
    void listenersSayWhyTheyCannotListen(@TempDir Path dir) throws Exception {
        Path nowhere = dir.resolve("nodir/x.sock");
        Result r = run("listen", "unix:" + nowhere);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sockit: cannot listen on unix unix:" + nowhere + " — directory " + nowhere.getParent()
                + " does not exist (create it first)\n");
        r = run("listen", "--udp", "unix:" + dir);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sockit: cannot listen on unixgram unix:" + dir + " — " + dir + " exists and is not a socket; sockit will not replace it\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"))) {
            r = run("keepalive", "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("sockit: cannot listen on tcp 127.0.0.1:" + taken.getLocalPort()
                    + " — address already in use (another program serves it; stop that one or choose another port)\n");
        }
    }

    @Test
    void quotesFilesAreChecked(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none");
        Result r = run("serve", "qotd@127.0.0.1:0", "--quotes", missing.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: cannot read quotes file " + missing + ": no such file\n");

        r = run("serve", "qotd@127.0.0.1:0", "--quotes", "/dev/zero");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: /dev/zero: more than 16 MiB; a quotes file may have at most that");

        Path huge = dir.resolve("huge");
        try (var f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that take no disk
        }
        r = run("serve", "qotd@127.0.0.1:0", "--quotes", huge.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: " + huge + ": more than 16 MiB; a quotes file may have at most that");
        r = run("serve", "qotd@127.0.0.1:0", "--quotes", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: " + dir + ": a directory, not a file of quotations\n");

        Path tooLong = dir.resolve("long");
        Files.writeString(tooLong, "x".repeat(700));
        r = run("serve", "qotd@127.0.0.1:0", "--quotes", tooLong.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: " + tooLong + ": a quotation of 702 bytes, its CR LF included; RFC 865 allows fewer than 512: \""
                + "x".repeat(40) + "...\"\n");

        Path escapes = Files.writeString(dir.resolve("escapes"), "fine\n%\n\u001b[31mred\n");
        r = run("serve", "qotd@127.0.0.1:0", "--quotes", escapes.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: " + escapes + ": a quotation has the control character U+001B: \"\\x1b[31mred\"\n");

        Path latin1 = dir.resolve("latin1");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'});
        r = run("serve", "qotd@127.0.0.1:0", "--quotes", latin1.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sockit: " + latin1 + ": not UTF-8 text (quotations are sent as UTF-8; convert it with iconv)\n");
    }

    @Test
    void helpAndVersionExitZero() {
        Result help = run("serve", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("SERVICE[/tcp|/udp][@ENDPOINT]", "--port-offset", "Examples:", "--engine=ENGINE");
        Result top = run("--help");
        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("serve", "Exit codes: 0 success, 1 runtime or network failure, 2 usage error.");
        Result version = run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("sockit ");
    }
}
