package dev.pinwheel.gateway.http;

import org.agrona.DirectBuffer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.shard.HandoffDroppedException;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.codec.Json;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import dev.pinwheel.gateway.node.ClientAddress;

/**
 * One REST request in flight. It may be answered from any shard: the answer travels back to the shard
 * that owns the connection (over its ring) and is written there. Exactly one answer per exchange: the first one
 * written wins, later ones are ignored.
 * <p>
 * <b>Every request gets an answer.</b> Work for the request is sent as a {@link RestCommand} (see {@link #task}):
 * whatever stops it — the task throwing, the store refusing the write, a dropped hand-off — reaches
 * {@link #fail}, which answers with Discord's error body (see {@link #fail} for the statuses) and turns reading
 * on the connection back on, so a keep-alive connection keeps working. An answer that cannot travel back over the
 * origin shard's ring goes through the connection's own event-loop queue instead.
 * <p>
 * The answer's headers are kept as values (the rate-limit window's numbers, Retry-After, Allow) and written by
 * {@link ResponseHeaders} straight into Netty's encoder, in the order clients have always seen them (they were once a
 * {@code HashMap}: its iteration order for each set of names, kept byte for byte).
 */
public final class RestExchange
{
    /**
     * Fired down the connection's pipeline (from its head) when an answer that came after its request's handling
     * returned has been written and reading resumes: the edge then serves the requests pipelined behind it, in order.
     */
    public static final Object ANSWERED_LATER = new Object()
    {
        @Override
        public String toString()
        {
            return "REST answer written";
        }
    };
    private static final Logger LOG = LoggerFactory.getLogger(RestExchange.class);
    private static final ThrottledLog UNWRITABLE = new ThrottledLog(LOG, Level.WARN, "unwritable REST answers", 5,
        10_000);
    /** Which headers beyond Content-* the answer carries (see {@link #writeExtraHeaders}). */
    private static final int NO_HEADERS = 0;
    private static final int WINDOW = 1;
    private static final int REFUSED = 2;
    private static final int WINDOW_RETRY = 3;
    private static final int RETRY = 4;
    private static final int ALLOW = 5;
    private static final int ALLOW_RETRY = 6;
    private static final AsciiString USER = AsciiString.cached("user");
    private final ChannelHandlerContext ctx;
    private final dev.pinwheel.core.shard.ShardGroup group;
    private final int originShard;
    private final boolean keepAlive;
    private final long userId;
    private final String method;
    private final String host;
    private final String client;
    private final boolean head;
    private final ResponseHeaders headers;
    private int extra = NO_HEADERS;
    private long limit;
    private long remaining;
    private long resetMillis;
    private long resetAfterMillis;
    private long bucket;
    private long retryAfterSeconds;
    private String allow;
    private String auditReason;
    private String authorization;
    private boolean forwarded;
    private boolean answered;
    /** Told once instead of writing a 404 or 401 ({@link #onMiss}); null: none. */
    private java.util.function.IntPredicate onMiss;
    /** The request was handed to a new exchange by {@link #onMiss}: this one writes nothing. */
    private boolean handedOver;

    /**
     * @param ctx         the connection's context.
     * @param group       the shards.
     * @param originShard the shard holding the connection.
     * @param keepAlive   whether the connection stays open after the answer.
     * @param userId      the authenticated user, or -1.
     * @param method      the HTTP method as routed.
     * @param host        the Host header.
     * @param client      the client's address key.
     * @param head        whether the request was HEAD (answered without the body).
     * @param headers     the origin shard's reusable answer headers (its thread only).
     */
    public RestExchange(final ChannelHandlerContext ctx, final dev.pinwheel.core.shard.ShardGroup group,
        final int originShard, final boolean keepAlive, final long userId, final String method, final String host,
        final String client, final boolean head, final ResponseHeaders headers)
    {
        this.ctx = ctx;
        this.group = group;
        this.originShard = originShard;
        this.keepAlive = keepAlive;
        this.userId = userId;
        this.method = method;
        this.host = host;
        this.client = client;
        this.head = head;
        this.headers = headers;
    }

    /**
     * @return whether the answer has been written (a route on the connection's own shard answers before
     *         {@code RestRouter.handle} returns: the edge then need not pause reading).
     */
    public boolean answered()
    {
        return answered;
    }

