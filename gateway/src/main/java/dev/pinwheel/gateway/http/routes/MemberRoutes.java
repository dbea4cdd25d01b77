package dev.pinwheel.gateway.http.routes;

import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.MemberProxy;
import dev.pinwheel.gateway.owner.OwnerCommands;

/**
 * The members of a guild — {@code GET /guilds/{guild}/members[/{user}|/search]}, {@code PATCH
 * /guilds/{guild}/members/{user}} (and the older {@code /members/@me/nick}), {@code PUT|DELETE
 * /guilds/{guild}/members/{user}/roles/{role}} — parsed and checked here, then handed to the guild's owner as typed
 * commands ({@link MemberProxy}). {@code @me} names the caller. Runs on the shard that holds the request.
 */
public final class MemberRoutes
{
    private static final int MAX_LIMIT = 1000;
    private static final int MAX_QUERY = 100;
    private static final int MAX_NICK = 32;
    /** Discord's longest timeout: 28 days. */
    private static final long MAX_TIMEOUT_MILLIS = 28L * 24 * 3600 * 1000;

    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final MemberProxy members;

    /**
     * @param directory the node's directory (guilds, channels, invites).
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public MemberRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges)
    {
        this.directory = directory;
        this.shard = shard;
        this.exchanges = exchanges;
        this.members = new MemberProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/guilds/{guild}/members", this::list)
            .add("GET", "/guilds/{guild}/members/search", this::search)
            .add("GET", "/guilds/{guild}/members/{user}", this::get)
            .add("PATCH", "/guilds/{guild}/members/{user}", this::edit)
            // the deprecated "modify current user nick" route (discord.py 2.2 still uses it): a PATCH of @me
            .add("PATCH", "/guilds/{guild}/members/@me/nick", this::edit)
            .add("PUT", "/guilds/{guild}/members/{user}/roles/{role}", this::addRole)
            .add("DELETE", "/guilds/{guild}/members/{user}/roles/{role}", this::removeRole);
    }

    /** {@code GET /guilds/{guild}/members?limit=&after=}: limit 1-1,000 (default 1). */
    private void list(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId < 0)
        {
            return;
        }
        final int limit = r.intQuery("limit", 1);
        final long after = r.q("after") == null ? 0 : Json.parseId(r.q("after"));
        if (limit < 1 || limit > MAX_LIMIT)
        {
            ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 1000.");
            return;
        }
        if (after < 0)
        {
            ex.invalidField(shard, "after", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
            return;
        }
        members.list(exchanges.register(ex), ex.userId(), guildId, limit, after);
    }

