package dev.pinwheel.gateway.http.routes;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.gateway.owner.CommandOps;
import dev.pinwheel.gateway.http.routes.CommandValidator;
import dev.pinwheel.gateway.owner.DmOps;
import dev.pinwheel.gateway.owner.GuildOps;
import dev.pinwheel.gateway.owner.MemberOps;
import dev.pinwheel.gateway.owner.ReactionOps;
import dev.pinwheel.gateway.owner.RoleOps;
import dev.pinwheel.gateway.session.SessionStartLimits;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteMethods;
import dev.pinwheel.gateway.codec.MessageExtras;

/**
 * REST v10 routes. Runs on the shard that received the request: parses and validates input, checks the
 * token and rate limits, then sends the work to the owner shard of the guild it touches (or to the
 * control plane for password work). Every error is Discord's JSON error body with the right status.
 */
public final class RestApi
{
    private final GatewayContext ctx;
    private final RouteContext routes;
    private final Shard shard;
    private final RateLimiter limiter;
    private final AuthRoutes auth;

    /**
     * @param routes what the routes of this shard use.
     * @param shard  the shard whose connections this serves.
     */
    public RestApi(final RouteContext routes, final Shard shard)
    {
        this.ctx = routes.gateway();
        this.routes = routes;
        this.shard = shard;
        this.limiter = routes.rateLimiter();
        this.auth = new AuthRoutes(routes, shard);
    }

