package dev.sockit.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Echo and daytime on a plain JDK NIO selector, one thread: what a careful programmer writes with the
 * JDK alone. Reads go into one shared direct buffer and are written straight back; only bytes the
 * socket would not take are kept per connection, and reading from that peer stops until they are sent.
 */
public final class NioServer {
    private final Selector selector;
    private final ByteBuffer shared = ByteBuffer.allocateDirect(64 * 1024);

    private NioServer() throws IOException {
        this.selector = Selector.open();
    }

    /** Args: ECHO_PORT DAYTIME_PORT (0 for any); prints "echo HOST:PORT" and "daytime HOST:PORT" once bound. */
    public static void main(String[] args) throws IOException {
        NioServer s = new NioServer();
        Ready.announce("echo", s.listen(Integer.parseInt(args[0]), "echo"));
        Ready.announce("daytime", s.listen(Integer.parseInt(args[1]), "daytime"));
        s.loop();
    }

    private InetSocketAddress listen(int port, String service) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, service);
        return (InetSocketAddress) server.getLocalAddress();
    }

    private void loop() throws IOException {
        while (true) {
            selector.select();
            for (SelectionKey key : selector.selectedKeys()) {
                try {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept(key);
                    } else {
                        if (key.isWritable()) {
                            drain(key);
                        }
                        if (key.isValid() && key.isReadable()) {
                            echo(key);
                        }
                    }
                } catch (IOException e) {
                    key.channel().close(); // a peer's trouble ends its own connection only
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private void accept(SelectionKey key) throws IOException {
        ServerSocketChannel server = (ServerSocketChannel) key.channel();
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if ("daytime".equals(key.attachment())) {
                ch.write(ByteBuffer.wrap(CtimeLine.now())); // 26 bytes always fit an empty send buffer
                ch.close();
            } else {
                ch.register(selector, SelectionKey.OP_READ, new Echo());
            }
        }
    }

    private void echo(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        Echo e = (Echo) key.attachment();
        shared.clear();
        int n = ch.read(shared);
        if (n < 0) {
            e.peerClosed = true;
            if (e.pending == null) {
                ch.close();
            } else {
                key.interestOps(SelectionKey.OP_WRITE);
            }
            return;
        }
        shared.flip();
        ch.write(shared);
        if (shared.hasRemaining()) {
            e.pending = ByteBuffer.allocate(shared.remaining()).put(shared).flip();
            key.interestOps(SelectionKey.OP_WRITE); // back-pressure: read nothing more until this is sent
        }
    }

    private void drain(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        Echo e = (Echo) key.attachment();
        ch.write(e.pending);
        if (!e.pending.hasRemaining()) {
            e.pending = null;
            if (e.peerClosed) {
                ch.close();
            } else {
                key.interestOps(SelectionKey.OP_READ);
            }
        }
    }

    /** One echo connection's state: only what the socket has not taken yet. */
    private static final class Echo {
        ByteBuffer pending;
        boolean peerClosed;
    }
}
