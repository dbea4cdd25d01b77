package dev.pinwheel.gateway.session;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Put first in the pipeline of a connection the server is closing: every inbound message is released unread, so
 * the rest of a flood or of an oversized frame costs no decoding while the close handshake finishes. Stateless and
 * sharable.
 */
@ChannelHandler.Sharable
public final class DiscardInbound extends ChannelInboundHandlerAdapter
{
    /** Its name in a pipeline. */
    public static final String NAME = "pinwheel-discard-inbound";
    /** The one instance. */
    public static final DiscardInbound INSTANCE = new DiscardInbound();

    private DiscardInbound()
    {
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        ReferenceCountUtil.release(msg);
    }
}
