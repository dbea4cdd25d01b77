package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;

/**
 * {@code GET /applications/@me} and {@code GET /oauth2/applications/@me}: the caller's application. Every account is
 * its own application (a bot's application id is its user id), owned by itself; read from the node's accounts and
 * answered here. Runs on the shard that holds the request.
 */
public final class ApplicationRoutes
{
    private final RouteContext ctx;
    private final Shard shard;

    /**
     * @param ctx   the node.
     * @param shard this shard.
     */
    public ApplicationRoutes(final RouteContext ctx, final Shard shard)
    {
        this.ctx = ctx;
        this.shard = shard;
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/applications/@me", this::me)
            .add("GET", "/oauth2/applications/@me", this::me);
    }

    private void me(final RestExchange ex, final Request r)
    {
        final Account a = ctx.node().accounts().get(ex.userId());
        final ObjectNode o = Json.object();
        o.put("id", Json.id(a.id()));
        o.put("name", a.username());
        o.putNull("icon");
        o.put("description", "");
        o.put("bot_public", false);
        o.put("bot_require_code_grant", false);
        o.put("verify_key", "");
        o.put("flags", 0);
        o.set("owner", Entities.user(a, a.id()));
        o.set("bot", Entities.user(a, a.id()));
        o.putNull("team");
        ex.reply(shard, 200, o);
    }
}
