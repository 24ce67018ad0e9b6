package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** SERVICE[/tcp|/udp][@ENDPOINT]: which transports a spec is served on. */
class SpecTransportsTest {
    private static final List<Transport> BOTH = List.of(Transport.TCP, Transport.UDP);

    private static Spec parse(String text) {
        return Spec.parse(text, 10_000, "", BOTH);
    }

    @Test
    void aServiceNamedWithoutATransportIsServedOnBoth() {
        assertThat(parse("echo").transports()).containsExactly(Transport.TCP, Transport.UDP);
        assertThat(parse("echo").endpoint()).isEqualTo(new Endpoint.Inet("", 10_007));
        assertThat(parse("time@127.0.0.1:1037").transports()).containsExactly(Transport.TCP, Transport.UDP);
    }

    @Test
    void aTransportNamesOne() {
        assertThat(parse("echo/udp@:7007").transports()).containsExactly(Transport.UDP);
        assertThat(parse("echo/tcp@:7007").transports()).containsExactly(Transport.TCP);
        assertThat(parse("ECHO/UDP").transports()).containsExactly(Transport.UDP);
    }

    @Test
    void aUnixEndpointIsAStreamUnlessTheSpecSaysDatagram() {
        assertThat(parse("echo@unix:/run/echo.sock").transports()).containsExactly(Transport.TCP);
        assertThat(parse("echo/udp@unix:/run/echo.sock").transports()).containsExactly(Transport.UDP);
        assertThat(parse("echo/unixgram@unix:@echo").transports()).containsExactly(Transport.UDP);
        assertThat(parse("echo/unix@unix:@echo").transports()).containsExactly(Transport.TCP);
        assertThat(parse("echo/udp@unix:@echo").endpoint()).isEqualTo(new Endpoint.Unix("echo", true));
    }

    @Test
    void unixTransportNamesNeedAUnixEndpoint() {
        assertThatIllegalArgumentException().isThrownBy(() -> parse("echo/unixgram@:7007"))
                .withMessage("'/unixgram' in 'echo/unixgram@:7007' needs a unix: endpoint; use /tcp or /udp for :7007");
    }

    @Test
    void anUnknownTransportIsNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> parse("echo/sctp@:7007"))
                .withMessageContaining("unknown transport 'sctp'");
    }

    @Test
    void aSpecPrintsAsItParses() {
        for (String text : new String[] {"echo/udp@:7007", "echo/tcp@unix:/run/e.sock", "qotd/udp@unix:@q"}) {
            Spec s = parse(text);
            assertThat(parse(s.toString())).isEqualTo(s);
        }
    }
}