    /**
     * @param hook told once, on the origin shard, instead of writing a 404 or 401 answer, with its status; true: it
     *             took the request over (it runs it again through a new exchange) and this exchange writes nothing
     *             more; false: the answer is written. ({@code RestRouter}: read-your-writes across nodes.)
     */
    public void onMiss(final java.util.function.IntPredicate hook)
    {
        onMiss = hook;
    }

    /**
     * @return the client's address key (per-address limits; see {@code ClientAddress}).
     */
    public String client()
    {
        return client;
    }

    /**
     * @return the authenticated user, or -1.
     */
    public long userId()
    {
        return userId;
    }

    /**
     * @return HTTP method ({@code GET} for a HEAD request, which is routed as GET and answered without a body).
     */
    public String method()
    {
        return method;
    }

    /**
     * @return the Host header.
     */
    public String host()
    {
        return host;
    }

    /**
     * @return the request's Authorization header as sent, or null.
     */
    public String authorizationHeader()
    {
        return authorization;
    }

    /**
     * @return whether another node of the cluster forwarded this request ({@code PeerHttp#FORWARDED}): it is
     *         answered here, never forwarded again.
     */
    public boolean forwarded()
    {
        return forwarded;
    }

    /**
     * @param header        the Authorization header as sent, or null (a request handed to another node carries it).
     * @param fromOtherNode whether another node forwarded this request.
     */
    public void origin(final String header, final boolean fromOtherNode)
    {
        this.authorization = header;
        this.forwarded = fromOtherNode;
    }

    /**
     * @return the request's {@code X-Audit-Log-Reason} (URL-decoded, at most 512 characters), or null.
     */
    public String auditReason()
    {
        return auditReason;
    }

    /**
     * @param reason the request's {@code X-Audit-Log-Reason}, decoded, or null.
     */
    public void auditReason(final String reason)
    {
        this.auditReason = reason;
    }

    /**
     * The answer carries the window's {@code X-RateLimit-*} headers; a refusal also {@code Retry-After} and
     * {@code X-RateLimit-Scope: user}.
     *
     * @param d         the limiter's decision for this request.
     * @param nowMillis the time it was taken at (epoch ms).
     */
    public void rateLimit(final RateLimiter.Decision d, final long nowMillis)
    {
        final long resetAfter = d.resetAtMillis() - nowMillis;
        if (d.allowed())
        {
            extra = WINDOW;
        }
        else
        {
            extra = REFUSED;
            retryAfterSeconds = Math.max(1, (resetAfter + 999) / 1000);
        }
        limit = d.limit();
        remaining = d.remaining();
        resetMillis = d.resetAtMillis();
        resetAfterMillis = Math.max(0, resetAfter);
        bucket = d.bucketId();
    }

    /**
     * A refusal's headers for a wait that is not a window's (a login backoff): the same names as a refused window's.
     *
     * @param limit            {@code X-RateLimit-Limit}.
     * @param remaining        {@code X-RateLimit-Remaining}.
     * @param resetMillis      {@code X-RateLimit-Reset} (epoch ms, written in seconds).
     * @param resetAfterMillis {@code X-RateLimit-Reset-After} (written in seconds).
     * @param bucket           {@code X-RateLimit-Bucket} (written in hex).
     * @param retryAfter       {@code Retry-After} in seconds.
     */
    public void rateLimited(final long limit, final long remaining, final long resetMillis, final long resetAfterMillis,
        final long bucket, final long retryAfter)
    {
        extra = REFUSED;
        this.limit = limit;
        this.remaining = remaining;
        this.resetMillis = resetMillis;
        this.resetAfterMillis = resetAfterMillis;
        this.bucket = bucket;
        this.retryAfterSeconds = retryAfter;
    }

    /**
     * The answer carries {@code Retry-After} and no other extra header (an owner's or the control plane's answer).
     *
     * @param seconds the wait.
     */
    public void retryAfterOnly(final int seconds)
    {
        extra = RETRY;
        retryAfterSeconds = seconds;
    }

