package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.session.SessionStartLimits;

/**
 * {@code GET /gateway} (no token: the WebSocket URL) and {@code GET /gateway/bot} (the URL, one shard, and the
 * caller's session start limits: total, remaining, reset after, max concurrency). The URL is the configured public
 * host, else the request's Host, else the bound address. Runs on the shard that holds the request.
 */
public final class GatewayRoutes
{
    private final RouteContext ctx;
    private final Shard shard;
    /** The last {@code GET /gateway} answer and its URL (this shard's thread only; the bytes are never changed). */
    private String lastUrl;
    private byte[] lastBody;

    /**
     * @param ctx   the node.
     * @param shard this shard.
     */
    public GatewayRoutes(final RouteContext ctx, final Shard shard)
    {
        this.ctx = ctx;
        this.shard = shard;
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/gateway", this::gateway, false)
            .add("GET", "/gateway/bot", this::bot);
    }

    private void gateway(final RestExchange ex, final Request r)
    {
        final String url = url(ex);
        if (!url.equals(lastUrl))
        {
            // clients ask with the same Host again and again: encode the answer once per URL, not per request
            lastBody = Json.bytes(Json.object().put("url", url));
            lastUrl = url;
        }
        ex.reply(shard, 200, lastBody);
    }

    private void bot(final RestExchange ex, final Request r)
    {
        final ObjectNode o = Json.object();
        o.put("url", url(ex));
        o.put("shards", 1);
        final SessionStartLimits.View limit = ctx.sessionStarts().view(ex.userId(), System.currentTimeMillis());
        o.putObject("session_start_limit").put("total", limit.total()).put("remaining", limit.remaining())
            .put("reset_after", limit.resetAfterMillis()).put("max_concurrency", limit.maxConcurrency());
        ex.reply(shard, 200, o);
    }

    private String url(final RestExchange ex)
    {
        final String published = ctx.config().publicGatewayUrl();
        if (published != null)
        {
            return published;
        }
        final String configured = ctx.config().publicHost();
        String host = configured != null ? configured + ":" + ctx.port() : ex.host();
        if (host == null || host.isEmpty())
        {
            host = ctx.config().host() + ":" + ctx.port();
        }
        return "ws://" + host;
    }
}
