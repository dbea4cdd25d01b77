package dev.pinwheel.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.node.GatewayContext;

/**
 * The HTTP paths outside {@code /api} that are not a WebSocket upgrade, served on the shard that accepted
 * the connection:
 * <pre>
 *   GET /              the web client (index.html)        GET /dashboard   the live shard dashboard page
 *   GET /assets/NAME   its CSS, ES modules, icons          GET /metrics     Prometheus text, admin only
 *   GET /oauth2/authorize, /developers/applications: the web client too (its bot pages, bots.js)
 *   anything else      404 {"code":0,"message":...}
 * </pre>
 * Pages are static: the data they show comes from REST, the gateway and {@code /metrics}, each with its own
 * authorization. {@code /metrics} takes the admin's token as {@code Authorization: Bot TOKEN} (or
 * {@code Bearer TOKEN}, or the bare token) or as {@code ?token=TOKEN}; see {@link AdminPolicy}.
 * Everything here answers synchronously from memory or from thread-safe snapshots: nothing blocks the shard. One per
 * node, used by every shard.
 */
public final class WebEdge
{
    private static final StaticAssets ASSETS = new StaticAssets();
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
        + "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private final GatewayContext ctx;
    private final AuthService auth;
    private final NodeMetrics metrics;

    /**
     * @param ctx     the node.
     * @param auth    token checks ({@code /metrics}).
     * @param metrics the node's metrics state.
     */
    public WebEdge(final GatewayContext ctx, final AuthService auth, final NodeMetrics metrics)
    {
        this.ctx = ctx;
        this.auth = auth;
        this.metrics = metrics;
    }

    /**
     * Answers one non-API, non-upgrade request.
     *
     * @param shard  the shard whose thread runs this.
     * @param c      the channel.
     * @param req    the request.
     * @param path   its decoded path.
     * @param params its query parameters.
     */
    public void serve(final Shard shard, final ChannelHandlerContext c, final FullHttpRequest req, final String path,
        final Map<String, List<String>> params)
    {
        metrics.install(shard.group());
        final boolean get = HttpMethod.GET.equals(req.method());
        final boolean head = HttpMethod.HEAD.equals(req.method());
        final String page = page(path);
        if (page == null && !"/metrics".equals(path))
        {
            json(c, req, HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
            return;
        }
        if (!get && !head)
        {
            json(c, req, HttpResponseStatus.METHOD_NOT_ALLOWED, 0, "405: Method Not Allowed");
            return;
        }
        if (page == null)
        {
            metrics(shard, c, req, params, head);
            return;
        }
        final StaticAssets.Asset asset = ASSETS.get(page);
        if (asset == null)
        {
            json(c, req, HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
            return;
        }
        final boolean notModified = asset.etag().equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            notModified ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
            notModified || head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(asset.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.contentType());
        res.headers().set(HttpHeaderNames.ETAG, asset.etag());
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        res.headers().set("X-Content-Type-Options", "nosniff");
        res.headers().set("Referrer-Policy", "no-referrer");
        if (page.endsWith(".html"))
        {
            res.headers().set("Content-Security-Policy", CSP);
        }
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, notModified ? 0 : asset.body().length);
        write(c, req, res);
    }

    /**
     * @param path request path.
     * @return the file it names below {@link StaticAssets#ROOT}, or null if it is not a page or asset path.
     */
    static String page(final String path)
    {
        return switch (path)
        {
            case "/", "/index.html", "/oauth2/authorize", "/developers/applications" -> "index.html";
            case "/dashboard", "/dashboard/" -> "dashboard.html";
            default -> path.startsWith("/assets/") && path.indexOf('/', "/assets/".length()) < 0
                ? path.substring(1) : null;
        };
    }

    private void metrics(final Shard shard, final ChannelHandlerContext c, final FullHttpRequest req,
        final Map<String, List<String>> params, final boolean head)
    {
        String credential = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        final List<String> token = params.get("token");
        if ((credential == null || credential.isBlank()) && token != null && !token.isEmpty())
        {
            credential = token.get(0);
        }
        final long userId = auth.authenticate(credential);
        if (userId < 0)
        {
            json(c, req, HttpResponseStatus.UNAUTHORIZED, 0,
                "401: Unauthorized (send the admin's token: Authorization: Bot TOKEN, or ?token=TOKEN)");
            return;
        }
        if (!metrics.admin().isAdmin(userId, ctx.node().accounts()))
        {
            json(c, req, HttpResponseStatus.FORBIDDEN, 50013,
                "Missing Permissions: /metrics is for admins (" + AdminPolicy.ADMIN_USERS_PROP_NAME
                    + ", or else the first registered account)");
            return;
        }
        final byte[] body = MetricsExposition.render(ctx, metrics, shard.group()).getBytes(StandardCharsets.UTF_8);
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, PrometheusText.CONTENT_TYPE);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        write(c, req, res);
    }

    private static void json(final ChannelHandlerContext c, final FullHttpRequest req,
        final HttpResponseStatus status, final int code, final String message)
    {
        final String escaped = message.replace("\\", "\\\\").replace("\"", "\\\"");
        final byte[] body = ("{\"code\":" + code + ",\"message\":\"" + escaped + "\"}")
            .getBytes(StandardCharsets.UTF_8);
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            HttpMethod.HEAD.equals(req.method()) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (status == HttpResponseStatus.UNAUTHORIZED)
        {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bot realm=\"pinwheel\"");
        }
        write(c, req, res);
    }

    private static void write(final ChannelHandlerContext c, final FullHttpRequest req, final FullHttpResponse res)
    {
        if (HttpUtil.isKeepAlive(req))
        {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            c.writeAndFlush(res);
        }
        else
        {
            c.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
