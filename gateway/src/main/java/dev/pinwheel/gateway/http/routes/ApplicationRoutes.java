package dev.pinwheel.gateway.http.routes;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Application;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.ApplicationProxy;
import dev.pinwheel.gateway.owner.ApplicationService;
import dev.pinwheel.gateway.owner.NameClaimProxy;
import dev.pinwheel.gateway.owner.NameReleases;

/**
 * Applications and OAuth2 bot authorization:
 * <ul>
 * <li>{@code GET /applications/@me}, {@code GET /oauth2/applications/@me}: the caller's application — the one a
 * person created for this bot (owner, name, description), else (a bot registered on its own through
 * {@code /auth/register}) the account as its own application;</li>
 * <li>{@code POST /applications {name, description}} (a person): a new application owning a bot user and its token;
 * {@code GET /applications}: the caller's; {@code GET /applications/{app}}; {@code POST
 * /applications/{app}/bot/reset}: a new token, the old one stops working;</li>
 * <li>{@code GET /oauth2/authorize?client_id=…&scope=…&permissions=…}: what the authorize page shows (the
 * application, its bot, the caller's guilds); {@code POST /oauth2/authorize {guild_id, permissions, authorize}}
 * with {@code scope=bot}: the bot joins the guild with a role holding those permissions (the guild's owner checks
 * MANAGE_GUILD).</li>
 * </ul>
 * Checked here from the node's directory, then sent to the owner ({@link ApplicationProxy}). Runs on the shard that
 * holds the request.
 */
