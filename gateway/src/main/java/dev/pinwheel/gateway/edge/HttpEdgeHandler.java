package dev.pinwheel.gateway.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.AsciiString;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.Upload;
import dev.pinwheel.gateway.node.ClientAddress;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.node.PeerHttp;
import dev.pinwheel.gateway.session.GatewayEntry;
import dev.pinwheel.gateway.web.FileEdge;
import dev.pinwheel.gateway.web.WebEdge;

/**
 * The first handler of every connection: a WebSocket upgrade outside {@code /api} becomes a gateway
 * connection; anything under {@code /api[/vN]} is REST; the rest goes to {@link WebEdge} (web client,
 * dashboard, {@code /metrics}; 404 JSON for unknown paths). A malformed request is answered (400, 414, 431) and its
 * connection closed; HEAD on {@code /api} is answered as GET without a body. Answers keep request order on a
 * keep-alive connection: while a REST answer is pending on another shard, reading pauses and requests already decoded
 * wait here until it is written ({@link RestExchange#ANSWERED_LATER}).
 */
public final class HttpEdgeHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpEdgeHandler.class);
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_AUDIT_LOG_REASON = AsciiString.cached("X-Audit-Log-Reason");
    private final ShardEdge shard;
    private final GatewayContext ctx;
    private final EdgeConnection edge;
    private final String peer;
    /** Whether a REST answer is pending on another shard (reading is paused until it is written). */
    private boolean awaiting;
    /** Requests decoded while an answer was pending, oldest first (null until the first). */
    private ArrayDeque<FullHttpRequest> pipelined;
    /** The file parts of the request being parsed (this connection's thread only). */
    private List<Upload> uploads = List.of();

    /**
     * @param shard the shard's edge.
     * @param edge  this connection's deadlines.
     * @param peer  the peer's address key ({@link ClientAddress#key}): the client, unless a trusted proxy forwards.
     */
    HttpEdgeHandler(final ShardEdge shard, final EdgeConnection edge, final String peer)
    {
        this.shard = shard;
        this.ctx = shard.context();
        this.edge = edge;
        this.peer = peer;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext c, final FullHttpRequest req)
    {
        if (awaiting || pipelined != null && !pipelined.isEmpty())
        {
            // HTTP/1.1 answers in request order: a request decoded behind one whose answer is still pending (the
            // rest of the same read) waits for that answer
            if (pipelined == null)
            {
                pipelined = new ArrayDeque<>(4);
            }
            pipelined.add(req.retain());
            return;
        }
        serve(c, req);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext c, final Object evt) throws Exception
    {
        if (evt != RestExchange.ANSWERED_LATER)
        {
            super.userEventTriggered(c, evt);
            return;
        }
        awaiting = false;
        while (!awaiting && pipelined != null && !pipelined.isEmpty() && c.channel().isActive())
        {
            final FullHttpRequest next = pipelined.poll();
            try
            {
                serve(c, next);
            }
            finally
            {
                next.release();
            }
        }
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext c)
    {
        releasePipelined();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext c) throws Exception
    {
        releasePipelined();
        super.channelInactive(c);
    }

    private void releasePipelined()
    {
        if (pipelined != null)
        {
            for (FullHttpRequest r; (r = pipelined.poll()) != null; )
            {
                r.release();
            }
        }
    }

    private void serve(final ChannelHandlerContext c, final FullHttpRequest req)
    {
        if (!req.decoderResult().isSuccess())
        {
            // a malformed request: answer, then close (the decoder discards whatever follows it anyway)
            final Throwable cause = req.decoderResult().cause();
            final HttpResponseStatus status = cause instanceof TooLongHttpLineException
                ? HttpResponseStatus.REQUEST_URI_TOO_LONG : cause instanceof TooLongHttpHeaderException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
            edge.closeAfterBadRequest(plainError(c, status, status.code() + ": " + status.reasonPhrase(), true));
            return;
        }
        final QueryStringDecoder q = new QueryStringDecoder(req.uri());
        final String path = q.path();
        final boolean isApi = path.equals("/api") || path.startsWith("/api/");
        if (!isApi && req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true))
        {
            upgrade(c, req, q);
            return;
        }
        if (!isApi && FileEdge.handles(path))
        {
            if (!shard.files().serve(c, req, path, q.parameters()))
            {
                awaiting = true; // as for the API below: what is pipelined behind it waits for its answer
                c.channel().config().setAutoRead(false);
            }
            return;
        }
        if (!isApi)
        {
            shard.web().serve(shard.shard(), c, req, path, q.parameters());
            return;
        }
        final String[] segments = ApiPath.segments(path);
        if (segments == null)
        {
            plainError(c, HttpResponseStatus.NOT_FOUND, "404: Not Found (API versions 8, 9 and 10 are served)", false);
            return;
        }
        JsonNode body;
        boolean invalid = false;
        uploads = List.of();
        try
        {
            body = parseBody(req);
        }
        catch (final IOException | RuntimeException e)
        {
            body = Json.object();
            invalid = true;
        }
        final long userId = shard.auth().authenticate(req.headers().get(HttpHeaderNames.AUTHORIZATION));
        final String forwarded = req.headers().get(X_FORWARDED_FOR);
        final Set<String> trusted = ctx.config().edge().trustedProxies();
        final String client = forwarded == null || trusted.isEmpty() ? peer
            : ClientAddress.forRequest(c.channel().remoteAddress(), forwarded, trusted);
        // a request another node of the cluster handed here (files live with their owner: PeerHttp) is answered
        // here, with file URLs on the Host its client used
        final boolean fromPeer = req.headers().contains(PeerHttp.FORWARDED);
        final String forwardedHost = fromPeer ? req.headers().get(PeerHttp.FORWARDED_HOST) : null;
        final boolean answered = shard.api().handle(c, HttpUtil.isKeepAlive(req), userId, req.method().name(),
            forwardedHost != null ? forwardedHost : req.headers().get(HttpHeaderNames.HOST), client, segments,
            q.parameters(), body, invalid, req.headers().get(X_AUDIT_LOG_REASON), uploads,
            req.headers().get(HttpHeaderNames.AUTHORIZATION), fromPeer);
        uploads = List.of();
        if (!answered)
        {
            // the answer comes later (from the owner shard, on this thread): read no further request until it is
            // written (RestExchange turns reading back on and fires ANSWERED_LATER); requests already decoded wait
            // in order. One answered at once never pauses: two epoll_ctl calls per request saved (issue 14).
            awaiting = true;
            c.channel().config().setAutoRead(false);
        }
    }

    /** The body as JSON, parsed from the shard's scratch copy of it (JSON parsing keeps nothing of its input). */
    private JsonNode parseBody(final FullHttpRequest req) throws IOException
    {
        final ByteBuf content = req.content();
        if (!content.isReadable())
        {
            return Json.object();
        }
        final String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data"))
        {
            final HttpPostRequestDecoder decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), req);
            try
            {
                final List<Upload> files = new ArrayList<>();
                JsonNode json = null;
                ObjectNode fields = null;
                for (final InterfaceHttpData part : decoder.getBodyHttpDatas())
                {
                    if (part instanceof FileUpload f)
                    {
                        files.add(new Upload(f.getName(), f.getFilename(), f.getContentType(), f.get()));
                    }
                    else if (part instanceof Attribute a && "payload_json".equals(a.getName()))
                    {
                        final byte[] bytes = a.getValue().getBytes(StandardCharsets.UTF_8);
                        json = Json.parse(bytes, 0, bytes.length);
                    }
                    else if (part instanceof Attribute a)
                    {
                        fields = formField(fields == null ? Json.object() : fields, a.getName(), a.getValue());
                    }
                }
                uploads = files.isEmpty() ? List.of() : files;
                // Discord takes the JSON params either as payload_json or, without it, as form fields of their own
                // (discordrb's webhooks, older libraries): payload_json wins when both come
                return json != null ? json : fields != null ? fields : Json.object();
            }
            finally
            {
                decoder.destroy();
            }
        }
        final int length = content.readableBytes();
        final byte[] bytes = shard.scratch(length);
        content.getBytes(content.readerIndex(), bytes, 0, length);
        return Json.parse(bytes, 0, length);
    }

    /** Form fields whose value is JSON (an object, a list) rather than text, as Discord reads them. */
    private static final Set<String> JSON_FIELDS = Set.of("embeds", "allowed_mentions", "components", "attachments",
        "message_reference", "sticker_ids", "poll", "applied_tags");

    /**
     * One JSON param sent as a form field of its own: text for text fields, {@code tts} as a boolean and {@code flags}
     * as a number when they read as such, JSON for {@link #JSON_FIELDS} (left as text when it is not JSON: the route's
     * validation then names the field, 50035); an empty field is left out.
     */
    private static ObjectNode formField(final ObjectNode into, final String name, final String value)
    {
        if (value.isEmpty())
        {
            return into; // an empty field is an absent param (discordrb sends every param it has, unset ones empty)
        }
        if ("tts".equals(name) && ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)))
        {
            return into.put(name, Boolean.parseBoolean(value));
        }
        if ("flags".equals(name) && value.length() < 19 && value.chars().allMatch(Character::isDigit))
        {
            return into.put(name, Long.parseLong(value));
        }
        if (JSON_FIELDS.contains(name))
        {
            try
            {
                final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                into.set(name, Json.parse(bytes, 0, bytes.length));
                return into;
            }
            catch (final IOException | RuntimeException notJson)
            {
                return into.put(name, value);
            }
        }
        return into.put(name, value);
    }

    private void upgrade(final ChannelHandlerContext c, final FullHttpRequest req, final QueryStringDecoder q)
    {
        final Map<String, List<String>> params = q.parameters();
        int version = 10;
        int rejectCode = 0;
        String rejectReason = null;
        final String v = first(params, "v");
        if (v != null)
        {
            try
            {
                version = Integer.parseInt(v);
            }
            catch (final NumberFormatException e)
            {
                version = -1;
            }
            if (version < 8 || version > 10)
            {
                rejectCode = 4012;
                rejectReason = "Invalid API version.";
            }
        }
        final String encoding = first(params, "encoding");
        if (rejectCode == 0 && encoding != null && !"json".equals(encoding))
        {
            rejectCode = 4002;
            rejectReason = "Unsupported encoding '" + encoding + "': only json is served.";
        }
        final String compress = first(params, "compress");
        if (rejectCode == 0 && compress != null && !"zlib-stream".equals(compress))
        {
            rejectCode = 4002;
            rejectReason = "Unsupported compression '" + compress + "'.";
        }
        final String host = req.headers().get(HttpHeaderNames.HOST);
        final WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(
            "ws://" + host + q.path(), null, shard.webSocketDecoderConfig());
        final WebSocketServerHandshaker handshaker = factory.newHandshaker(req);
        if (handshaker == null)
        {
            edge.closeAfterBadRequest(WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(c.channel()));
            return;
        }
        final boolean zlib = "zlib-stream".equals(compress);
        final int finalVersion = version;
        final int finalCode = rejectCode;
        final String finalReason = rejectReason;
        c.channel().config().setAutoRead(false);
        handshaker.handshake(c.channel(), req).addListener((ChannelFutureListener)f ->
        {
            if (!f.isSuccess())
            {
                f.channel().close();
                return;
            }
            edge.upgraded();
            final ChannelPipeline p = f.channel().pipeline();
            p.remove(this);
            final WebSocketFrameEncoder encoder = p.get(WebSocketFrameEncoder.class);
            if (encoder != null)
            {
                p.remove(encoder); // the connection writes whole frames (ByteBufs) itself
            }
            // the connection decodes its frames itself: it takes the place of the decoder the handshake added (which
            // has read nothing: reading stays paused until the connection is in place)
            p.replace(WebSocketFrameDecoder.class, "gateway", GatewayEntry.connection(shard.sessions(),
                shard.webSocketDecoderConfig(), zlib, finalVersion, finalCode, finalReason, shard.sameHost(host)));
            f.channel().config().setAutoRead(true);
        });
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext c, final Throwable cause)
    {
        // a client gone mid-request (or cut by an edge deadline) is routine; anything else is worth a line
        if (!(cause instanceof IOException) && !(cause instanceof PrematureChannelClosureException))
        {
            LOG.warn("HTTP edge error from {}", c.channel().remoteAddress(), cause);
        }
        c.close();
    }

    private static String first(final Map<String, List<String>> params, final String key)
    {
        final List<String> v = params.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static ChannelFuture plainError(final ChannelHandlerContext c, final HttpResponseStatus status,
        final String message, final boolean closing)
    {
        final byte[] body = Json.bytes(Json.object().put("code", 0).put("message", message));
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (closing)
        {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return c.writeAndFlush(res);
    }
}
