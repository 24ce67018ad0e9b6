package dev.sockit.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;

/**
 * Echo (RFC 862) and daytime (RFC 867) on Netty 4's native epoll transport: the JVM's state of the
 * art, written the way Netty's own examples write it. One event loop per CPU it may use (one when
 * pinned with taskset), accepting and serving on the same loops.
 */
public final class NettyServer {
    private NettyServer() {
    }

    /** Args: ECHO_PORT DAYTIME_PORT (0 for any); prints "echo HOST:PORT" and "daytime HOST:PORT" once bound. */
    public static void main(String[] args) throws Exception {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("Netty epoll is not available: " + Epoll.unavailabilityCause());
        }
        int threads = Runtime.getRuntime().availableProcessors();
        EpollEventLoopGroup group = new EpollEventLoopGroup(threads);
        try {
            Channel echo = bind(group, Integer.parseInt(args[0]), new EchoHandler());
            Channel daytime = bind(group, Integer.parseInt(args[1]), new DaytimeHandler());
            Ready.announce("echo", (InetSocketAddress) echo.localAddress());
            Ready.announce("daytime", (InetSocketAddress) daytime.localAddress());
            echo.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    private static Channel bind(EpollEventLoopGroup group, int port, ChannelHandler handler) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // The client half-closed: send what is owed, then close (RFC 862 over TCP).
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @ChannelHandler.Sharable
    static final class DaytimeHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(CtimeLine.now())).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
