package dev.pinwheel.benchmarks.edge;

import java.nio.charset.StandardCharsets;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The floor of the REST edge probe: the least an HTTP/1.1 server on the same Netty (same version, epoll, one event
 * loop thread, TCP_NODELAY, keep-alive) does to answer a request — decode it, aggregate it, answer a fixed small JSON
 * of the size of Pinwheel's {@code GET /api/v10/gateway} answer, flush. Whatever Pinwheel's edge takes beyond this is
 * its own work (routing, authentication, rate limits, headers, the shard's duty cycle).
 * <pre>
 *   java ... dev.pinwheel.benchmarks.edge.FloorHttpServer [PORT=0]   prints "floor serving on HOST:PORT"
 * </pre>
 * Runs until killed; binds 127.0.0.1 only.
 */
public final class FloorHttpServer
{
    /** The line the probe waits for; the port follows. */
    public static final String SERVING = "floor serving on 127.0.0.1:";

    private FloorHttpServer()
    {
    }

    /**
     * @param args optional port (0: ephemeral).
     * @throws InterruptedException if interrupted while serving.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final int[] bound = new int[1];
        final Channel server = new ServerBootstrap().group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                        new Answer(bound[0]));
                }
            })
            .bind("127.0.0.1", port).sync().channel();
        bound[0] = ((java.net.InetSocketAddress)server.localAddress()).getPort();
        System.out.println(SERVING + bound[0] + " (" + (epoll ? "epoll" : "nio") + ")");
        System.out.flush();
        server.closeFuture().sync();
    }

    /** Answers every request with the same JSON. */
    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        private final ByteBuf body;

        Answer(final int port)
        {
            this.body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                ("{\"url\":\"ws://127.0.0.1:" + port + "\"}").getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest req)
        {
            final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                body.duplicate());
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (!HttpUtil.isKeepAlive(req))
            {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(f -> ctx.close());
                return;
            }
            ctx.writeAndFlush(res);
        }
    }
}
