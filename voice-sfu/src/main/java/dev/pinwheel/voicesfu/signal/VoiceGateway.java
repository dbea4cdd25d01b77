package dev.pinwheel.voicesfu.signal;

import java.net.InetSocketAddress;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import dev.pinwheel.tuning.ThreadRole;
import dev.pinwheel.voicesfu.VoiceContext;
import dev.pinwheel.voicesfu.media.MediaPlane;

/**
 * The voice gateway listener: TLS (JDA and discord.js only open {@code wss://}) + HTTP upgrade + WebSocket on
 * one Netty event loop, which is also the {@link VoiceControl} thread. Signalling is control plane (a few
 * messages per member per minute), so one thread serves every connection.
 * <pre>
 *  SslHandler ─▶ HttpServerCodec ─▶ HttpObjectAggregator ─▶ WebSocketServerProtocolHandler("/", prefix) ─▶ VoiceConnection
 * </pre>
 */
public final class VoiceGateway implements AutoCloseable
{
    private static final int MAX_FRAME = 64 * 1024;
    private final EventLoopGroup group;
    private final Channel server;
    private final VoiceControl control;

    /**
     * @param ctx      settings (concluded).
     * @param keyStore TLS keystore.
     * @param password its password.
     * @param media    media plane.
     * @throws InterruptedException if interrupted while binding.
     */
    public VoiceGateway(final VoiceContext ctx, final KeyStore keyStore, final String password, final MediaPlane media)
        throws InterruptedException
    {
        final SslContext ssl;
        try
        {
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, password.toCharArray());
            ssl = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).build();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot set up voice TLS", ex);
        }
        this.group = new MultiThreadIoEventLoopGroup(1,
            (java.util.concurrent.ThreadFactory)r -> ctx.placement().newThread(ThreadRole.CONTROL, 0,
                "pinwheel-voice-gateway", r),
            NioIoHandler.newFactory());
        boolean ok = false;
        try
        {
            final VoiceControl[] holder = new VoiceControl[1];
            final ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel ch)
                    {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(MAX_FRAME));
                        ch.pipeline().addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig
                            .newBuilder().websocketPath("/").checkStartsWith(true).maxFramePayloadLength(MAX_FRAME)
                            .handleCloseFrames(false).build()));
                        ch.pipeline().addLast(new VoiceConnection(holder[0]));
                    }
                });
            this.server = b.bind(new InetSocketAddress(ctx.host(), ctx.gatewayPort())).sync().channel();
            final int port = ((InetSocketAddress)server.localAddress()).getPort();
            this.control = new VoiceControl(server.eventLoop(), ctx, media, ctx.endpointHost() + ":" + port);
            holder[0] = control;
            ok = true;
        }
        finally
        {
            if (!ok)
            {
                group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    /**
     * @return the bound TLS port.
     */
    public int port()
    {
        return ((InetSocketAddress)server.localAddress()).getPort();
    }

    /**
     * @return the control plane (the main gateway's admission interface).
     */
    public VoiceControl control()
    {
        return control;
    }

    @Override
    public void close()
    {
        try
        {
            server.eventLoop().submit(control::closeAll).await(2_000);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        server.close().awaitUninterruptibly(2_000);
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }
}
