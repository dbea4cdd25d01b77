package dev.pinwheel.gateway.http;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

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
 */
public final class RestExchange
{
    private static final Logger LOG = LoggerFactory.getLogger(RestExchange.class);
    private static final ThrottledLog UNWRITABLE = new ThrottledLog(LOG, Level.WARN, "unwritable REST answers", 5,
        10_000);
    private final ChannelHandlerContext ctx;
    private final dev.pinwheel.core.shard.ShardGroup group;
    private final int originShard;
    private final boolean keepAlive;
    private final long userId;
    private final String method;
    private final String host;
    private final String client;
    private final boolean head;
    private Map<String, String> extraHeaders;
    private String auditReason;
    private boolean answered;

    public RestExchange(final ChannelHandlerContext ctx, final dev.pinwheel.core.shard.ShardGroup group,
        final int originShard, final boolean keepAlive, final long userId, final String method, final String host,
        final String client, final boolean head)
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
     * @param headers extra response headers (rate limits).
     */
    public void headers(final Map<String, String> headers)
    {
        extraHeaders = headers;
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
            else
            {
                retryAfter(refused.reason() == StoreUnavailableException.Reason.CLOSED ? 5 : 30);
                error(from, 503, 0, "503: Service Unavailable. Storage refuses writes ("
                    + refused.reason().name().toLowerCase(java.util.Locale.ROOT) + "); reads still work.");
            }
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

    private void retryAfter(final int seconds)
    {
        final Map<String, String> h = new java.util.HashMap<>();
        if (extraHeaders != null)
        {
            h.putAll(extraHeaders);
        }
        h.put("Retry-After", Integer.toString(seconds));
        extraHeaders = h;
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
        if (answered)
        {
            return;
        }
        // HEAD is answered as GET without the body: same status, headers and Content-Length
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            body == null || head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        if (body != null)
        {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
        if (extraHeaders != null)
        {
            extraHeaders.forEach((k, v) -> res.headers().set(k, v));
        }
        answered = true; // only now: a failure while building leaves the exchange answerable (by fail)
        if (keepAlive)
        {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
        else
        {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
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
