package dev.pinwheel.gateway.http.routes;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.PinProxy;

/**
 * Pins, on both of Discord's route shapes: the classic {@code GET|PUT|DELETE /channels/{c}/pins[/{m}]} (a list is a
 * plain array) and the current {@code /channels/{c}/messages/pins[/{m}]} (a list is {@code {items, has_more}}; these
 * sit beside {@code /messages/{message}}, a literal before a parameter). Checks, then {@link PinProxy} to the guild's
 * owner; a DM channel goes to the DM routes. Runs on the shard that holds the request.
 */
public final class PinRoutes
{
    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final PinProxy pins;
    private final RouteTable.Handler directMessages;

    /**
     * @param ctx            the node.
     * @param shard          this shard.
     * @param exchanges      this shard's requests waiting for an answer.
     * @param directMessages answers the same routes for a channel that is no guild's.
     */
    public PinRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges,
        final RouteTable.Handler directMessages)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.pins = new PinProxy(shard);
        this.directMessages = directMessages;
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        for (final String base : new String[] {"/channels/{channel}/pins", "/channels/{channel}/messages/pins"})
        {
            final boolean itemsShape = base.endsWith("messages/pins");
            table.add("GET", base, (ex, r) -> list(ex, r, itemsShape))
                .add("PUT", base + "/{message}", (ex, r) -> pin(ex, r, true))
                .add("DELETE", base + "/{message}", (ex, r) -> pin(ex, r, false));
        }
    }

    private void list(final RestExchange ex, final Request r, final boolean itemsShape)
    {
        final long guildId = guildOf(ex, r);
        if (guildId != 0)
        {
            pins.list(exchanges.register(ex), ex.userId(), guildId, r.id(0), itemsShape);
        }
    }

    private void pin(final RestExchange ex, final Request r, final boolean pin)
    {
        final long guildId = guildOf(ex, r);
        if (guildId == 0)
        {
            return;
        }
        final long messageId = r.id(1);
        if (messageId < 0)
        {
            ex.reply(shard, DiscordError.UNKNOWN_MESSAGE.status(), DiscordError.UNKNOWN_MESSAGE.body());
            return;
        }
        pins.pin(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId, pin);
    }

    /** @return the channel's guild, or 0 after handing a channel that is no guild's to the DM routes. */
    private long guildOf(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : ctx.node().directory().guildOfChannel(channelId);
        if (guildId == 0)
        {
            directMessages.handle(ex, r);
        }
        return guildId;
    }
}
