package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.ModerationProxy;
import dev.pinwheel.gateway.owner.ModerationService;

/**
 * Removing people and reading what moderators did — {@code DELETE /guilds/{guild}/members/{user}} (kick),
 * {@code DELETE /users/@me/guilds/{guild}} (leave), {@code GET /guilds/{guild}/bans}, {@code GET|PUT|DELETE
 * /guilds/{guild}/bans/{user}}, {@code POST /guilds/{guild}/bulk-ban}, {@code GET /guilds/{guild}/audit-logs} —
 * checked here, then handed to the guild's owner as typed commands ({@link ModerationProxy}) with the request's
 * {@code X-Audit-Log-Reason}. Runs on the shard that holds the request.
 */
public final class ModerationRoutes
{
    private static final int MAX_BAN_LIMIT = 1000;
    private static final int MAX_BULK = 200;
    private static final int MAX_AUDIT_LIMIT = 100;
    private static final int DEFAULT_AUDIT_LIMIT = 50;
    private static final int MAX_ACTION_TYPE = 255;
    private static final int SECONDS_PER_DAY = 86_400;

    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final ModerationProxy moderation;

    /**
     * @param directory the node's directory (guilds).
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public ModerationRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges)
    {
        this.directory = directory;
        this.shard = shard;
        this.exchanges = exchanges;
        this.moderation = new ModerationProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("DELETE", "/guilds/{guild}/members/{user}", this::kick)
            .add("DELETE", "/users/@me/guilds/{guild}", this::leave)
            .add("GET", "/guilds/{guild}/bans", this::list)
            .add("GET", "/guilds/{guild}/bans/{user}", this::get)
            .add("PUT", "/guilds/{guild}/bans/{user}", this::ban)
            .add("DELETE", "/guilds/{guild}/bans/{user}", this::unban)
            .add("POST", "/guilds/{guild}/bulk-ban", this::bulkBan)
            .add("GET", "/guilds/{guild}/audit-logs", this::auditLog);
    }

    private void kick(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long userId = guildId < 0 ? -1 : user(ex, r);
        if (userId >= 0)
        {
            moderation.remove(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, userId, false);
        }
    }

    private void leave(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId >= 0)
        {
            moderation.remove(exchanges.register(ex), ex.userId(), null, guildId, ex.userId(), true);
        }
    }

    /** {@code GET /guilds/{guild}/bans?limit=&before=&after=}: limit 1-1,000 (default 1,000). */
    private void list(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId < 0)
        {
            return;
        }
        final int limit = r.intQuery("limit", MAX_BAN_LIMIT);
        final long before = r.q("before") == null ? 0 : Json.parseId(r.q("before"));
        final long after = r.q("after") == null ? 0 : Json.parseId(r.q("after"));
        if (limit < 1 || limit > MAX_BAN_LIMIT)
        {
            ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 1000.");
            return;
        }
        if (before < 0 || after < 0)
        {
            ex.invalidField(shard, before < 0 ? "before" : "after", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
            return;
        }
        moderation.list(exchanges.register(ex), ex.userId(), guildId, limit, before, after);
    }

    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long userId = guildId < 0 ? -1 : user(ex, r);
        if (userId >= 0)
        {
            moderation.get(exchanges.register(ex), ex.userId(), guildId, userId);
        }
    }

    /**
     * {@code PUT /guilds/{guild}/bans/{user} {delete_message_seconds}} (0-604,800; the older
     * {@code delete_message_days} 0-7 too). The reason: {@code X-Audit-Log-Reason} (or the older body {@code reason}).
     */
    private void ban(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long userId = guildId < 0 ? -1 : user(ex, r);
        if (userId < 0)
        {
            return;
        }
        final JsonNode body = r.body() == null || !r.body().isObject() ? Json.object() : r.body();
        final int seconds = deleteSeconds(ex, body);
        if (seconds >= 0)
        {
            final String reason = ex.auditReason() != null ? ex.auditReason() : RouteChecks.text(body, "reason");
            moderation.ban(exchanges.register(ex), ex.userId(), reason, guildId, new long[] {userId}, seconds,
                false);
        }
    }

    private void unban(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long userId = guildId < 0 ? -1 : user(ex, r);
        if (userId >= 0)
        {
            moderation.unban(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, userId);
        }
    }

    /** {@code POST /guilds/{guild}/bulk-ban {user_ids (1-200), delete_message_seconds}}. */
    private void bulkBan(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId < 0)
        {
            return;
        }
        final JsonNode body = r.body() == null || !r.body().isObject() ? Json.object() : r.body();
        final JsonNode ids = body.get("user_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_BULK)
        {
            ex.invalidField(shard, "user_ids", ids == null ? "BASE_TYPE_REQUIRED" : "BASE_TYPE_BAD_LENGTH",
                ids == null ? "This field is required" : "Must be between 1 and 200 in length.");
            return;
        }
        final long[] userIds = new long[ids.size()];
        for (int i = 0; i < userIds.length; i++)
        {
            userIds[i] = RouteChecks.snowflake(ids.get(i));
            if (userIds[i] <= 0)
            {
                ex.invalidField(shard, "user_ids", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
        }
        final int seconds = deleteSeconds(ex, body);
        if (seconds >= 0)
        {
            moderation.ban(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, userIds, seconds, true);
        }
    }

    /** {@code GET /guilds/{guild}/audit-logs?user_id=&action_type=&before=&after=&limit=} (limit 1-100, 50). */
    private void auditLog(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId < 0)
        {
            return;
        }
        final long user = r.q("user_id") == null ? 0 : Json.parseId(r.q("user_id"));
        final int type = r.intQuery("action_type", 0);
        final long before = r.q("before") == null ? 0 : Json.parseId(r.q("before"));
        final long after = r.q("after") == null ? 0 : Json.parseId(r.q("after"));
        final int limit = r.intQuery("limit", DEFAULT_AUDIT_LIMIT);
        if (user < 0 || before < 0 || after < 0)
        {
            ex.invalidField(shard, user < 0 ? "user_id" : before < 0 ? "before" : "after", "NUMBER_TYPE_COERCE",
                "Value is not snowflake.");
            return;
        }
        if (type < 0 || type > MAX_ACTION_TYPE)
        {
            ex.invalidField(shard, "action_type", "NUMBER_TYPE_COERCE", "Value is not a valid audit log type.");
            return;
        }
        if (limit < 1 || limit > MAX_AUDIT_LIMIT)
        {
            ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 100.");
            return;
        }
        moderation.auditLog(exchanges.register(ex), ex.userId(), guildId, user, type, before, after, limit);
    }

    /** @return {@code delete_message_seconds} (or days × 86,400), 0 if absent, or -1 after answering 50035. */
    private int deleteSeconds(final RestExchange ex, final JsonNode body)
    {
        final JsonNode s = body.get("delete_message_seconds");
        final JsonNode d = body.get("delete_message_days");
        final int seconds = s != null && !s.isNull() ? (s.canConvertToInt() ? s.asInt(-1) : -1)
            : d != null && !d.isNull() ? (d.canConvertToInt() && d.asInt() >= 0 && d.asInt() <= 7
                ? d.asInt() * SECONDS_PER_DAY : -1) : 0;
        if (seconds < 0 || seconds > ModerationService.MAX_DELETE_SECONDS || (s != null && !s.isNull()
            && !s.isIntegralNumber() && !s.isTextual()))
        {
            ex.invalidField(shard, s != null ? "delete_message_seconds" : "delete_message_days", "NUMBER_TYPE_MAX",
                "Must be between 0 and 604800.");
            return -1;
        }
        return seconds;
    }

    /** @return the path's user ({@code @me}: the caller), or -1 after answering 10013. */
    private long user(final RestExchange ex, final Request r)
    {
        final String user = r.param(1);
        final long userId = "@me".equals(user) ? ex.userId() : Json.parseId(user);
        if (userId < 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_USER);
        }
        return userId;
    }
}
