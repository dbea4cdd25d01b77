package dev.pinwheel.gateway.edge;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import dev.pinwheel.gateway.node.EdgeConfig;
import dev.pinwheel.gateway.node.EdgeCounters;

/**
 * The deadlines of one HTTP connection, in two pipeline handlers around the HTTP codec:
 * <pre>
 *   socket ─▶ [bytes: first byte of a request starts the head deadline; while closing, input is discarded]
 *          ─▶ HttpServerCodec
 *          ─▶ [this: head done → body deadline; body done → no deadline while the server works;
 *                    response written → keep-alive deadline]
 *          ─▶ aggregator ─▶ HttpEdgeHandler
 * </pre>
 * <pre>
 *   AWAIT_FIRST ──bytes──▶ HEAD ──head──▶ BODY ──body──▶ BUSY ──response──▶ IDLE ──bytes──▶ HEAD …
 *        │ first-request    │ header      │ body                              │ keep-alive
 *        ▼ timeout: close   ▼ 408, linger ▼ 408, linger                       ▼ timeout: close
 *   LINGER (after a 400/408/413/426): output shut down, input drained and discarded until the client closes or
 *   linger-ms pass.
 * </pre>
 * A closing connection is never reset with unread input still arriving (the kernel would answer with RST and the
 * client could lose the response): the last response is written, the output shut down (FIN), and what the client
 * still sends is read and dropped. Deadlines are checked by {@link EdgeDeadlines} on the shard's ticker. A
 * connection that becomes a WebSocket leaves both handlers and the deadline list ({@link #upgraded()}).
 * Confined to the channel's event loop (the shard thread).
 */
public final class EdgeConnection extends ChannelDuplexHandler
{
    private static final int AWAIT_FIRST = 0;
    private static final int HEAD = 1;
    private static final int BODY = 2;
    private static final int BUSY = 3;
    private static final int IDLE = 4;
    private static final int LINGER = 5;
    private static final byte[] REQUEST_TIMEOUT = response(408, "Request Timeout", "408: Request Timeout");

    private final EdgeDeadlines deadlines;
    private final EdgeConfig config;
    private final EdgeCounters counters;
    private final ByteWatch bytes = new ByteWatch();
    private ChannelHandlerContext ctx;
    private ChannelHandlerContext bytesCtx;
    private int phase = AWAIT_FIRST;
    /** Requests whose head arrived and whose response has not been written yet. */
    private int open;
    /** Index in {@link EdgeDeadlines}' arrays, -1 when not watched. */
    int slot = -1;

    /**
     * @param deadlines the shard's deadline list.
     * @param config    edge settings.
     * @param counters  the shard's edge counters.
     */
    public EdgeConnection(final EdgeDeadlines deadlines, final EdgeConfig config, final EdgeCounters counters)
    {
        this.deadlines = deadlines;
        this.config = config;
        this.counters = counters;
    }

    /**
     * @return the handler to put in front of the HTTP codec (raw bytes).
     */
    public ChannelHandler bytes()
    {
        return bytes;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext context)
    {
        ctx = context;
        phase = AWAIT_FIRST;
        deadlines.add(this, deadlineAfter(config.firstRequestTimeoutMillis()));
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context) throws Exception
    {
        deadlines.remove(this);
        super.channelInactive(context);
    }

