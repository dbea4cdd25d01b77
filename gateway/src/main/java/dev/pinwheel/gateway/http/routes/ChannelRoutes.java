package dev.pinwheel.gateway.http.routes;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.ChannelProxy;
import dev.pinwheel.gateway.owner.OwnerCommands;

/**
 * The channels of a guild — {@code GET|POST /guilds/{guild}/channels}, {@code GET|PATCH|DELETE /channels/{channel}},
 * {@code POST /channels/{channel}/typing} — parsed and checked against Discord's limits, then handed to the guild's
 * owner as typed commands ({@link ChannelProxy}). A direct-message channel (no guild) goes to the DM routes. Runs on
 * the shard that holds the request.
 */
public final class ChannelRoutes
{
    private static final int MAX_OVERWRITES = 100;
    /** Marks {@code permission_overwrites} that did not validate (after the answer). */
    private static final long[] BAD_OVERWRITES = {};
    private static final int MAX_NAME = 100;
    private static final int MAX_TOPIC = 1024;
    private static final int MIN_BITRATE = 8000;
    private static final int MAX_BITRATE = 384_000;
    private static final int MAX_USER_LIMIT = 99;

    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final ChannelProxy channels;
    private final RouteTable.Handler directMessages;

    /**
     * @param directory      the node's directory (guilds, channels, invites).
     * @param shard          this shard.
     * @param exchanges      this shard's requests waiting for an answer.
     * @param directMessages handles the same routes for a direct-message channel.
     */
    public ChannelRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges,
        final RouteTable.Handler directMessages)
    {
        this.directory = directory;
        this.shard = shard;
        this.exchanges = exchanges;
        this.channels = new ChannelProxy(shard);
        this.directMessages = directMessages;
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/guilds/{guild}/channels", this::list)
            .add("POST", "/guilds/{guild}/channels", this::create)
            .add("PATCH", "/guilds/{guild}/channels", this::positions)
            .add("GET", "/channels/{channel}", this::get)
            .add("PATCH", "/channels/{channel}", this::edit)
            .add("DELETE", "/channels/{channel}", this::delete)
            .add("POST", "/channels/{channel}/typing", this::typing)
            .add("PUT", "/channels/{channel}/permissions/{overwrite}", this::putOverwrite)
            .add("DELETE", "/channels/{channel}/permissions/{overwrite}", this::deleteOverwrite);
    }

    /** {@code PUT /channels/{channel}/permissions/{overwrite} {type, allow, deny}}: type 0 (role) or 1 (member). */
    private void putOverwrite(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId == 0)
        {
            return;
        }
        final long target = r.id(1);
        final JsonNode b = r.body() == null ? Json.object() : r.body();
        final long[] fields = overwrite(ex, b, target);
        if (fields != null)
        {
            channels.overwrite(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, r.id(0), target,
                (int)fields[1], fields[2], fields[3], false);
        }
    }

    private void deleteOverwrite(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId == 0)
        {
            return;
        }
        final long target = r.id(1);
        if (target < 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_OVERWRITE);
            return;
        }
        channels.overwrite(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, r.id(0), target, 0, 0, 0,
            true);
    }

    /**
     * @return an overwrite's fields (id, type, allow, deny), or null after answering 50035.
     */
    private long[] overwrite(final RestExchange ex, final JsonNode o, final long target)
    {
        final JsonNode type = o.get("type");
        final int t = type == null ? -1 : type.isIntegralNumber() ? type.asInt() : "role".equals(type.asText()) ? 0
            : "member".equals(type.asText()) ? 1 : type.isTextual()
            && ("0".equals(type.asText()) || "1".equals(type.asText()))
            ? Integer.parseInt(type.asText()) : -1;
        final long allow = bits(o.get("allow"));
        final long deny = bits(o.get("deny"));
        if (target <= 0 || t < 0 || t > 1 || allow < 0 || deny < 0)
        {
            ex.invalidField(shard, target <= 0 ? "id" : t < 0 || t > 1 ? "type" : allow < 0 ? "allow" : "deny",
                "BASE_TYPE_CHOICES", "Invalid permission overwrite.");
            return null;
        }
        return new long[] {target, t, allow, deny};
    }

    /** @return permission bits given as a string or a number (absent or null: 0), or -1 if they are none. */
    private static long bits(final JsonNode n)
    {
        if (n == null || n.isNull())
        {
            return 0;
        }
        try
        {
            final long v = n.isIntegralNumber() ? n.asLong() : n.isTextual() ? Long.parseLong(n.asText()) : -1;
            return v < 0 || v > dev.pinwheel.core.guild.Permissions.ALL ? -1 : v;
        }
        catch (final NumberFormatException e)
        {
            return -1;
        }
    }

    /**
     * @return {@code permission_overwrites} as fields (id, type, allow, deny for each), null if absent (or JSON
     *         null), or {@link #BAD_OVERWRITES} after answering 50035.
     */
    private long[] overwrites(final RestExchange ex, final JsonNode b)
    {
        final JsonNode list = b.get("permission_overwrites");
        if (list == null || list.isNull())
        {
            return null;
        }
        if (!list.isArray() || list.size() > MAX_OVERWRITES)
        {
            ex.invalidField(shard, "permission_overwrites", "BASE_TYPE_BAD_LENGTH", "Must be 100 or fewer in length.");
            return BAD_OVERWRITES;
        }
        final long[] fields = new long[list.size() * 4];
        for (int i = 0; i < list.size(); i++)
        {
            final JsonNode o = list.get(i);
            final long[] one = overwrite(ex, o, RouteChecks.snowflake(o.get("id")));
            if (one == null)
            {
                return BAD_OVERWRITES;
            }
            System.arraycopy(one, 0, fields, 4 * i, 4);
        }
        return fields;
    }

    /** @return the channel's guild, or 0 after handing a DM channel (or an unknown one) to the DM routes. */
    private long guildOf(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : directory.guildOfChannel(channelId);
        if (guildId == 0)
        {
            directMessages.handle(ex, r);
        }
        return guildId;
    }

    private void list(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId >= 0)
        {
            channels.list(exchanges.register(ex), ex.userId(), guildId);
        }
    }

    /**
     * {@code PATCH /guilds/{guild}/channels [{id, position?, parent_id?, lock_permissions?}…]}: moves channels (and
     * their categories); 204.
     */
    private void positions(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final JsonNode b = guildId < 0 ? null : RouteChecks.positionsBody(shard, ex, r);
        if (b == null)
        {
            return;
        }
        final long[] moves = new long[4 * b.size()];
        for (int i = 0; i < b.size(); i++)
        {
            final JsonNode e = b.get(i);
            final long id = RouteChecks.snowflake(e.get("id"));
            final JsonNode pos = e.get("position");
            if (pos != null && !pos.isNull() && (!pos.canConvertToInt() || pos.asInt() < 0))
            {
                ex.invalidField(shard, i + ".position", "NUMBER_TYPE_COERCE", "Value is not int.");
                return;
            }
            final JsonNode parent = e.get("parent_id");
            final long parentId = parent == null ? OwnerCommands.KEEP : parent.isNull() ? 0
                : RouteChecks.snowflake(parent);
            if (parent != null && !parent.isNull() && parentId <= 0)
            {
                ex.invalidField(shard, i + ".parent_id", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
            moves[4 * i] = id;
            moves[4 * i + 1] = pos == null || pos.isNull() ? OwnerCommands.KEEP : pos.asInt();
            moves[4 * i + 2] = parentId;
            moves[4 * i + 3] = e.path("lock_permissions").asBoolean(false) ? 1 : 0;
        }
        channels.positions(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, moves);
    }

    /**
     * {@code POST /guilds/{guild}/channels {name, type, topic, bitrate, user_limit, parent_id}}: a text channel's
     * name becomes lower case with dashes for spaces, as on Discord.
     */
    private void create(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId < 0)
        {
            return;
        }
        final JsonNode body = r.body();
        final String name = RouteChecks.text(body, "name");
        if (name == null || name.isBlank() || name.length() > MAX_NAME)
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            return;
        }
        final int type = body.path("type").asInt(0);
        if (type != GuildChannel.TEXT && type != GuildChannel.VOICE && type != GuildChannel.CATEGORY)
        {
            ex.invalidField(shard, "type", "BASE_TYPE_CHOICES", "Value must be one of {0, 2, 4}.");
            return;
        }
        final String topic = RouteChecks.text(body, "topic");
        if (topic != null && topic.length() > MAX_TOPIC)
        {
            ex.invalidField(shard, "topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.");
            return;
        }
        final int bitrate = body.path("bitrate").asInt(0);
        if (bitrate != 0 && (bitrate < MIN_BITRATE || bitrate > MAX_BITRATE))
        {
            ex.invalidField(shard, "bitrate", "NUMBER_TYPE_MIN", "Must be between 8000 and 384000.");
            return;
        }
        final int userLimit = body.path("user_limit").asInt(0);
        // a snowflake as a string or a number (Kord sends numbers); before, a number was ignored: no parent, and 201
        final JsonNode parent = body.get("parent_id");
        final long parentId = parent == null || parent.isNull() ? 0 : RouteChecks.snowflake(parent);
        if (parentId < 0 || userLimit < 0 || userLimit > MAX_USER_LIMIT)
        {
            ex.invalidField(shard, parentId < 0 ? "parent_id" : "user_limit", "NUMBER_TYPE_COERCE", "Invalid value.");
            return;
        }
        final long[] overwrites = overwrites(ex, body);
        if (overwrites == BAD_OVERWRITES)
        {
            return;
        }
        final String channelName = type == GuildChannel.TEXT
            ? name.trim().toLowerCase(Locale.ROOT).replace(' ', '-') : name.trim();
        channels.create(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, channelName, type, topic,
            bitrate, userLimit, parentId, overwrites);
    }

    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId != 0)
        {
            channels.get(exchanges.register(ex), ex.userId(), guildId, r.id(0));
        }
    }

    /**
     * {@code PATCH /channels/{channel} {name, topic, position, bitrate, user_limit, parent_id}}: each field optional
     * ({@code topic: null} clears the topic, {@code parent_id: null} takes the channel out of its category).
     */
    private void edit(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId == 0)
        {
            return;
        }
        final JsonNode b = r.body();
        if (b == null || !b.isObject())
        {
            RouteChecks.error(shard, ex, DiscordError.INVALID_FORM_BODY);
            return;
        }
        final JsonNode name = b.get("name");
        final JsonNode topic = b.get("topic");
        final JsonNode pos = b.get("position");
        final JsonNode bitrate = b.get("bitrate");
        final JsonNode limit = b.get("user_limit");
        final JsonNode parent = b.get("parent_id");
        if (RouteChecks.badOptionalName(name))
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            return;
        }
        if (given(topic) && (!topic.isTextual() || topic.asText().length() > MAX_TOPIC))
        {
            ex.invalidField(shard, "topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.");
            return;
        }
        final String outOfRange = !inRange(pos, 0, Integer.MAX_VALUE) ? "position"
            : !inRange(bitrate, MIN_BITRATE, MAX_BITRATE) ? "bitrate"
            : !inRange(limit, 0, MAX_USER_LIMIT) ? "user_limit" : null;
        if (outOfRange != null)
        {
            ex.invalidField(shard, outOfRange, "NUMBER_TYPE_MAX", "Value out of range.");
            return;
        }
        long parentId = OwnerCommands.KEEP;
        if (parent != null)
        {
            parentId = parent.isNull() ? 0 : Json.parseId(parent.asText());
            if (parentId < 0)
            {
                ex.invalidField(shard, "parent_id", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
        }
        final long[] overwrites = overwrites(ex, b);
        if (overwrites == BAD_OVERWRITES)
        {
            return;
        }
        channels.edit(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, r.id(0),
            given(name) ? name.asText().strip() : null,
            topic == null ? null : topic.isNull() ? "" : topic.asText(),
            given(pos) ? pos.asInt() : OwnerCommands.KEEP, given(bitrate) ? bitrate.asInt() : OwnerCommands.KEEP,
            given(limit) ? limit.asInt() : OwnerCommands.KEEP, parentId, overwrites);
    }

    private void delete(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId != 0)
        {
            channels.delete(exchanges.register(ex), ex.userId(), guildId, r.id(0), ex.auditReason());
        }
    }

    private void typing(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId != 0)
        {
            channels.typing(exchanges.register(ex), ex.userId(), guildId, r.id(0));
        }
    }

    private static boolean given(final JsonNode n)
    {
        return n != null && !n.isNull();
    }

    /** @return whether an optional number is absent, null, or an int in [min, max]. */
    private static boolean inRange(final JsonNode n, final int min, final int max)
    {
        return !given(n) || (n.canConvertToInt() && n.asInt() >= min && n.asInt() <= max);
    }
}
