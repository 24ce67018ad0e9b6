package dev.sockit.linux;

import dev.sockit.io.StreamAcceptor;
import dev.sockit.net.UnixSocketAddress;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/** A libc stream socket tells what is unread (FIONREAD), which lets a server close at once when nothing is. */
class UnixStreamSocketTest {
    @Test
    void availableCountsWhatThePeerSentAndWasNotReadYet() throws Exception {
        UnixSocketAddress name = UnixSocketAddress.abstractName("sockit-available-" + ProcessHandle.current().pid());
        try (UnixStreamListener listener = UnixStreamListener.bind(name, 4);
             UnixStreamSocket client = UnixStreamSocket.connect(name)) {
            StreamAcceptor.Accepted accepted = listener.accept();
            try (var server = accepted.stream()) {
                assertThat(server.available()).as("nothing sent yet").isZero();
                client.write(ByteBuffer.wrap("hello".getBytes(US_ASCII))); // a Unix socket delivers before write returns
                assertThat(server.available()).isEqualTo(5);
                assertThat(server.read(ByteBuffer.allocate(3))).isEqualTo(3);
                assertThat(server.available()).isEqualTo(2);
            }
        }
    }
}
