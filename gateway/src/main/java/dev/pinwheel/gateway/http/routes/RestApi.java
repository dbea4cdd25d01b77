package dev.pinwheel.gateway.http.routes;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.gateway.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.owner.CommandOps;
import dev.pinwheel.gateway.http.routes.CommandValidator;
import dev.pinwheel.gateway.owner.DmOps;
import dev.pinwheel.gateway.owner.GuildOps;
import dev.pinwheel.gateway.owner.ReactionOps;
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
    private final Shard shard;
    private final RateLimiter limiter;
    private final AuthRoutes auth;

    /**
     * @param ctx   node context.
     * @param shard the shard whose connections this serves.
     */
    public RestApi(final GatewayContext ctx, final Shard shard)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.limiter = ctx.rateLimiter();
        this.auth = new AuthRoutes(ctx, shard);
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
            case "channels" -> channels(ex, r, now);
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
        final SessionStartLimits.View limit = ctx.sessionStarts().view(ex.userId(), System.currentTimeMillis());
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
                shard.send(owner, ex.task(o -> MessageExtras.refuseEmptyEdit(o, channelId, messageId, ex,
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
            notFound(ex); // the route table holds /channels/{channel}
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
