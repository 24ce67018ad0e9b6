package dev.sockit.engine;

import dev.sockit.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketException;

import static org.assertj.core.api.Assertions.assertThat;

class FailuresTest {

    /** What a peer did is said in words, whichever call found it out; it is no trouble of ours. */
    @Test
    void aPeersResetIsSaidSoWhateverCallFoundIt() {
        for (IOException e : new IOException[]{
                new SocketException("Connection reset"),
                new ErrnoException("recv", 104), // ECONNRESET
                new ErrnoException("shutdown", 107)}) { // ENOTCONN: a storm of resets showed it raw in the log
            assertThat(Failures.describe(e)).as(e.getMessage()).isEqualTo("reset by peer");
            assertThat(Failures.peerCaused(e)).as(e.getMessage()).isTrue();
        }
        assertThat(Failures.describe(new ErrnoException("send", 32))).isEqualTo("peer went away"); // EPIPE
        assertThat(Failures.peerCaused(new IOException("No space left on device"))).isFalse();
    }
}