    /**
     * The answer carries {@code Allow} and no other extra header (405).
     *
     * @param methods the methods allowed.
     */
    public void allow(final String methods)
    {
        extra = ALLOW;
        allow = methods;
    }

    /**
     * @param from   the shard the caller runs on (or null off-shard: the control plane).
     * @param status HTTP status.
     * @param body   JSON body, or null for 204.
     */
    public void reply(final Shard from, final int status, final JsonNode body)
    {
        reply(from, status, body == null ? null : Json.bytes(body));
    }

    /**
     * @param from   the shard the caller runs on (or null off-shard).
     * @param status HTTP status.
     * @param body   encoded JSON body, or null for no body.
     */
    public void reply(final Shard from, final int status, final byte[] body)
    {
        if (from != null && from.id() == originShard && from.inShardThread())
        {
            write(status, body);
        }
        else if (from != null)
        {
            from.send(originShard, new AnswerWrite(status, body));
        }
        else if (!group.send(originShard, new AnswerWrite(status, body)))
        {
            // The origin ring is full: hand the write to the channel's loop task queue instead of losing it.
            ctx.executor().execute(() -> write(status, body));
        }
    }

    /**
     * @param from   the shard the caller runs on (or null off-shard).
     * @param status HTTP status.
     * @param body   encoded JSON body where it lies (the whole buffer, e.g. a view into a command), or null for no
     *               body: copied straight into the answer's buffer on the origin shard, copied out first elsewhere.
     */
    public void reply(final Shard from, final int status, final DirectBuffer body)
    {
        if (from != null && from.id() == originShard && from.inShardThread())
        {
            write(status, null, body);
        }
        else
        {
            final byte[] copy = body == null ? null : new byte[body.capacity()];
            if (copy != null)
            {
                body.getBytes(0, copy);
            }
            reply(from, status, copy);
        }
    }

    /**
     * Wraps work for this request so that its failure answers the request ({@link #fail}).
     *
     * @param body the work, run on the shard it is sent to.
     * @return the task to send.
     */
    public ShardTask task(final ShardTask body)
    {
        return new RestTask(this, body);
    }

    /**
     * Answers a request whose work failed, with Discord's {@code {code, message}} body:
     * <ul>
     *   <li>{@link StoreUnavailableException} {@code DISK_FULL}: <b>507</b> Insufficient Storage;</li>
     *   <li>{@link StoreUnavailableException} (faulted, closed) and {@link HandoffDroppedException} (the target shard
     *   is overloaded): <b>503</b> with {@code Retry-After};</li>
     *   <li>anything else: <b>500</b>.</li>
     * </ul>
     * Ignored if the request was answered already.
     *
     * @param from  the calling shard, or null off-shard.
     * @param cause why the work failed.
     */
    public void fail(final Shard from, final Throwable cause)
    {
        if (cause instanceof StoreUnavailableException refused)
        {
            if (refused.reason() == StoreUnavailableException.Reason.DISK_FULL)
            {
                error(from, 507, 0, "507: Insufficient Storage. The server's disk is full: writes are refused until "
                    + "space is freed; reads still work.");
            }
            else if (refused.reason() == StoreUnavailableException.Reason.UNAVAILABLE)
            {
                retryAfter(5);
                error(from, 503, 0, "503: Service Unavailable. Storage is unreachable; retry later. Cached reads still "
                    + "work.");
            }
            else
            {
                retryAfter(refused.reason() == StoreUnavailableException.Reason.CLOSED ? 5 : 30);
                error(from, 503, 0, "503: Service Unavailable. Storage refuses writes ("
                    + refused.reason().name().toLowerCase(java.util.Locale.ROOT) + "); reads still work.");
            }
        }
        else if (cause instanceof dev.pinwheel.core.shard.NodeUnavailableException down)
        {
            final dev.pinwheel.gateway.codec.DiscordError e = down.moving()
                ? dev.pinwheel.gateway.codec.DiscordError.GUILD_MOVING
                : dev.pinwheel.gateway.codec.DiscordError.NODE_UNAVAILABLE;
            retryAfter(e.retryAfter());
            error(from, 503, 0, e.message());
        }
        else if (cause instanceof HandoffDroppedException)
        {
            retryAfter(1);
            error(from, 503, 0, "503: Service Unavailable. Server busy, retry.");
        }
        else
        {
            error(from, 500, 0, "500: Internal Server Error");
        }
    }