    @Override
    public void channelRead(final ChannelHandlerContext context, final Object msg) throws Exception
    {
        if (phase == LINGER)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest)
        {
            open++;
            if (open > 1)
            {
                arm(BUSY, 0); // pipelined behind a request still being served: reading is paused, no deadline
            }
            else if (msg instanceof LastHttpContent)
            {
                arm(BUSY, 0);
            }
            else
            {
                arm(BODY, config.bodyTimeoutMillis());
            }
        }
        else if (msg instanceof LastHttpContent && phase == BODY)
        {
            arm(BUSY, 0);
        }
        super.channelRead(context, msg);
    }

    @Override
    public void write(final ChannelHandlerContext context, final Object msg, final ChannelPromise promise)
        throws Exception
    {
        if (msg instanceof LastHttpContent && phase != LINGER
            && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL
                && r.status().code() != 101))
        {
            if (open > 0)
            {
                open--;
            }
            if (open == 0)
            {
                arm(IDLE, config.keepAliveTimeoutMillis());
            }
        }
        super.write(context, msg, promise);
    }

    /**
     * The connection became a WebSocket: it leaves the deadline list and the pipeline (the gateway session's own
     * identify and heartbeat deadlines take over).
     */
    public void upgraded()
    {
        deadlines.remove(this);
        final Channel ch = ctx.channel();
        if (ch.pipeline().context(bytes) != null)
        {
            ch.pipeline().remove(bytes);
        }
        if (ch.pipeline().context(this) != null)
        {
            ch.pipeline().remove(this);
        }
    }

    /**
     * Closes after a last response without resetting the connection: once {@code lastWrite} is on the wire the
     * output is shut down (FIN) and the client's remaining input is drained and discarded until it closes or
     * {@code linger-ms} pass. Counts the close as a bad request.
     *
     * @param lastWrite the write of the last response.
     */
    public void closeAfterBadRequest(final ChannelFuture lastWrite)
    {
        counters.increment(EdgeCounters.CLOSED_BAD_REQUEST);
        closeAfter(lastWrite);
    }

    /**
     * Closes after a last response (see {@link #closeAfterBadRequest}), without counting it.
     *
     * @param lastWrite the write of the last response.
     */
    public void closeAfter(final ChannelFuture lastWrite)
    {
        if (phase == LINGER)
        {
            return;
        }
        arm(LINGER, config.lingerMillis());
        final Channel ch = ctx.channel();
        ch.config().setAutoRead(true);
        ch.read();
        lastWrite.addListener(f ->
        {
            if (!f.isSuccess())
            {
                ch.close();
            }
            else if (ch instanceof DuplexChannel d && ch.isActive())
            {
                d.shutdownOutput();
            }
            // else no half-close on this transport: the linger deadline closes it
        });
    }

    /**
     * The deadline of the current phase passed (called by {@link EdgeDeadlines} on the shard thread).
     *
     * @param now nanoTime.
     */
    void expire(final long now)
    {
        final Channel ch = ctx.channel();
        switch (phase)
        {
            case AWAIT_FIRST ->
            {
                counters.increment(EdgeCounters.CLOSED_FIRST_REQUEST_TIMEOUT);
                dropNow(ch);
            }
            case IDLE ->
            {
                counters.increment(EdgeCounters.CLOSED_KEEP_ALIVE_TIMEOUT);
                dropNow(ch);
            }
            case HEAD, BODY ->
            {
                counters.increment(phase == HEAD ? EdgeCounters.CLOSED_HEADER_TIMEOUT
                    : EdgeCounters.CLOSED_BODY_TIMEOUT);
                // straight to the socket, past the HTTP codec (it may hold half a request)
                closeAfter(bytesCtx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)));
            }
            case LINGER ->
            {
                counters.increment(EdgeCounters.CLOSED_LINGER_TIMEOUT);
                dropNow(ch);
            }
            default -> deadlines.set(this, 0);
        }
    }

    private void dropNow(final Channel ch)
    {
        deadlines.remove(this);
        ch.close();
    }

    private void arm(final int next, final int millis)
    {
        phase = next;
        deadlines.set(this, millis <= 0 && next != LINGER ? 0 : deadlineAfter(millis));
    }

    private static long deadlineAfter(final int millis)
    {
        final long d = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        return d == 0 ? 1 : d;
    }

    private static byte[] response(final int status, final String reason, final String message)
    {
        final String body = "{\"code\":0,\"message\":\"" + message + "\"}";
        return ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    /** In front of the HTTP codec: a request's first byte starts its head deadline; while lingering, drops input. */
    private final class ByteWatch extends ChannelInboundHandlerAdapter
    {
        @Override
        public void handlerAdded(final ChannelHandlerContext context)
        {
            bytesCtx = context;
        }

        @Override
        public void channelRead(final ChannelHandlerContext context, final Object msg)
        {
            if (phase == LINGER)
            {
                ReferenceCountUtil.release(msg);
                return;
            }
            if ((phase == AWAIT_FIRST || phase == IDLE) && msg instanceof ByteBuf b && b.isReadable())
            {
                arm(HEAD, config.headerTimeoutMillis());
            }
            context.fireChannelRead(msg);
        }
    }
}
