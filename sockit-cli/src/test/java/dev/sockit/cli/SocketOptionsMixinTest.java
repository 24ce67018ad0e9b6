package dev.sockit.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** The flags that may name one service: the name only when attached with '=', never the next word. */
class SocketOptionsMixinTest {

    @Test
    void aFlagFollowedByAServiceSpecLeavesTheSpecToServe() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--reuseport", "daytime", "--nodelay=echo", "echo", "--nagle");
        assertThat(serve.specs).containsExactly("daytime", "echo");
        assertThat(serve.socketOptions.reusePort).containsExactly("*");
        assertThat(serve.socketOptions.noDelay).containsExactly("echo");
        assertThat(serve.socketOptions.nagle).containsExactly("*");
    }

    @Test
    void aFlagBeforeTheEndpointLeavesTheEndpointToConnect() {
        ConnectCommand connect = new ConnectCommand();
        new CommandLine(connect).parseArgs("--nodelay", "localhost:10007");
        assertThat(connect.target).isEqualTo("localhost:10007");
        assertThat(connect.net.socket.noDelay).containsExactly("*");
    }
}