    /** Adds {@code Retry-After} to the headers the answer already carries. */
    private void retryAfter(final int seconds)
    {
        extra = switch (extra)
        {
            case NO_HEADERS, RETRY -> RETRY;
            case WINDOW, WINDOW_RETRY -> WINDOW_RETRY;
            case ALLOW, ALLOW_RETRY -> ALLOW_RETRY;
            default -> extra;
        };
        retryAfterSeconds = seconds;
    }

    /**
     * Writes the extra headers in the order each set had as a {@code HashMap} (what clients always saw).
     *
     * @param h the answer's headers.
     */
    private void writeExtraHeaders(final ResponseHeaders h)
    {
        switch (extra)
        {
            case WINDOW -> h.addHex(ResponseHeaders.RATE_LIMIT_BUCKET, bucket)
                .addLong(ResponseHeaders.RATE_LIMIT_REMAINING, remaining)
                .addSeconds(ResponseHeaders.RATE_LIMIT_RESET_AFTER, resetAfterMillis)
                .addSeconds(ResponseHeaders.RATE_LIMIT_RESET, resetMillis)
                .addLong(ResponseHeaders.RATE_LIMIT_LIMIT, limit);
            case REFUSED -> h.addHex(ResponseHeaders.RATE_LIMIT_BUCKET, bucket)
                .addText(ResponseHeaders.RATE_LIMIT_SCOPE, USER)
                .addLong(ResponseHeaders.RATE_LIMIT_REMAINING, remaining)
                .addLong(ResponseHeaders.RETRY_AFTER, retryAfterSeconds)
                .addSeconds(ResponseHeaders.RATE_LIMIT_RESET_AFTER, resetAfterMillis)
                .addSeconds(ResponseHeaders.RATE_LIMIT_RESET, resetMillis)
                .addLong(ResponseHeaders.RATE_LIMIT_LIMIT, limit);
            case WINDOW_RETRY -> h.addHex(ResponseHeaders.RATE_LIMIT_BUCKET, bucket)
                .addSeconds(ResponseHeaders.RATE_LIMIT_RESET, resetMillis)
                .addLong(ResponseHeaders.RATE_LIMIT_REMAINING, remaining)
                .addLong(ResponseHeaders.RATE_LIMIT_LIMIT, limit)
                .addLong(ResponseHeaders.RETRY_AFTER, retryAfterSeconds)
                .addSeconds(ResponseHeaders.RATE_LIMIT_RESET_AFTER, resetAfterMillis);
            case RETRY -> h.addLong(ResponseHeaders.RETRY_AFTER, retryAfterSeconds);
            case ALLOW -> h.addText(ResponseHeaders.ALLOW, allow);
            case ALLOW_RETRY -> h.addLong(ResponseHeaders.RETRY_AFTER, retryAfterSeconds)
                .addText(ResponseHeaders.ALLOW, allow);
            default ->
            {
            }
        }
    }

    /**
     * Discord's error body {@code {code, message}}.
     *
     * @param from    calling shard or null.
     * @param status  HTTP status.
     * @param code    Discord JSON error code.
     * @param message text.
     */
    public void error(final Shard from, final int status, final int code, final String message)
    {
        final ObjectNode o = Json.object();
        o.put("code", code);
        o.put("message", message);
        reply(from, status, o);
    }

    /**
     * Discord's form-validation error (400, code 50035) for one field.
     *
     * @param from      calling shard or null.
     * @param field     field name.
     * @param errorCode machine code (e.g. BASE_TYPE_REQUIRED).
     * @param message   text.
     */
    public void invalidField(final Shard from, final String field, final String errorCode, final String message)
    {
        final ObjectNode o = Json.object();
        o.put("code", 50035);
        o.put("message", "Invalid Form Body");
        o.putObject("errors").putObject(field).putArray("_errors").addObject()
            .put("code", errorCode).put("message", message);
        reply(from, 400, o);
    }

