package dev.pinwheel.gateway.rest;

import java.nio.charset.StandardCharsets;
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

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.json.Json;

/**
 * One REST request in flight. It may be answered from any shard: the answer travels back to the shard
 * that owns the connection (over its ring) and is written there. Exactly one answer per exchange.
 */
public final class RestExchange
{
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
    private boolean answered;

    RestExchange(final ChannelHandlerContext ctx, final dev.pinwheel.core.shard.ShardGroup group,
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
     * @param headers extra response headers (rate limits).
     */
    void headers(final Map<String, String> headers)
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
            from.send(originShard, s -> write(status, body));
        }
        else if (!group.send(originShard, s -> write(status, body)))
        {
            // The origin ring is full: hand the write to the channel's loop task queue instead of losing it.
            ctx.executor().execute(() -> write(status, body));
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
        if (answered)
        {
            return;
        }
        answered = true;
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

    static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
