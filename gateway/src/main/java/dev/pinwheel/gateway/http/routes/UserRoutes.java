package dev.pinwheel.gateway.http.routes;

import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;

/**
 * {@code GET /users/@me}, {@code GET /users/@me/guilds} and {@code GET /users/{user}}: read from the node's account
 * and guild directories (concurrent, readable from any shard), answered here with no owner to ask.
 * ({@code POST /users/@me/channels} is the DM routes'.) Runs on the shard that holds the request.
 */
public final class UserRoutes
{
    private final RouteContext ctx;
    private final Shard shard;

    /**
     * @param ctx   the node.
     * @param shard this shard.
     */
    public UserRoutes(final RouteContext ctx, final Shard shard)
    {
        this.ctx = ctx;
        this.shard = shard;
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/users/@me", this::me)
            .add("GET", "/users/@me/guilds", this::guilds)
            .add("GET", "/users/{user}", this::user);
    }

    private void me(final RestExchange ex, final Request r)
    {
        ex.reply(shard, 200, Entities.selfUser(ctx.node().accounts().get(ex.userId())));
    }

    /** The caller's guilds as partial guilds, by id. */
    private void guilds(final RestExchange ex, final Request r)
    {
        final ArrayNode arr = Json.array();
        final Set<Long> ids = ctx.node().accounts().guildsOf(ex.userId());
        ids.stream().sorted().forEach(id ->
        {
            final Directory.GuildSummary g = ctx.node().directory().guild(id);
            if (g != null)
            {
                arr.add(Entities.partialGuild(g, ctx.node().directory().guildIcon(id), ex.userId()));
            }
        });
        ex.reply(shard, 200, arr);
    }

    private void user(final RestExchange ex, final Request r)
    {
        final long id = r.id(0);
        final Account a = id < 0 ? null : ctx.node().accounts().get(id);
        if (a == null)
        {
            ex.reply(shard, DiscordError.UNKNOWN_USER.status(), DiscordError.UNKNOWN_USER.body());
            return;
        }
        ex.reply(shard, 200, Entities.user(a, id));
    }
}