    /** A parsed request. */
    public record Request(String method, String[] path, Map<String, java.util.List<String>> query, JsonNode body,
        boolean bodyInvalid)
    {
        String q(final String name)
        {
            final java.util.List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        boolean is(final String m, final int len)
        {
            return method.equals(m) && path.length == len;
        }
    }

    /**
     * The node-wide per-user request limit (answers 429 when exceeded).
     *
     * @param ex the request.
     * @return whether it may go on.
     */
    boolean globalLimit(final RestExchange ex)
    {
        final long now = System.currentTimeMillis();
        final RateLimiter.Decision global = limiter.acquire(ex.userId(), "global", ctx.config().restRequestsPerSecond(),
            1000, now);
        if (!global.allowed())
        {
            rateLimited(ex, global, now, true);
            return false;
        }
        return true;
    }

    /**
     * The message routes of a direct-message channel (the typed routes hand them here until DMs have their own).
     *
     * @param ex the request.
     * @param r  the request as the typed routes parsed it.
     */
    void directMessage(final RestExchange ex, final dev.pinwheel.gateway.http.Request r)
    {
        final long channelId = r.id(0);
        dm(ex, new Request(r.method(), r.path(), r.query(), r.body(), false), channelId, System.currentTimeMillis());
    }

    /**
     * The legacy route switch, for what the route table does not hold yet.
     *
     * @param ex the request.
     * @param r  the request.
     */
    public void handle(final RestExchange ex, final Request r)
    {
        final String[] p = r.path;
        if (p.length == 0)
        {
            notFound(ex);
            return;
        }
        if (RouteMethods.wrongMethod(p, r.method))
        {
            // a known route with the wrong method: 405 before the token is looked at, as on Discord
            ex.headers(Map.of("Allow", RouteMethods.allow(p)));
            ex.error(shard, 405, 0, "405: Method Not Allowed");
            return;
        }
        if (r.bodyInvalid)
        {
            ex.error(shard, 400, 50109, "The request body contains invalid JSON.");
            return;
        }
        // Routes that need no token.
        if ("gateway".equals(p[0]) && p.length == 1)
        {
            if (!allow(ex, r, "GET"))
            {
                return;
            }
            ex.reply(shard, 200, Json.object().put("url", gatewayUrl(ex)));
            return;
        }
        if ("auth".equals(p[0]) && p.length == 2 && ("register".equals(p[1]) || "login".equals(p[1])))
        {
            if (allow(ex, r, "POST"))
            {
                if ("register".equals(p[1]))
                {
                    auth.register(ex, r.body);
                }
                else
                {
                    auth.login(ex, r.body);
                }
            }
            return;
        }
        if (ex.userId() < 0)
        {
            ex.error(shard, 401, 0, "401: Unauthorized");
            return;
        }
        if (!globalLimit(ex))
        {
            return;
        }
        final long now = System.currentTimeMillis();
        switch (p[0])
        {
            case "gateway" -> gatewayBot(ex, r);
            case "users" -> users(ex, r);
            case "applications", "oauth2" -> application(ex, r);
            case "guilds" -> guilds(ex, r);
            case "channels" -> channels(ex, r, now);
            case "invites" -> invites(ex, r);
            default -> notFound(ex);
        }
    }

    private void rateLimited(final RestExchange ex, final RateLimiter.Decision d, final long now, final boolean global)
    {
        rateLimited(shard, ex, d, now, global);
    }

    /**
     * Answers 429 with Discord's body ({@code retry_after} in seconds, {@code global}) and the limit's headers.
     *
     * @param shard  this shard.
     * @param ex     the request.
     * @param d      the refusing decision.
     * @param now    epoch millis.
     * @param global whether the global limit refused.
     */
    static void rateLimited(final Shard shard, final RestExchange ex, final RateLimiter.Decision d, final long now,
        final boolean global)
    {
        shard.counters().increment(ShardCounters.RATE_LIMITED);
        ex.headers(d.headers(now));
        final ObjectNode body = Json.object();
        body.put("message", "You are being rate limited.");
        body.put("retry_after", Math.max(0.001, (d.resetAtMillis() - now) / 1000.0));
        body.put("global", global);
        body.put("code", 0);
        ex.reply(shard, 429, body);
    }

    private boolean allow(final RestExchange ex, final Request r, final String method)
    {
        if (!r.method.equals(method))
        {
            ex.error(shard, 405, 0, "405: Method Not Allowed");
            return false;
        }
        return true;
    }

    private void notFound(final RestExchange ex)
    {
        ex.error(shard, 404, 0, "404: Not Found");
    }

    private String gatewayUrl(final RestExchange ex)
    {
        final String configured = ctx.config().publicHost();
        String host = configured != null ? configured + ":" + ctx.port() : ex.host();
        if (host == null || host.isEmpty())
        {
            host = ctx.config().host() + ":" + ctx.port();
        }
        return "ws://" + host;
    }

    private void gatewayBot(final RestExchange ex, final Request r)
    {
        if (r.path.length != 2 || !"bot".equals(r.path[1]))
        {
            notFound(ex);
            return;
        }
        if (!allow(ex, r, "GET"))
        {
            return;
        }
        final ObjectNode o = Json.object();
        o.put("url", gatewayUrl(ex));
        o.put("shards", 1);
        final SessionStartLimits.View limit = routes.sessionStarts().view(ex.userId(), System.currentTimeMillis());
        o.putObject("session_start_limit").put("total", limit.total()).put("remaining", limit.remaining())
            .put("reset_after", limit.resetAfterMillis()).put("max_concurrency", limit.maxConcurrency());
        ex.reply(shard, 200, o);
    }

    private void users(final RestExchange ex, final Request r)
    {
        final String[] p = r.path;
        if (p.length == 2 && "@me".equals(p[1]))
        {
            if (allow(ex, r, "GET"))
            {
                ex.reply(shard, 200, Entities.selfUser(ctx.node().accounts().get(ex.userId())));
            }
        }
        else if (p.length == 3 && "@me".equals(p[1]) && "channels".equals(p[2]))
        {
            if (!allow(ex, r, "POST"))
            {
                return;
            }
            final JsonNode to = r.body == null ? null : r.body.get("recipient_id");
            final long recipient = to == null ? -1 : to.isTextual() ? Json.parseId(to.asText())
                : to.canConvertToLong() ? to.asLong() : -1;
            if (recipient <= 0)
            {
                ex.invalidField(shard, "recipient_id", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
            if (ctx.node().accounts().get(recipient) == null)
            {
                ex.error(shard, 404, 10013, "Unknown User");
                return;
            }
            if (recipient == ex.userId() || (ctx.node().accounts().get(recipient).bot()
                && ctx.node().accounts().get(ex.userId()).bot()))
            {
                ex.error(shard, 400, 50007, "Cannot send messages to this user"); // oneself, or bot to bot
                return;
            }
            if (!DmPolicy.mayOpen(ctx.node().accounts(), ex.userId(), recipient))
            {
                ex.error(shard, 403, 50007, "Cannot send messages to this user");
                return;
            }
            final long me = ex.userId();
            // one writer per pair of users: opening the same DM twice, from anywhere, gives one channel
            shard.send(shard.group().ownerOf(Directory.pairKey(me, recipient).hashCode()),
                ex.task(owner -> DmOps.open(owner, ctx, me, recipient, ex)));
        }
        else if (p.length == 3 && "@me".equals(p[1]) && "guilds".equals(p[2]))
        {
            if (!allow(ex, r, "GET"))
            {
                return;
            }
            final ArrayNode arr = Json.array();
            final Set<Long> ids = ctx.node().accounts().guildsOf(ex.userId());
            ids.stream().sorted().forEach(id ->
            {
                final Directory.GuildSummary g = ctx.node().directory().guild(id);
                if (g != null)
                {
                    arr.add(Entities.partialGuild(g, ex.userId()));
                }
            });
            ex.reply(shard, 200, arr);
        }
        else if (p.length == 2)
        {
            if (!allow(ex, r, "GET"))
            {
                return;
            }
            final long id = Json.parseId(p[1]);
            final Account a = id < 0 ? null : ctx.node().accounts().get(id);
            if (a == null)
            {
                ex.error(shard, 404, 10013, "Unknown User");
            }
            else
            {
                ex.reply(shard, 200, Entities.user(a, id));
            }
        }
        else
        {
            notFound(ex);
        }
    }

    private void application(final RestExchange ex, final Request r)
    {
        final String[] p = r.path;
        final boolean me = ("applications".equals(p[0]) && p.length == 2 && "@me".equals(p[1]))
            || ("oauth2".equals(p[0]) && p.length == 3 && "applications".equals(p[1]) && "@me".equals(p[2]));
        if (!me)
        {
            if ("applications".equals(p[0]) && p.length >= 3)
            {
                commands(ex, r);
            }
            else
            {
                notFound(ex);
            }
            return;
        }
        if (!allow(ex, r, "GET"))
        {
            return;
        }
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

    /** @return whether an optional {@code name} is given but not a 1-100 character string. */
    private static boolean badOptionalName(final JsonNode name)
    {
        return name != null && !name.isNull() && (!name.isTextual() || name.asText().isBlank()
            || name.asText().length() > 100);
    }

    /** A {@code PATCH /channels/{id}} body, checked against Discord's limits; null after an error reply. */
    private GuildOps.ChannelEdit channelEdit(final RestExchange ex, final Request r)
    {
        final JsonNode b = r.body;
        if (b == null || !b.isObject())
        {
            ex.error(shard, 400, 50035, "Invalid Form Body");
            return null;
        }
        final JsonNode name = b.get("name");
        final JsonNode topic = b.get("topic");
        final JsonNode pos = b.get("position");
        final JsonNode bitrate = b.get("bitrate");
        final JsonNode limit = b.get("user_limit");
        final JsonNode parent = b.get("parent_id");
        if (badOptionalName(name))
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            return null;
        }
        if (topic != null && !topic.isNull() && (!topic.isTextual() || topic.asText().length() > 1024))
        {
            ex.invalidField(shard, "topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.");
            return null;
        }
        if ((pos != null && !pos.isNull() && (!pos.canConvertToInt() || pos.asInt() < 0))
            || (bitrate != null && !bitrate.isNull() && (!bitrate.canConvertToInt() || bitrate.asInt() < 8000
                || bitrate.asInt() > 384000))
            || (limit != null && !limit.isNull() && (!limit.canConvertToInt() || limit.asInt() < 0 || limit.asInt() > 99)))
        {
            ex.invalidField(shard, pos != null && !pos.isNull() && (!pos.canConvertToInt() || pos.asInt() < 0)
                ? "position" : bitrate != null && !bitrate.isNull() && (!bitrate.canConvertToInt()
                || bitrate.asInt() < 8000 || bitrate.asInt() > 384000) ? "bitrate" : "user_limit",
                "NUMBER_TYPE_MAX", "Value out of range.");
            return null;
        }
        Long parentId = null;
        if (parent != null)
        {
            parentId = parent.isNull() ? 0L : Json.parseId(parent.asText());
            if (parentId < 0)
            {
                ex.invalidField(shard, "parent_id", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return null;
            }
        }
        return new GuildOps.ChannelEdit(name == null || name.isNull() ? null : name.asText().strip(),
            topic == null ? null : topic.isNull() ? "" : topic.asText(),
            pos == null || pos.isNull() ? null : pos.asInt(), bitrate == null || bitrate.isNull() ? null
            : bitrate.asInt(), limit == null || limit.isNull() ? null : limit.asInt(), parentId);
    }

    /**
     * {@code /channels/{dm}[/messages[/{id}]|/typing]} of a direct-message channel, for its two users only, on the
     * channel's shard ({@link DmOps}).
     */
    private void dm(final RestExchange ex, final Request r, final long channelId, final long now)
    {
        final long[] users = channelId < 0 ? null : ctx.node().directory().dmUsers(channelId);
        if (users == null || (users[0] != ex.userId() && users[1] != ex.userId()))
        {
            ex.error(shard, 404, 10003, "Unknown Channel");
            return;
        }
        final String[] p = r.path;
        final int owner = shard.group().ownerOf(channelId);
        if (p.length == 2 && allow(ex, r, "GET"))
        {
            shard.send(owner, ex.task(o -> DmOps.get(o, ctx, channelId, ex)));
        }
        else if (p.length == 3 && "typing".equals(p[2]) && allow(ex, r, "POST"))
        {
            ex.reply(shard, 204, (JsonNode)null);
        }
        else if (p.length == 3 && "messages".equals(p[2]))
        {
            if ("GET".equals(r.method))
            {
                final int limit = intParam(r.q("limit"), 50);
                final String before = r.q("before");
                final long anchor = before == null ? 0 : Json.parseId(before);
                if (limit < 1 || limit > 100 || anchor < 0)
                {
                    ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 100.");
                    return;
                }
                final HistoryQuery q = before == null ? HistoryQuery.LATEST : HistoryQuery.BEFORE;
                shard.send(owner, ex.task(o -> DmOps.history(o, ctx, channelId, q, anchor, limit, ex)));
            }
            else if (allow(ex, r, "POST"))
            {
                final RateLimiter.Decision d = limiter.acquire(ex.userId(), "messages:" + channelId,
                    ctx.config().messagesPer5Seconds(), 5000, now);
                if (!d.allowed())
                {
                    rateLimited(ex, d, now, false);
                    return;
                }
                final JsonNode c = r.body == null ? null : r.body.get("content");
                final String content = c == null || c.isNull() ? "" : c.asText();
                final MessageExtras.Parsed extras = MessageExtras.parse(r.body == null ? Json.object() : r.body);
                if (!extras.valid() || content.length() > 2000)
                {
                    ex.invalidField(shard, extras.valid() ? "content" : extras.errorField(),
                        extras.valid() ? "BASE_TYPE_MAX_LENGTH" : extras.errorCode(),
                        extras.valid() ? "Must be 2000 or fewer in length." : extras.errorMessage());
                    return;
                }
                if (content.isBlank() && (extras.embeds() == null || extras.embeds().isEmpty()))
                {
                    ex.error(shard, 400, 50006, "Cannot send an empty message");
                    return;
                }
                ex.headers(d.headers(now));
                final String extra = MessageExtras.extra(extras.embeds(), 0, channelId, 0);
                final JsonNode n = r.body.get("nonce");
                final String nonce = n == null || n.isNull() ? null : n.asText();
                final boolean tts = r.body.path("tts").asBoolean(false);
                shard.send(owner, ex.task(o -> DmOps.post(o, ctx, channelId, content, tts, extra, nonce, ex)));
            }
        }
        else if (p.length == 4 && "messages".equals(p[2]))
        {
            if ("bulk-delete".equals(p[3]))
            {
                ex.error(shard, 403, 50003, "Cannot execute action on a DM channel");
                return;
            }
            final long messageId = Json.parseId(p[3]);
            if (messageId < 0)
            {
                ex.error(shard, 404, 10008, "Unknown Message");
                return;
            }
            final String method = r.method;
            if (!"GET".equals(method) && !"PATCH".equals(method) && !allow(ex, r, "DELETE"))
            {
                return;
            }
            final JsonNode c = "PATCH".equals(method) && r.body != null ? r.body.get("content") : null;
            final String content = c == null || c.isNull() ? null : c.asText();
            if (content != null && content.isBlank())
            {
                // an edit that would leave the message empty (no text, no embeds) is refused, as on Discord
                shard.send(owner, ex.task(o -> DmPolicy.refuseEmptyEdit(o, channelId, messageId, ex,
                    () -> DmOps.message(o, ctx, channelId, messageId, method, content, ex))));
                return;
            }
            shard.send(owner, ex.task(o -> DmOps.message(o, ctx, channelId, messageId, method, content, ex)));
        }
        else if (p.length > 3 || (p.length == 3 && !"typing".equals(p[2])))
        {
            notFound(ex);
        }
    }

    /**
     * {@code /applications/{app}[/guilds/{guild}]/commands[/{id}]}: the application's command registry
     * ({@link CommandOps}), on the shard that owns the application id. Only the application itself (its bot
     * token) may read or change it; guild commands need the bot to be in the guild.
     */
    private void commands(final RestExchange ex, final Request r)
    {
        final String[] p = r.path;
        final long app = Json.parseId(p[1]);
        final boolean guildScope = p.length >= 5 && "guilds".equals(p[2]) && "commands".equals(p[4]);
        final int at = guildScope ? 4 : 2;
        if (app < 0 || !"commands".equals(p[at]) || p.length > at + 2)
        {
            notFound(ex);
            return;
        }
        if (app != ex.userId())
        {
            ex.error(shard, 403, 50001, "Missing Access");
            return;
        }
        final long guildId = guildScope ? Json.parseId(p[3]) : 0;
        if (guildScope && (guildId < 0 || !ctx.node().accounts().guildsOf(app).contains(guildId)))
        {
            ex.error(shard, 403, 50001, "Missing Access");
            return;
        }
        final int owner = shard.group().ownerOf(app);
        if (p.length == at + 1)
        {
            switch (r.method)
            {
                case "GET" -> shard.send(owner, ex.task(o -> CommandOps.list(o, ctx, app, guildId, ex)));
                case "PUT" ->
                {
                    if (r.body == null || !r.body.isArray() || r.body.size() > CommandOps.MAX_COMMANDS)
                    {
                        ex.error(shard, 400, 50035, "Invalid Form Body");
                        return;
                    }
                    final com.fasterxml.jackson.databind.node.ArrayNode list = Json.array();
                    for (int i = 0; i < r.body.size(); i++)
                    {
                        final JsonNode c = r.body.get(i);
                        final Object checked = CommandOps.sanitize(c);
                        if (checked instanceof String reason)
                        {
                            ex.invalidField(shard, "command", "BASE_TYPE_BAD_VALUE", reason);
                            return;
                        }
                        final CommandValidator.Problem problem = CommandValidator.check(c);
                        if (problem != null)
                        {
                            final java.util.List<String> path = new java.util.ArrayList<>(problem.path());
                            path.add(0, Integer.toString(i));
                            ex.invalidPath(shard, path, problem.code(), problem.message());
                            return;
                        }
                        list.add((JsonNode)checked);
                    }
                    shard.send(owner, ex.task(o -> CommandOps.overwrite(o, ctx, app, guildId, list, ex)));
                }
                case "POST" ->
                {
                    final Object checked = CommandOps.sanitize(r.body);
                    if (checked instanceof String reason)
                    {
                        ex.invalidField(shard, "command", "BASE_TYPE_BAD_VALUE", reason);
                        return;
                    }
                    final CommandValidator.Problem problem = CommandValidator.check(r.body);
                    if (problem != null)
                    {
                        ex.invalidPath(shard, problem.path(), problem.code(), problem.message());
                        return;
                    }
                    shard.send(owner, ex.task(o -> CommandOps.upsert(o, ctx, app, guildId, (ObjectNode)checked, ex)));
                }
                default -> ex.error(shard, 405, 0, "405: Method Not Allowed");
            }
            return;
        }
        final long commandId = Json.parseId(p[at + 1]);
        if (commandId < 0)
        {
            ex.error(shard, 404, 10063, "Unknown application command");
            return;
        }
        switch (r.method)
        {
            case "GET" -> shard.send(owner, ex.task(o -> CommandOps.get(o, ctx, app, guildId, commandId, ex)));
            case "DELETE" -> shard.send(owner, ex.task(o -> CommandOps.delete(o, ctx, app, guildId, commandId, ex)));
            case "PATCH" ->
            {
                if (r.body == null || !r.body.isObject())
                {
                    ex.error(shard, 400, 50035, "Invalid Form Body");
                    return;
                }
                shard.send(owner, ex.task(o -> CommandOps.edit(o, ctx, app, guildId, commandId, r.body, ex)));
            }
            default -> ex.error(shard, 405, 0, "405: Method Not Allowed");
        }
    }

    /**
     * Sends the work to the guild's owner shard as a task that answers {@code ex} if it fails
     * ({@link RestExchange#task}).
     */
    private void toOwner(final long guildId, final RestExchange ex, final ShardTask task)
    {
        shard.send(shard.group().ownerOf(guildId), ex.task(task));
    }

    private void guilds(final RestExchange ex, final Request r)
    {
        final String[] p = r.path;
        if (p.length == 1)
        {
            if (!allow(ex, r, "POST"))
            {
                return;
            }
            final String name = text(r.body, "name");
            if (name == null || name.trim().length() < 2 || name.length() > 100)
            {
                ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.");
                return;
            }
            final long guildId = shard.ids().next();
            final long userId = ex.userId();
            toOwner(guildId, ex, owner -> GuildOps.createGuild(owner, ctx, guildId, name.trim(), userId, ex));
            return;
        }
        final long guildId = Json.parseId(p[1]);
        if (guildId < 0 || ctx.node().directory().guild(guildId) == null)
        {
            ex.error(shard, 404, 10004, "Unknown Guild");
            return;
        }
        if (p.length == 2)
        {
            if (allow(ex, r, "GET"))
            {
                final boolean counts = "true".equalsIgnoreCase(r.q("with_counts"));
                toOwner(guildId, ex, owner -> GuildOps.getGuild(owner, guildId, ex, counts));
            }
        }
        else if (p.length == 3 && "channels".equals(p[2]))
        {
            if ("GET".equals(r.method))
            {
                toOwner(guildId, ex, owner -> GuildOps.listChannels(owner, guildId, ex));
            }
            else if (allow(ex, r, "POST"))
            {
                createChannel(ex, r, guildId);
            }
        }
        else if (p.length == 3 && "members".equals(p[2]))
        {
            if (!allow(ex, r, "GET"))
            {
                return;
            }
            final int limit = intParam(r.q("limit"), 1);
            final long after = r.q("after") == null ? 0 : Json.parseId(r.q("after"));
            if (limit < 1 || limit > 1000)
            {
                ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 1000.");
                return;
            }
            if (after < 0)
            {
                ex.invalidField(shard, "after", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
            toOwner(guildId, ex, owner -> GuildOps.listMembers(owner, ctx, guildId, limit, after, ex));
        }
        else if (p.length == 3 && "roles".equals(p[2]))
        {
            if ("POST".equals(r.method))
            {
                final RoleOps.Fields f = roleFields(ex, r);
                if (f != null)
                {
                    toOwner(guildId, ex, owner -> RoleOps.create(owner, ctx, guildId, f, ex));
                }
            }
            else if (allow(ex, r, "GET"))
            {
                toOwner(guildId, ex, owner -> GuildOps.listRoles(owner, guildId, ex));
            }
        }
        else if (p.length == 4 && "roles".equals(p[2]))
        {
            final long roleId = Json.parseId(p[3]);
            if (roleId < 0)
            {
                ex.error(shard, 404, 10011, "Unknown Role");
            }
            else if ("PATCH".equals(r.method))
            {
                final RoleOps.Fields f = roleFields(ex, r);
                if (f != null)
                {
                    toOwner(guildId, ex, owner -> RoleOps.modify(owner, ctx, guildId, roleId, f, ex));
                }
            }
            else if (allow(ex, r, "DELETE"))
            {
                toOwner(guildId, ex, owner -> RoleOps.delete(owner, ctx, guildId, roleId, ex));
            }
        }
        else if (p.length == 6 && "members".equals(p[2]) && "roles".equals(p[4]))
        {
            final long userId = "@me".equals(p[3]) ? ex.userId() : Json.parseId(p[3]);
            final long roleId = Json.parseId(p[5]);
            if (userId < 0 || roleId < 0)
            {
                ex.error(shard, 404, userId < 0 ? 10013 : 10011, userId < 0 ? "Unknown User" : "Unknown Role");
            }
            else if ("PUT".equals(r.method) || allow(ex, r, "DELETE"))
            {
                final boolean give = "PUT".equals(r.method);
                toOwner(guildId, ex, owner -> RoleOps.grant(owner, ctx, guildId, userId, roleId, give, ex));
            }
        }
        else if (p.length == 4 && "members".equals(p[2]) && "search".equals(p[3]))
        {
            searchMembers(ex, r, guildId);
        }
        else if (p.length == 5 && "members".equals(p[2]) && "@me".equals(p[3]) && "nick".equals(p[4]))
        {
            // the deprecated "modify current user nick" route (discord.py 2.2 still uses it): same as {nick}
            if (allow(ex, r, "PATCH"))
            {
                modifyMember(ex, r, guildId, ex.userId());
            }
        }
        else if (p.length == 4 && "members".equals(p[2]))
        {
            if (!"PATCH".equals(r.method) && !allow(ex, r, "GET"))
            {
                return;
            }
            final long userId = "@me".equals(p[3]) ? ex.userId() : Json.parseId(p[3]);
            if (userId < 0)
            {
                ex.error(shard, 404, 10013, "Unknown User");
                return;
            }
            if ("PATCH".equals(r.method))
            {
                modifyMember(ex, r, guildId, userId);
                return;
            }
            toOwner(guildId, ex, owner -> GuildOps.getMember(owner, ctx, guildId, userId, ex));
        }
        else
        {
            notFound(ex);
        }
    }

    /** A role create/edit body: {@code name} (1-100), {@code permissions} (a decimal string), {@code color}. */
    private RoleOps.Fields roleFields(final RestExchange ex, final Request r)
    {
        final JsonNode b = r.body == null || r.body.isNull() ? Json.object() : r.body;
        if (!b.isObject())
        {
            ex.error(shard, 400, 50035, "Invalid Form Body");
            return null;
        }
        final JsonNode name = b.get("name");
        final JsonNode perms = b.get("permissions");
        final JsonNode color = b.get("color");
        if (badOptionalName(name))
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            return null;
        }
        Long permissions = null;
        if (perms != null && !perms.isNull())
        {
            try
            {
                permissions = perms.isIntegralNumber() ? perms.asLong() : Long.parseLong(perms.asText());
            }
            catch (final NumberFormatException e)
            {
                permissions = -1L;
            }
            if (permissions < 0)
            {
                ex.invalidField(shard, "permissions", "NUMBER_TYPE_COERCE", "Value is not a valid permission set.");
                return null;
            }
            permissions &= Permissions.ALL;
        }
        if (color != null && !color.isNull() && (!color.canConvertToInt() || color.asInt() < 0
            || color.asInt() > 0xFFFFFF))
        {
            ex.invalidField(shard, "color", "NUMBER_TYPE_MAX", "Must be between 0 and 16777215.");
            return null;
        }
        return new RoleOps.Fields(name == null || name.isNull() ? null : name.asText().strip(), permissions,
            color == null || color.isNull() ? null : color.asInt());
    }

    /** {@code GET /guilds/{id}/members/search?query=&limit=}: members whose username or nickname starts with query. */
    private void searchMembers(final RestExchange ex, final Request r, final long guildId)
    {
        if (!allow(ex, r, "GET"))
        {
            return;
        }
        final String query = r.q("query");
        if (query == null || query.isEmpty() || query.length() > 100)
        {
            ex.invalidField(shard, "query", query == null ? "BASE_TYPE_REQUIRED" : "BASE_TYPE_BAD_LENGTH",
                query == null ? "This field is required" : "Must be between 1 and 100 in length.");
            return;
        }
        final int limit = intParam(r.q("limit"), 1);
        if (limit < 1 || limit > 1000)
        {
            ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 1000.");
            return;
        }
        toOwner(guildId, ex, owner -> GuildOps.searchMembers(owner, ctx, guildId, query, limit, ex));
    }

    /**
     * Server mute/deafen, move/disconnect and nickname: {@code {mute, deaf, channel_id, nick}} ({@code channel_id:
     * null} disconnects, {@code nick: null} clears), {@code roles} (the whole set).
     */
    private void modifyMember(final RestExchange ex, final Request r, final long guildId, final long userId)
    {
        final JsonNode b = r.body;
        if (b == null || !b.isObject())
        {
            ex.error(shard, 400, 50035, "Invalid Form Body");
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
        final Boolean mute = m == null ? null : m.asBoolean();
        final Boolean deaf = d == null ? null : d.asBoolean();
        final JsonNode c = b.get("channel_id");
        final long channel = c == null ? -1 : c.isNull() ? 0 : c.isTextual() ? Json.parseId(c.asText())
            : c.isIntegralNumber() && c.asLong() > 0 ? c.asLong() : -2;
        if (channel < -1 || (c != null && !c.isNull() && channel <= 0))
        {
            ex.invalidField(shard, "channel_id", "NUMBER_TYPE_COERCE", "Value \"" + c + "\" is not snowflake.");
            return;
        }
        final Long moveTo = c == null ? null : channel;
        final JsonNode nk = b.get("nick");
        if (nk != null && !nk.isNull() && (!nk.isTextual() || nk.asText().length() > 32))
        {
            ex.invalidField(shard, "nick", "BASE_TYPE_MAX_LENGTH", "Must be 32 or fewer in length.");
            return;
        }
        // absent: unchanged; null or "": cleared
        final String nick = nk == null ? null : nk.isNull() ? "" : nk.asText().strip();
        final JsonNode rs = b.get("roles");
        long[] roles = null;
        if (rs != null && !rs.isNull())
        {
            roles = new long[rs.isArray() ? rs.size() : 0];
            for (int i = 0; rs.isArray() && i < roles.length; i++)
            {
                final JsonNode n = rs.get(i);
                roles[i] = n.isTextual() ? Json.parseId(n.asText()) : n.canConvertToLong() ? n.asLong() : -1;
            }
            if (!rs.isArray() || java.util.Arrays.stream(roles).anyMatch(id -> id <= 0))
            {
                ex.invalidField(shard, "roles", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return;
            }
        }
        final long[] theRoles = roles;
        toOwner(guildId, ex, owner -> MemberOps.modifyMember(owner, ctx, routes.voiceOf(owner.id()), guildId,
            userId, mute, deaf, moveTo, nick, theRoles, ex));
    }

    private void createChannel(final RestExchange ex, final Request r, final long guildId)
    {
        final String name = text(r.body, "name");
        if (name == null || name.isBlank() || name.length() > 100)
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            return;
        }
        final int type = r.body.path("type").asInt(0);
        if (type != GuildChannel.TEXT && type != GuildChannel.VOICE && type != GuildChannel.CATEGORY)
        {
            ex.invalidField(shard, "type", "BASE_TYPE_CHOICES", "Value must be one of {0, 2, 4}.");
            return;
        }
        final String topic = text(r.body, "topic");
        if (topic != null && topic.length() > 1024)
        {
            ex.invalidField(shard, "topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.");
            return;
        }
        final int bitrate = r.body.path("bitrate").asInt(0);
        if (bitrate != 0 && (bitrate < 8000 || bitrate > 384_000))
        {
            ex.invalidField(shard, "bitrate", "NUMBER_TYPE_MIN", "Must be between 8000 and 384000.");
            return;
        }
        final int userLimit = r.body.path("user_limit").asInt(0);
        final String parent = text(r.body, "parent_id");
        final long parentId = parent == null ? 0 : Json.parseId(parent);
        if (parentId < 0 || userLimit < 0 || userLimit > 99)
        {
            ex.invalidField(shard, parentId < 0 ? "parent_id" : "user_limit", "NUMBER_TYPE_COERCE", "Invalid value.");
            return;
        }
        final String channelName = type == GuildChannel.TEXT
            ? name.trim().toLowerCase(java.util.Locale.ROOT).replace(' ', '-') : name.trim();
        toOwner(guildId, ex, owner -> GuildOps.createChannel(owner, ctx, guildId, channelName, type, topic, bitrate,
            userLimit, parentId, ex));
    }

    private void channels(final RestExchange ex, final Request r, final long now)
    {
        final String[] p = r.path;
        if (p.length < 2)
        {
            notFound(ex);
            return;
        }
        final long channelId = Json.parseId(p[1]);
        final long guildId = channelId < 0 ? 0 : ctx.node().directory().guildOfChannel(channelId);
        if (guildId == 0)
        {
            dm(ex, r, channelId, now);
            return;
        }
        if (p.length == 2)
        {
            if ("PATCH".equals(r.method))
            {
                final GuildOps.ChannelEdit e = channelEdit(ex, r);
                if (e != null)
                {
                    toOwner(guildId, ex, owner -> GuildOps.modifyChannel(owner, ctx, guildId, channelId, e, ex));
                }
            }
            else if ("DELETE".equals(r.method))
            {
                toOwner(guildId, ex, owner -> GuildOps.deleteChannel(owner, ctx, routes.voiceOf(owner.id()),
                    guildId, channelId, ex));
            }
            else if (allow(ex, r, "GET"))
            {
                toOwner(guildId, ex, owner -> GuildOps.getChannel(owner, guildId, channelId, ex));
            }
            return;
        }
        switch (p[2])
        {
            case "messages" ->
            {
                if (p.length >= 4 && "pins".equals(p[3]))
                {
                    pins(ex, r, guildId, channelId, 4, true);
                }
                else
                {
                    messages(ex, r, guildId, channelId, now);
                }
            }
            case "pins" -> pins(ex, r, guildId, channelId, 3, false);
            case "typing" ->
            {
                if (p.length == 3 && allow(ex, r, "POST"))
                {
                    toOwner(guildId, ex, owner -> GuildOps.typing(owner, ctx, guildId, channelId, ex));
                }
                else if (p.length != 3)
                {
                    notFound(ex);
                }
            }
            case "invites" ->
            {
                if (p.length != 3)
                {
                    notFound(ex);
                    return;
                }
                if (!allow(ex, r, "POST"))
                {
                    return;
                }
                final int maxAge = r.body.path("max_age").asInt(86_400);
                final int maxUses = r.body.path("max_uses").asInt(0);
                if (maxAge < 0 || maxAge > 604_800 || maxUses < 0 || maxUses > 100)
                {
                    ex.invalidField(shard, maxAge < 0 || maxAge > 604_800 ? "max_age" : "max_uses",
                        "NUMBER_TYPE_MAX", "Out of range.");
                    return;
                }
                toOwner(guildId, ex,
                    owner -> GuildOps.createInvite(owner, ctx, guildId, channelId, maxAge, maxUses, ex));
            }
            default -> notFound(ex);
        }
    }

    /**
     * Pins: {@code GET|PUT|DELETE /channels/{id}/pins[/{mid}]} (the classic routes, a plain array) and
     * {@code /channels/{id}/messages/pins[/{mid}]} (the current routes, {@code {items, has_more}}).
     */
    private void pins(final RestExchange ex, final Request r, final long guildId, final long channelId,
        final int base, final boolean itemsShape)
    {
        final String[] p = r.path;
        if (p.length == base)
        {
            if (allow(ex, r, "GET"))
            {
                toOwner(guildId, ex, owner -> GuildOps.listPins(owner, ctx, guildId, channelId, itemsShape, ex));
            }
            return;
        }
        if (p.length != base + 1)
        {
            notFound(ex);
            return;
        }
        final long messageId = Json.parseId(p[base]);
        if (messageId < 0)
        {
            ex.error(shard, 404, 10008, "Unknown Message");
            return;
        }
        switch (r.method)
        {
            case "PUT" -> toOwner(guildId, ex,
                owner -> GuildOps.pin(owner, ctx, guildId, channelId, messageId, true, ex));
            case "DELETE" -> toOwner(guildId, ex,
                owner -> GuildOps.pin(owner, ctx, guildId, channelId, messageId, false, ex));
            default -> ex.error(shard, 405, 0, "405: Method Not Allowed");
        }
    }

    /** What is left of {@code /channels/{c}/messages/…} off the route table: reactions. */
    private void messages(final RestExchange ex, final Request r, final long guildId, final long channelId,
        final long now)
    {
        final String[] p = r.path;
        if (p.length >= 5 && "reactions".equals(p[4]))
        {
            reactions(ex, r, guildId, channelId);
            return;
        }
        notFound(ex);
    }

    /**
     * {@code /channels/{c}/messages/{m}/reactions[/{emoji}[/@me|/{user}]]}: add (PUT …/@me), remove one's own or
     * (MANAGE_MESSAGES) someone's, list who reacted (GET …/{emoji}), clear one emoji or all (DELETE). The emoji is
     * a Unicode emoji (URL-encoded in the path); Pinwheel has no custom emojis, so {@code name:id} is 10014.
     */
    private void reactions(final RestExchange ex, final Request r, final long guildId, final long channelId)
    {
        final String[] p = r.path;
        final long messageId = Json.parseId(p[3]);
        if (messageId < 0)
        {
            ex.error(shard, 404, 10008, "Unknown Message");
            return;
        }
        if (p.length == 5)
        {
            if (allow(ex, r, "DELETE"))
            {
                toOwner(guildId, ex, owner -> ReactionOps.clear(owner, guildId, channelId, messageId, null, ex));
            }
            return;
        }
        final ObjectNode emoji = emoji(p[5]);
        if (p.length > 7 || emoji == null)
        {
            if (p.length > 7)
            {
                notFound(ex);
            }
            else
            {
                ex.error(shard, 400, 10014, "Unknown Emoji");
            }
            return;
        }
        if (p.length == 6)
        {
            if ("DELETE".equals(r.method))
            {
                toOwner(guildId, ex, owner -> ReactionOps.clear(owner, guildId, channelId, messageId, emoji, ex));
            }
            else if (allow(ex, r, "GET"))
            {
                final int limit = intParam(r.q("limit"), 25);
                final long after = r.q("after") == null ? 0 : Json.parseId(r.q("after"));
                if (limit < 1 || limit > 100 || after < 0)
                {
                    ex.invalidField(shard, limit < 1 || limit > 100 ? "limit" : "after", "NUMBER_TYPE_MAX",
                        "Must be between 1 and 100.");
                    return;
                }
                toOwner(guildId, ex, owner -> ReactionOps.users(owner, ctx, guildId, channelId, messageId, emoji, after,
                    limit, ex));
            }
            return;
        }
        final boolean me = "@me".equals(p[6]);
        final long userId = me ? ex.userId() : Json.parseId(p[6]);
        if (userId < 0)
        {
            ex.error(shard, 404, 10013, "Unknown User");
        }
        else if (me && "PUT".equals(r.method))
        {
            toOwner(guildId, ex, owner -> ReactionOps.add(owner, ctx, guildId, channelId, messageId, emoji, ex));
        }
        else if (allow(ex, r, "DELETE"))
        {
            toOwner(guildId, ex, owner -> ReactionOps.remove(owner, guildId, channelId, messageId, emoji, userId, ex));
        }
    }

    /** A path emoji as Discord's emoji object, or null if it is none Pinwheel knows (custom or not an emoji). */
    private static ObjectNode emoji(final String segment)
    {
        final String s = segment.strip();
        if (s.isEmpty() || s.length() > 32 || s.indexOf(':') >= 0 || s.chars().allMatch(c -> c < 0x80)
            || s.chars().anyMatch(Character::isWhitespace))
        {
            return null;
        }
        final ObjectNode o = Json.object();
        o.putNull("id");
        o.put("name", s);
        return o;
    }

    private void invites(final RestExchange ex, final Request r)
    {
        if (r.path.length != 2)
        {
            notFound(ex);
            return;
        }
        final Invite invite = ctx.node().directory().invite(r.path[1]);
        if (invite == null)
        {
            ex.error(shard, 404, 10006, "Unknown Invite");
            return;
        }
        switch (r.method)
        {
            case "GET" -> toOwner(invite.guildId(), ex, owner -> GuildOps.getInvite(owner, ctx, invite, ex));
            case "POST" -> toOwner(invite.guildId(), ex, owner -> GuildOps.join(owner, ctx, invite, ex));
            default -> ex.error(shard, 405, 0, "405: Method Not Allowed");
        }
    }

    private static String text(final JsonNode body, final String field)
    {
        final JsonNode n = body == null ? null : body.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static int intParam(final String v, final int dflt)
    {
        if (v == null)
        {
            return dflt;
        }
        try
        {
            return Integer.parseInt(v.trim());
        }
        catch (final NumberFormatException e)
        {
            return Integer.MIN_VALUE;
        }
    }
}