    /** {@code GET /guilds/{guild}/members/search?query=&limit=}: query 1-100 characters, limit 1-1,000 (1). */
    private void search(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId < 0)
        {
            return;
        }
        final String query = r.q("query");
        if (query == null || query.isEmpty() || query.length() > MAX_QUERY)
        {
            ex.invalidField(shard, "query", query == null ? "BASE_TYPE_REQUIRED" : "BASE_TYPE_BAD_LENGTH",
                query == null ? "This field is required" : "Must be between 1 and 100 in length.");
            return;
        }
        final int limit = r.intQuery("limit", 1);
        if (limit < 1 || limit > MAX_LIMIT)
        {
            ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 1000.");
            return;
        }
        members.search(exchanges.register(ex), ex.userId(), guildId, query, limit);
    }

    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long userId = guildId < 0 ? -1 : user(ex, r);
        if (userId >= 0)
        {
            members.get(exchanges.register(ex), ex.userId(), guildId, userId);
        }
    }

    /**
     * Nickname, roles, server mute/deafen and voice move/disconnect: {@code {nick, roles, mute, deaf, channel_id}},
     * each optional ({@code nick: null} clears the nickname, {@code channel_id: null} disconnects, {@code roles} is
     * the whole set).
     */
    private void edit(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long userId = guildId < 0 ? -1 : user(ex, r);
        if (userId < 0)
        {
            return;
        }
        final JsonNode b = r.body();
        if (b == null || !b.isObject())
        {
            RouteChecks.error(shard, ex, DiscordError.INVALID_FORM_BODY);
            return;
        }
        final JsonNode m = b.get("mute");
        final JsonNode d = b.get("deaf");
        if ((m != null && !m.isBoolean()) || (d != null && !d.isBoolean()))
        {
            ex.invalidField(shard, m != null && !m.isBoolean() ? "mute" : "deaf", "BASE_TYPE_BOOLEAN",
                "Must be either true or false.");
            return;
        }
        final JsonNode c = b.get("channel_id");
        final long channel = c == null ? OwnerCommands.KEEP : c.isNull() ? 0 : c.isTextual() ? Json.parseId(c.asText())
            : c.isIntegralNumber() && c.asLong() > 0 ? c.asLong() : -2;
        if (channel < OwnerCommands.KEEP || (c != null && !c.isNull() && channel <= 0))
        {
            ex.invalidField(shard, "channel_id", "NUMBER_TYPE_COERCE", "Value \"" + c + "\" is not snowflake.");
            return;
        }
        final JsonNode nk = b.get("nick");
        if (nk != null && !nk.isNull() && (!nk.isTextual() || nk.asText().length() > MAX_NICK))
        {
            ex.invalidField(shard, "nick", "BASE_TYPE_MAX_LENGTH", "Must be 32 or fewer in length.");
            return;
        }
        final JsonNode rs = b.get("roles");
        long[] roles = null;
        if (rs != null && !rs.isNull())
        {
            roles = new long[rs.isArray() ? rs.size() : 0];
            for (int i = 0; i < roles.length; i++)
            {
                roles[i] = RouteChecks.snowflake(rs.get(i));
            }
            if (!rs.isArray() || Arrays.stream(roles).anyMatch(id -> id <= 0))
            {
                ex.invalidField(shard, "roles", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
        }
        final JsonNode to = b.get("communication_disabled_until");
        final long timeout = to == null ? OwnerCommands.KEEP : to.isNull() ? 0 : timestamp(to);
        if (timeout < OwnerCommands.KEEP || timeout > System.currentTimeMillis() + MAX_TIMEOUT_MILLIS)
        {
            ex.invalidField(shard, "communication_disabled_until", "BASE_TYPE_BAD_TIME",
                "Must be an ISO8601 timestamp at most 28 days in the future.");
            return;
        }
        members.edit(exchanges.register(ex), ex.userId(), guildId, userId, flag(m), flag(d), channel,
            nk == null ? null : nk.isNull() ? "" : nk.asText().strip(), roles, timeout, ex.auditReason());
    }

    private void addRole(final RestExchange ex, final Request r)
    {
        role(ex, r, true);
    }

    private void removeRole(final RestExchange ex, final Request r)
    {
        role(ex, r, false);
    }

    private void role(final RestExchange ex, final Request r, final boolean give)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long userId = guildId < 0 ? -1 : user(ex, r);
        if (userId < 0)
        {
            return;
        }
        final long roleId = r.id(2);
        if (roleId < 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_ROLE);
            return;
        }
        members.role(exchanges.register(ex), ex.userId(), guildId, userId, roleId, give, ex.auditReason());
    }

    /**
     * @return the path's user ({@code @me}: the caller; the nick route: the caller), or -1 after answering 10013.
     */
    private long user(final RestExchange ex, final Request r)
    {
        final String user = r.params().length < 2 ? "@me" : r.param(1);
        final long userId = "@me".equals(user) ? ex.userId() : Json.parseId(user);
        if (userId < 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_USER);
        }
        return userId;
    }

    /**
     * @return an ISO 8601 timestamp as epoch millis (a past one lifts the timeout: 0), or -2 if it is none.
     */
    private static long timestamp(final JsonNode t)
    {
        if (!t.isTextual())
        {
            return -2;
        }
        try
        {
            final long millis = java.time.OffsetDateTime.parse(t.asText()).toInstant().toEpochMilli();
            return millis <= System.currentTimeMillis() ? 0 : millis;
        }
        catch (final java.time.format.DateTimeParseException e)
        {
            return -2;
        }
    }

    /** @return a JSON boolean as 1 or 0, absent as {@link OwnerCommands#KEEP}. */
    private static int flag(final JsonNode b)
    {
        return b == null ? OwnerCommands.KEEP : b.asBoolean() ? 1 : 0;
    }
}
