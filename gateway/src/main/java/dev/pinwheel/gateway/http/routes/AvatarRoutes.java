package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.AvatarService;

/**
 * {@code PATCH /users/@me {avatar}}: a data URI sets the caller's avatar (stored in the file store, then journaled on
 * the user's owner), {@code null} clears it. The avatar is served at {@code /avatars/{user}/{hash}.png}.
 */
public final class AvatarRoutes
{
    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final ImageUploads images;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public AvatarRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.images = new ImageUploads(ctx.gateway(), shard, exchanges);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("PATCH", "/users/@me", this::patch);
    }

    private void patch(final RestExchange ex, final Request r)
    {
        final JsonNode body = r.body();
        if (body != null && body.has("username"))
        {
            ex.invalidField(shard, "username", "USERNAME_CHANGE_UNSUPPORTED", "Usernames cannot be changed here.");
            return;
        }
        if (body == null || !body.has("avatar"))
        {
            ex.reply(shard, 200, Entities.selfUser(ctx.node().accounts().get(ex.userId())));
            return;
        }
        final JsonNode avatar = body.get("avatar");
        final long userId = ex.userId();
        final int origin = shard.address();
        if (avatar.isNull())
        {
            final long correlation = exchanges.register(ex);
            if (!AvatarService.send(shard.group(), origin, correlation, userId, ""))
            {
                exchanges.fail(shard, correlation, DiscordError.STORAGE_UNAVAILABLE);
            }
            return;
        }
        final byte[] image = images.decode(ex, "avatar", avatar);
        if (image == null)
        {
            return;
        }
        final long correlation = exchanges.register(ex);
        final dev.pinwheel.core.shard.ShardGroup group = shard.group();
        images.store(ex, correlation, "avatars", userId, image,
            hash -> AvatarService.send(group, origin, correlation, userId, hash));
    }
}
