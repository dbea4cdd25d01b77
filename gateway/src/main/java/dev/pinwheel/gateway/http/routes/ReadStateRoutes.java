package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.ReadStateProxy;

/**
 * Discord's read-state routes of the user API: {@code POST /channels/{c}/messages/{m}/ack} (200
 * {@code {"token":null}}) and {@code POST /read-states/ack-bulk {"read_states":[{channel_id, message_id}]}} (204).
 * User accounts only (a bot gets 403/20001); the channel must be one the user may read: a guild channel of a guild
 * they are in, or a DM they are part of (else 404/10003). The user's owner journals the acks
 * ({@link ReadStateProxy}). Runs on the shard holding the request.
 */
public final class ReadStateRoutes
{
    /** The most entries one bulk ack takes. */
    static final int MAX_BULK = 100;

    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final ReadStateProxy readStates;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public ReadStateRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.readStates = new ReadStateProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/channels/{channel}/messages/{message}/ack", this::ack)
            .add("POST", "/read-states/ack-bulk", this::ackBulk);
    }

    private boolean userAccount(final RestExchange ex)
    {
        final Account a = ctx.node().accounts().get(ex.userId());
        if (a == null || a.bot())
        {
            error(ex, DiscordError.BOT_FORBIDDEN);
            return false;
        }
        return true;
    }

    /** @return whether the user may read the channel (a guild of theirs, or a DM of theirs). */
    private boolean readable(final long userId, final long channelId)
    {
        if (channelId <= 0)
        {
            return false;
        }
        final long guildId = ctx.node().directory().guildOfChannel(channelId);
        if (guildId != 0)
        {
            return ctx.node().accounts().guildsOf(userId).contains(guildId);
        }
        final long[] dm = ctx.node().directory().dmUsers(channelId);
        return dm != null && (dm[0] == userId || dm[1] == userId);
    }

    private void ack(final RestExchange ex, final Request r)
    {
        if (!userAccount(ex))
        {
            return;
        }
        final long channelId = r.id(0);
        if (!readable(ex.userId(), channelId))
        {
            error(ex, DiscordError.UNKNOWN_CHANNEL);
            return;
        }
        final long messageId = r.id(1);
        if (messageId <= 0)
        {
            error(ex, DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        readStates.ack(exchanges.register(ex), ex.userId(), channelId, messageId);
    }

    private void ackBulk(final RestExchange ex, final Request r)
    {
        if (!userAccount(ex))
        {
            return;
        }
        final JsonNode list = r.body() == null ? null : r.body().get("read_states");
        if (list == null || !list.isArray())
        {
            ex.invalidField(shard, "read_states", "BASE_TYPE_REQUIRED", "This field is required");
            return;
        }
        if (list.size() < 1 || list.size() > MAX_BULK)
        {
            ex.invalidField(shard, "read_states", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            return;
        }
        final long[] channels = new long[list.size()];
        final long[] messages = new long[list.size()];
        int n = 0;
        for (int i = 0; i < list.size(); i++)
        {
            final JsonNode e = list.get(i);
            final long c = snowflake(e.get("channel_id"));
            final long m = snowflake(e.get("message_id"));
            if (c <= 0 || m <= 0)
            {
                ex.invalidPath(shard, java.util.List.of("read_states", Integer.toString(i),
                    c <= 0 ? "channel_id" : "message_id"), "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
            if (readable(ex.userId(), c))
            {
                channels[n] = c;
                messages[n++] = m; // channels the user cannot read are skipped, as Discord skips them
            }
        }
        readStates.ackBulk(exchanges.register(ex), ex.userId(), java.util.Arrays.copyOf(channels, n),
            java.util.Arrays.copyOf(messages, n));
    }

    private static long snowflake(final JsonNode n)
    {
        if (n == null || n.isNull())
        {
            return -1;
        }
        return n.isTextual() ? Json.parseId(n.asText()) : n.isIntegralNumber() && n.canConvertToLong() ? n.asLong()
            : -1;
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
