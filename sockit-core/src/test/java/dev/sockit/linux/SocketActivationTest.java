package dev.sockit.linux;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the environment passes (sd_listen_fds(3)); the sockets themselves are looked at in SocketActivationIT. */
class SocketActivationTest {
    @Test
    void descriptorsFrom3WithTheirNames() {
        assertThat(SocketActivation.named(Map.of("LISTEN_FDS", "3", "LISTEN_PID", "42", "LISTEN_FDNAMES", "echo:daytime:"), 42))
                .containsExactly(new SocketActivation.Named(3, "echo"), new SocketActivation.Named(4, "daytime"), new SocketActivation.Named(5, ""));
        assertThat(SocketActivation.named(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "42"), 42)).containsExactly(new SocketActivation.Named(3, ""));
    }

    @Test
    void noneWhenNotPassedOrPassedToAnotherProcess() {
        assertThat(SocketActivation.named(Map.of(), 42)).isEmpty();
        assertThat(SocketActivation.named(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "41"), 42)).as("our parent's, say").isEmpty();
        assertThat(SocketActivation.named(Map.of("LISTEN_FDS", "0", "LISTEN_PID", "42"), 42)).isEmpty();
        assertThat(SocketActivation.named(Map.of("LISTEN_FDS", "1"), 42)).as("no LISTEN_PID: nothing says they are ours, as sd_listen_fds(3)").isEmpty();
    }

    @Test
    void aMalformedEnvironmentIsSaid() {
        assertThatThrownBy(() -> SocketActivation.named(Map.of("LISTEN_FDS", "two", "LISTEN_PID", "42"), 42))
                .hasMessage("socket activation: LISTEN_FDS is not a number: 'two'");
        assertThatThrownBy(() -> SocketActivation.named(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "x"), 42))
                .hasMessage("socket activation: LISTEN_PID is not a process id: 'x'");
        assertThatThrownBy(() -> SocketActivation.named(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "42", "LISTEN_FDNAMES", "echo"), 42))
                .hasMessage("socket activation: LISTEN_FDNAMES names 1 sockets, LISTEN_FDS passes 2");
    }
}
