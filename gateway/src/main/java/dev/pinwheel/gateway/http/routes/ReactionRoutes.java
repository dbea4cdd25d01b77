package dev.pinwheel.gateway.http.routes;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.ReactionProxy;

/**
 * {@code /channels/{channel}/messages/{message}/reactions[/{emoji}[/@me|/{user}]]}: add one's own reaction (PUT
 * {@code @me}), remove one's own or someone's (DELETE), list who reacted (GET {@code {emoji}}), clear one emoji or all
 * (DELETE). The emoji is a Unicode emoji (URL-encoded in the path); Pinwheel has no custom emojis, so {@code name:id}
 * is 10014. Checks, then {@link ReactionProxy} to the guild's owner; a DM channel goes to the DM routes. Runs on the
 * shard that holds the request.
 */
public final class ReactionRoutes
{
    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final ReactionProxy reactions;
    private final RouteTable.Handler directMessages;

    /**
     * @param ctx            the node.
     * @param shard          this shard.
     * @param exchanges      this shard's requests waiting for an answer.
     * @param directMessages answers the same routes for a channel that is no guild's.
     */
    public ReactionRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges,
        final RouteTable.Handler directMessages)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.reactions = new ReactionProxy(shard);
        this.directMessages = directMessages;
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        final String base = "/channels/{channel}/messages/{message}/reactions";
        table.add("DELETE", base, this::clearAll)
            .add("GET", base + "/{emoji}", this::users)
            .add("DELETE", base + "/{emoji}", this::clearEmoji)
            .add("PUT", base + "/{emoji}/@me", this::add)
            .add("DELETE", base + "/{emoji}/@me", (ex, r) -> remove(ex, r, ex.userId()))
            .add("DELETE", base + "/{emoji}/{user}", (ex, r) -> remove(ex, r, r.id(3)));
    }

    private void clearAll(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? -1 : messageId(ex, r);
        if (messageId >= 0)
        {
            reactions.clear(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId, null);
        }
    }

    private void clearEmoji(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? -1 : messageId(ex, r);
        final String emoji = messageId < 0 ? null : emoji(ex, r);
        if (emoji != null)
        {
            reactions.clear(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId, emoji);
        }
    }

    private void users(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? -1 : messageId(ex, r);
        final String emoji = messageId < 0 ? null : emoji(ex, r);
        if (emoji == null)
        {
            return;
        }
        final int limit = r.intQuery("limit", 25);
        final long after = r.q("after") == null ? 0 : Json.parseId(r.q("after"));
        if (limit < 1 || limit > 100 || after < 0)
        {
            ex.invalidField(shard, limit < 1 || limit > 100 ? "limit" : "after", "NUMBER_TYPE_MAX",
                "Must be between 1 and 100.");
            return;
        }
        reactions.users(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId, emoji, after, limit);
    }

    private void add(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? -1 : messageId(ex, r);
        final String emoji = messageId < 0 ? null : emoji(ex, r);
        if (emoji != null)
        {
            reactions.add(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId, emoji);
        }
    }

    private void remove(final RestExchange ex, final Request r, final long reactor)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? -1 : messageId(ex, r);
        final String emoji = messageId < 0 ? null : emoji(ex, r);
        if (emoji == null)
        {
            return;
        }
        if (reactor < 0)
        {
            error(ex, DiscordError.UNKNOWN_USER);
            return;
        }
        reactions.remove(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId, emoji, reactor);
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

    private long messageId(final RestExchange ex, final Request r)
    {
        final long messageId = r.id(1);
        if (messageId < 0)
        {
            error(ex, DiscordError.UNKNOWN_MESSAGE);
        }
        return messageId;
    }

    /** @return the path's emoji as its name, or null after answering 10014 (custom, or not an emoji). */
    private String emoji(final RestExchange ex, final Request r)
    {
        final String s = r.param(2).strip();
        if (s.isEmpty() || s.length() > 32 || s.indexOf(':') >= 0 || s.chars().allMatch(c -> c < 0x80)
            || s.chars().anyMatch(Character::isWhitespace))
        {
            error(ex, DiscordError.UNKNOWN_EMOJI);
            return null;
        }
        return s;
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
