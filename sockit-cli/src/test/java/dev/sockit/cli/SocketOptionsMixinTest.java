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

    @Test
    void aClientsFlagsAreFlagsThere() {
        // as the sockit command line sets a client up: no =SERVICE, the next word left alone
        CommandLine cl = Main.commandLine("connect", "--nodelay", "localhost:10007");
        CommandLine connect = cl.getSubcommands().get("connect");
        cl.parseArgs("connect", "--nodelay", "--nodelay", "localhost:10007");
        ConnectCommand c = connect.getCommand();
        assertThat(c.target).isEqualTo("localhost:10007");
        assertThat(c.net.socket.noDelay).containsExactly("*", "*");
        assertThat(connect.getCommandSpec().findOption("--reuseport")).as("nothing listens in connect").isNull();
        assertThat(connect.getCommandSpec().findOption("--keepalive").paramLabel()).isEqualTo("IDLE,INTERVAL,COUNT");
    }

    @Test
    void keepaliveOffIsNoTcpOptionToRefuseOnAUnixSocket() {
        ConnectCommand connect = new ConnectCommand();
        new CommandLine(connect).parseArgs("--keepalive", "off", "unix:/tmp/x.sock");
        connect.net.socket.requireTcp(dev.sockit.net.Endpoint.parse("unix:/tmp/x.sock"), dev.sockit.net.Transport.TCP); // no exception
        new CommandLine(connect = new ConnectCommand()).parseArgs("--keepalive", "1,1,1", "unix:/tmp/x.sock");
        ConnectCommand c = connect;
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> c.net.socket.requireTcp(dev.sockit.net.Endpoint.parse("unix:/tmp/x.sock"), dev.sockit.net.Transport.TCP))
                .hasMessage("--keepalive is a TCP option; unix:/tmp/x.sock is a Unix stream socket, where it does nothing");
    }
}