    /**
     * Discord's form-validation error (400, code 50035) at a nested path, e.g. {@code options, 0, choices} gives
     * {@code {"errors":{"options":{"0":{"choices":{"_errors":[{code, message}]}}}}}}.
     *
     * @param from      calling shard or null.
     * @param path      the field's path (object keys and list indexes), at least one element.
     * @param errorCode machine code (e.g. BASE_TYPE_MAX_LENGTH).
     * @param message   text.
     */
    public void invalidPath(final Shard from, final java.util.List<String> path, final String errorCode,
        final String message)
    {
        final ObjectNode o = Json.object();
        o.put("code", 50035);
        o.put("message", "Invalid Form Body");
        ObjectNode at = o.putObject("errors");
        for (final String key : path)
        {
            at = at.putObject(key);
        }
        at.putArray("_errors").addObject().put("code", errorCode).put("message", message);
        reply(from, 400, o);
    }

    private void write(final int status, final byte[] body)
    {
        write(status, body, null);
    }

    /**
     * Writes the answer: the body from {@code array} or {@code buffer} (neither: no body), copied into a pooled
     * buffer. The shard's reusable {@link ResponseHeaders} serve when this runs on the connection's event loop (the
     * encoder then reads them before {@code writeAndFlush} returns); anywhere else the answer gets its own.
     */
    private void write(final int status, final byte[] array, final DirectBuffer buffer)
    {
        if (answered || handedOver)
        {
            return;
        }
        if ((status == 404 || status == 401) && onMiss != null)
        {
            final java.util.function.IntPredicate hook = onMiss;
            onMiss = null;
            if (hook.test(status))
            {
                handedOver = true; // not "answered": the edge waits for the new exchange's answer, in order
                return;
            }
        }
        final boolean hasBody = array != null || buffer != null;
        final int length = array != null ? array.length : buffer != null ? buffer.capacity() : 0;
        final ResponseHeaders h = ctx.executor().inEventLoop() ? headers.reset() : new ResponseHeaders();
        if (hasBody)
        {
            h.addText(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        h.addLong(HttpHeaderNames.CONTENT_LENGTH, length);
        writeExtraHeaders(h);
        if (keepAlive)
        {
            h.addText(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        // HEAD is answered as GET without the body: same status, headers and Content-Length
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status), !hasBody || head ? Unpooled.EMPTY_BUFFER : content(array, buffer, length),
            h, EmptyHttpHeaders.INSTANCE);
        answered = true; // only now: a failure while building leaves the exchange answerable (by fail)
        if (keepAlive)
        {
            ctx.writeAndFlush(res);
            if (!ctx.channel().config().isAutoRead())
            {
                // the edge paused reading for this answer: resume, and let it serve what was pipelined behind it
                ctx.channel().config().setAutoRead(true); // asks for the next read, too
                ctx.pipeline().fireUserEventTriggered(ANSWERED_LATER);
            }
        }
        else
        {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private ByteBuf content(final byte[] array, final DirectBuffer buffer, final int length)
    {
        final ByteBuf content = ctx.alloc().buffer(length);
        if (array != null)
        {
            return content.writeBytes(array);
        }
        final byte[] backing = buffer.byteArray();
        if (backing != null)
        {
            return content.writeBytes(backing, buffer.wrapAdjustment(), length);
        }
        for (int i = 0; i < length; i++)
        {
            content.writeByte(buffer.getByte(i));
        }
        return content;
    }

    /** The answer travelling to the origin shard; if it cannot get there or be written, the client still learns. */
    private final class AnswerWrite implements ShardTask
    {
        private final int status;
        private final byte[] body;

        AnswerWrite(final int status, final byte[] body)
        {
            this.status = status;
            this.body = body;
        }

        @Override
        public void run(final Shard shard)
        {
            write(status, body);
        }

        @Override
        public void failed(final Shard shard, final Throwable cause)
        {
            if (cause instanceof HandoffDroppedException)
            {
                // the origin's overflow queue is full: the connection's own loop queue takes it (same thread)
                ctx.executor().execute(() -> write(status, body));
                return;
            }
            if (UNWRITABLE.admit())
            {
                LOG.warn("cannot write a REST answer ({}), closing the connection: {}", status, cause.toString());
            }
            ctx.close(); // the answer cannot be written: a closed connection beats one that waits forever
        }
    }
}
