package dev.pinwheel.gateway.edge;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import dev.pinwheel.gateway.edge.EdgeConnection;
import dev.pinwheel.gateway.codec.Json;

/**
 * Netty's aggregator, answering an oversized request with Discord's JSON error body (413, code 40005)
 * instead of an empty response, then closing the connection without resetting it (the client may still be sending
 * the body it was refused: {@link EdgeConnection#closeAfterBadRequest} drains it).
 */
public final class JsonHttpObjectAggregator extends HttpObjectAggregator
{
    private final EdgeConnection edge;

    public JsonHttpObjectAggregator(final int maxContentLength, final EdgeConnection edge)
    {
        super(maxContentLength);
        this.edge = edge;
    }

    @Override
    protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized)
    {
        final byte[] body = Json.bytes(Json.object().put("code", 40005).put("message", "Request entity too large"));
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        edge.closeAfterBadRequest(ctx.writeAndFlush(res));
    }
}
