package dev.pinwheel.gateway.edge;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;

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
    private final int maxJson;
    private int limit;

    public JsonHttpObjectAggregator(final int maxContentLength, final EdgeConnection edge)
    {
        this(maxContentLength, maxContentLength, edge);
    }

    /**
     * @param maxJson      the largest body of any request but a multipart upload.
     * @param maxMultipart the largest {@code multipart/form-data} body (files; bounded, buffered, then written to
     *                     disk off the shard thread by the file store).
     * @param edge         the connection.
     */
    public JsonHttpObjectAggregator(final int maxJson, final int maxMultipart, final EdgeConnection edge)
    {
        super(Math.max(maxJson, maxMultipart));
        this.edge = edge;
        this.maxJson = maxJson;
        this.limit = maxJson;
    }

    @Override
    protected boolean isContentLengthInvalid(final HttpMessage start, final int maxContentLength)
    {
        final String type = start.headers().get(HttpHeaderNames.CONTENT_TYPE);
        limit = type != null && type.regionMatches(true, 0, "multipart/form-data", 0, 19) ? maxContentLength
            : maxJson;
        return super.isContentLengthInvalid(start, limit);
    }

    @Override
    protected void aggregate(final FullHttpMessage aggregated, final HttpContent content) throws Exception
    {
        super.aggregate(aggregated, content);
        if (aggregated.content().readableBytes() > limit)
        {
            // a chunked body without Content-Length outgrew its kind's limit: cut the connection
            throw new TooLongHttpContentException("request body over " + limit + " bytes");
        }
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