public final class ApplicationRoutes
{
    private static final int MAX_NAME = 32;
    /** What a bot's username cannot hold (replaced by '_'), and what separates OAuth2 scopes: compiled once. */
    private static final java.util.regex.Pattern NOT_IN_USERNAME =
        java.util.regex.Pattern.compile("[^A-Za-z0-9_.\\-]");
    private static final java.util.regex.Pattern SCOPE_SEPARATOR = java.util.regex.Pattern.compile("[ +]");

    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final ApplicationProxy applications;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public ApplicationRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.applications = new ApplicationProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/applications/@me", this::me)
            .add("GET", "/oauth2/applications/@me", this::me)
            .add("GET", "/applications", this::list)
            .add("POST", "/applications", this::create)
            .add("GET", "/applications/detectable", this::detectable, false)
            .add("GET", "/applications/{app}", this::get)
            .add("POST", "/applications/{app}/bot/reset", this::reset)
            .add("GET", "/oauth2/authorize", this::describe)
            .add("POST", "/oauth2/authorize", this::authorize);
    }

    private void me(final RestExchange ex, final Request r)
    {
        final Application app = ctx.node().directory().application(ex.userId());
        if (app != null)
        {
            ex.reply(shard, 200, ApplicationService.json(app, ctx.node().accounts()));
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
        o.put("summary", ""); // deprecated by Discord, always empty; still required by Discord4J 3.2
        o.put("flags", 0);
        o.set("owner", Entities.user(a, a.id()));
        o.set("bot", Entities.user(a, a.id()));
        o.putNull("team");
        ex.reply(shard, 200, o);
    }

    private void list(final RestExchange ex, final Request r)
    {
        final ArrayNode out = Json.array();
        for (final Application a : ctx.node().directory().applicationsOf(ex.userId()))
        {
            out.add(ApplicationService.json(a, ctx.node().accounts()));
        }
        ex.reply(shard, 200, out);
    }

    /**
     * {@code GET /applications/detectable}: Discord's catalogue of games its clients detect running, which some
     * libraries (Detritus) load at READY. Pinwheel detects none: an empty list (it answered 404 "Unknown Application",
     * taking "detectable" for an application id, and Detritus warned at every READY).
     */
    private void detectable(final RestExchange ex, final Request r)
    {
        ex.reply(shard, 200, EMPTY_LIST);
    }

    private static final byte[] EMPTY_LIST = {'[', ']'};

    private void get(final RestExchange ex, final Request r)
    {
        final Application a = owned(ex, r);
        if (a != null)
        {
            ex.reply(shard, 200, ApplicationService.json(a, ctx.node().accounts()));
        }
    }

    /** {@code POST /applications {name, description}}: by a person; the bot takes the name as its username. */
    private void create(final RestExchange ex, final Request r)
    {
        final Account caller = ctx.node().accounts().get(ex.userId());
        if (caller == null || caller.bot())
        {
            error(ex, DiscordError.BOTS_CANNOT_USE);
            return;
        }
        final JsonNode body = r.body();
        final String name = body == null ? null : body.path("name").asText(null);
        if (name == null || name.isBlank() || name.length() < 2 || name.length() > MAX_NAME)
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 32 in length.");
            return;
        }
        final String description = body.path("description").asText("");
        if (description.length() > 400)
        {
            ex.invalidField(shard, "description", "BASE_TYPE_MAX_LENGTH", "Must be 400 or fewer in length.");
            return;
        }
        final long app = shard.ids().next();
        String username = NOT_IN_USERNAME.matcher(name.trim()).replaceAll("_");
        username = username.length() < 2 ? "bot_" + username : username;
        final String fallback = (username.length() > 26 ? username.substring(0, 26) : username) + "_" + (app % 10_000);
        if (shard.group().clusterLink() != null)
        {
            // a cluster: the owner of the name's key decides (then the fallback's), journals the claim, then creates
            final String token = ctx.auth().newToken(app);
            final long correlation = exchanges.register(ex);
            NameClaimProxy.claimForApplication(shard, correlation, ex.userId(), app, username, fallback,
                name.trim(), description, token, AuthService.tokenHash(token));
            // as a registration (AuthRoutes): the nodes it goes through, and its claimed name given back if it is lost
            final String first = username;
            exchanges.waitsOn(correlation, NameClaimProxy.nodesOf(shard.group(), Usernames.key(first),
                Usernames.key(fallback), app), () -> NameReleases.oweLost(shard, ctx.node(), app, first, fallback));
            return;
        }
        if (!ctx.node().accounts().reserve(username, app))
        {
            username = fallback;
            if (!ctx.node().accounts().reserve(username, app))
            {
                ex.invalidField(shard, "name", "USERNAME_ALREADY_TAKEN", "A bot of that name exists.");
                return;
            }
        }
        final String token = ctx.auth().newToken(app);
        applications.create(exchanges.register(ex), ex.userId(), app, username, name.trim(), description, token,
            AuthService.tokenHash(token));
    }

    private void reset(final RestExchange ex, final Request r)
    {
        final Application a = owned(ex, r);
        if (a != null)
        {
            final String token = ctx.auth().newToken(a.id());
            applications.resetToken(exchanges.register(ex), ex.userId(), a.id(), token, AuthService.tokenHash(token));
        }
    }

    /** @return the application in the path if the caller owns it, else null after answering. */
    private Application owned(final RestExchange ex, final Request r)
    {
        final long id = r.id(0);
        final Application a = id <= 0 ? null : ctx.node().directory().application(id);
        if (a == null)
        {
            error(ex, DiscordError.UNKNOWN_APPLICATION);
            return null;
        }
        if (a.ownerId() != ex.userId())
        {
            error(ex, DiscordError.MISSING_ACCESS);
            return null;
        }
        return a;
    }

    /** {@code GET /oauth2/authorize?client_id=…}: the application, its bot, the caller and their guilds. */
    private void describe(final RestExchange ex, final Request r)
    {
        final Account bot = client(ex, r);
        if (bot == null)
        {
            return;
        }
        final Application app = ctx.node().directory().application(bot.id());
        final ObjectNode o = Json.object();
        final ObjectNode application = app != null ? ApplicationService.json(app, ctx.node().accounts())
            : Json.object().put("id", Json.id(bot.id())).put("name", bot.username()).put("description", "");
        o.set("application", application);
        o.set("bot", Entities.user(bot, bot.id()));
        o.set("user", Entities.user(ctx.node().accounts().get(ex.userId()), ex.userId()));
        final ArrayNode guilds = o.putArray("guilds");
        final Directory directory = ctx.node().directory();
        for (final long guildId : ctx.node().accounts().guildsOf(ex.userId()))
        {
            final Directory.GuildSummary g = directory.guild(guildId);
            if (g != null)
            {
                guilds.add(Json.object().put("id", Json.id(g.id())).put("name", g.name())
                    .put("owner", g.ownerId() == ex.userId())
                    .put("bot_member", ctx.node().accounts().guildsOf(bot.id()).contains(guildId)));
            }
        }
        o.put("scopes", r.q("scope") == null ? "" : r.q("scope"));
        o.put("permissions", r.q("permissions") == null ? "0" : r.q("permissions"));
        ex.reply(shard, 200, o);
    }

    /** {@code POST /oauth2/authorize?client_id=…&scope=bot… {guild_id, permissions, authorize}}. */
    private void authorize(final RestExchange ex, final Request r)
    {
        final Account bot = client(ex, r);
        if (bot == null)
        {
            return;
        }
        final String scope = r.q("scope") == null ? "" : r.q("scope").toLowerCase(Locale.ROOT);
        final JsonNode body = r.body() == null ? Json.object() : r.body();
        if (!body.path("authorize").asBoolean(false))
        {
            ex.reply(shard, 200, Json.object().put("location", "https://discord.com/oauth2/authorized?error="
                + "access_denied"));
            return;
        }
        if (!java.util.Arrays.asList(SCOPE_SEPARATOR.split(scope)).contains("bot"))
        {
            // applications.commands alone: a bot's commands work wherever its bot is; nothing to add
            ex.reply(shard, 200, Json.object().put("location", "https://discord.com/oauth2/authorized"));
            return;
        }
        final long guildId = body.hasNonNull("guild_id") ? Json.parseId(body.get("guild_id").asText()) : -1;
        if (guildId <= 0)
        {
            ex.invalidField(shard, "guild_id", "BASE_TYPE_REQUIRED", "This field is required");
            return;
        }
        if (ctx.node().directory().guild(guildId) == null)
        {
            error(ex, DiscordError.UNKNOWN_GUILD);
            return;
        }
        final String p = body.hasNonNull("permissions") ? body.get("permissions").asText()
            : r.q("permissions") == null ? "0" : r.q("permissions");
        final long permissions;
        try
        {
            permissions = Long.parseLong(p);
        }
        catch (final NumberFormatException e)
        {
            ex.invalidField(shard, "permissions", "NUMBER_TYPE_COERCE", "Value \"" + p + "\" is not int.");
            return;
        }
        if (permissions < 0 || (permissions & ~dev.pinwheel.core.guild.Permissions.ALL) != 0)
        {
            ex.invalidField(shard, "permissions", "NUMBER_TYPE_COERCE", "Unknown permission bits.");
            return;
        }
        applications.addBot(exchanges.register(ex), ex.userId(), guildId, bot.id(), permissions);
    }

    /** @return the bot named by {@code client_id}, or null after answering. */
    private Account client(final RestExchange ex, final Request r)
    {
        final String clientId = r.q("client_id");
        final long id = clientId == null ? -1 : Json.parseId(clientId);
        final Account bot = id <= 0 ? null : ctx.node().accounts().get(id);
        if (bot == null || !bot.bot())
        {
            error(ex, DiscordError.UNKNOWN_APPLICATION);
            return null;
        }
        return bot;
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
