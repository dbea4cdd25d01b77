package dev.pinwheel.gateway.http.routes;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Components;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.InteractionProxy;
import dev.pinwheel.gateway.owner.InteractionTokens;

/**
 * {@code POST /interactions} (a user invokes a command, clicks a component, asks for autocomplete, submits a modal —
 * as Discord's own client sends it) and {@code POST /interactions/{id}/{token}/callback} (the application answers;
 * no Authorization, the token is the credential). Bodies are checked and reduced here — the message fields of a
 * response with Discord's limits ({@link MessageExtras}, {@link Components}), 50035 with the field's path — then the
 * interaction's guild's owner decides ({@link InteractionProxy}). Runs on the shard that holds the request.
 */
public final class InteractionRoutes
{
    private static final int MAX_CHOICES = 25;

    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final InteractionProxy interactions;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public InteractionRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.interactions = new InteractionProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/guilds/{guild}/application-command-index", this::commandIndex)
            .add("POST", "/interactions", this::invoke)
            .add("POST", "/interactions/{interaction}/{token}/callback", this::callback, false);
    }

    /**
     * {@code GET /guilds/{guild}/application-command-index}: what a member may invoke there (Discord's client asks
     * this for its {@code /} picker): the commands, global and of the guild, of the applications whose bot is a
     * member, and those applications.
     */
    private void commandIndex(final RestExchange ex, final Request r)
    {
        final long guildId = r.id(0);
        if (guildId <= 0 || ctx.node().directory().guild(guildId) == null)
        {
            error(ex, DiscordError.UNKNOWN_GUILD);
            return;
        }
        if (!ctx.node().accounts().guildsOf(ex.userId()).contains(guildId))
        {
            error(ex, DiscordError.MISSING_ACCESS);
            return;
        }
        final ObjectNode out = Json.object();
        final ArrayNode apps = out.putArray("applications");
        final ArrayNode commands = out.putArray("application_commands");
        for (final long app : ctx.node().directory().applicationsWithCommands())
        {
            final Account bot = ctx.node().accounts().get(app);
            if (bot == null || !ctx.node().accounts().guildsOf(app).contains(guildId))
            {
                continue;
            }
            apps.addObject().put("id", Json.id(app)).put("name", bot.username()).putNull("icon")
                .set("bot", dev.pinwheel.gateway.codec.Entities.user(bot, app));
            for (final long scope : new long[] {guildId, 0})
            {
                for (final JsonNode c : Json.parse(ctx.node().directory().commands(app, scope)))
                {
                    commands.add(c);
                }
            }
        }
        ex.reply(shard, 200, out);
    }

    private void invoke(final RestExchange ex, final Request r)
    {
        final Account caller = ctx.node().accounts().get(ex.userId());
        if (caller == null || caller.bot())
        {
            error(ex, DiscordError.BOTS_CANNOT_USE);
            return;
        }
        final JsonNode body = r.body();
        if (body == null || !body.isObject())
        {
            error(ex, DiscordError.INVALID_FORM_BODY);
            return;
        }
        final int type = body.path("type").asInt(-1);
        if (type < 2 || type > 5)
        {
            ex.invalidField(shard, "type", "BASE_TYPE_CHOICES", "Value must be one of (2, 3, 4, 5).");
            return;
        }
        final long app = id(ex, body, "application_id");
        final long guildId = app <= 0 ? -1 : id(ex, body, "guild_id");
        final long channelId = guildId <= 0 ? -1 : id(ex, body, "channel_id");
        if (channelId <= 0)
        {
            return;
        }
        if (ctx.node().directory().guildOfChannel(channelId) != guildId)
        {
            error(ex, DiscordError.UNKNOWN_CHANNEL);
            return;
        }
        long messageId = 0;
        if (type == 3 && (messageId = id(ex, body, "message_id")) <= 0)
        {
            return;
        }
        final JsonNode data = body.get("data");
        if (data == null || !data.isObject())
        {
            ex.invalidField(shard, "data", "BASE_TYPE_REQUIRED", "This field is required");
            return;
        }
        final JsonNode n = body.get("nonce");
        final String nonce = n == null || n.isNull() ? null : n.asText();
        if (nonce != null && nonce.length() > 25)
        {
            ex.invalidField(shard, "nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
            return;
        }
        final String session = body.path("session_id").isTextual() ? body.get("session_id").asText() : null;
        interactions.invoke(exchanges.register(ex), ex.userId(), app, guildId, channelId, type, messageId, nonce,
            session, data.toString());
    }

    private void callback(final RestExchange ex, final Request r)
    {
        final long id = r.id(0);
        final InteractionTokens.Parsed token = InteractionTokens.parse(r.param(1));
        if (id <= 0 || token == null || token.interactionId() != id)
        {
            error(ex, DiscordError.UNKNOWN_INTERACTION);
            return;
        }
        final JsonNode body = r.body();
        if (body == null || !body.isObject())
        {
            error(ex, DiscordError.INVALID_FORM_BODY);
            return;
        }
        final int type = body.path("type").asInt(-1);
        final JsonNode data = body.path("data");
        final List<String> at = new ArrayList<>(List.of("data"));
        final ObjectNode reduced;
        switch (type)
        {
            case 1, 6 -> reduced = null;
            case 4, 7 -> reduced = messageData(ex, data, at, type == 4);
            case 5 -> reduced = Json.object().put("flags", data.path("flags").asInt(0));
            case 8 -> reduced = choices(ex, data);
            case 9 -> reduced = modal(ex, data);
            default ->
            {
                ex.invalidField(shard, "type", "BASE_TYPE_CHOICES", "Value must be one of (1, 4, 5, 6, 7, 8, 9).");
                return;
            }
        }
        if (reduced == null && type != 1 && type != 6)
        {
            return; // answered
        }
        interactions.callback(exchanges.register(ex), token.guildId(), id, r.param(1), type,
            "true".equalsIgnoreCase(r.q("with_response")), reduced == null ? null : reduced.toString());
    }

    /**
     * Checks the message fields of a response, a follow-up or an edit: content (≤ 2000), embeds, components, flags,
     * tts; reduced to those. Answers a 50035 itself when one is wrong.
     *
     * @param ex       the request.
     * @param data     the fields (missing: none).
     * @param at       the path the fields are under (empty for a body of their own).
     * @param creating whether it makes a new message (it must then say something).
     * @return the reduced fields, or null after answering.
     */
    ObjectNode messageData(final RestExchange ex, final JsonNode data, final List<String> at, final boolean creating)
    {
        return checkMessage(shard, ex, data, at, creating);
    }

    /**
     * See {@link #messageData}; shared with the interaction webhook routes.
     *
     * @param shard    this shard.
     * @param ex       the request.
     * @param data     the fields.
     * @param at       their path.
     * @param creating whether it makes a new message.
     * @return the reduced fields, or null after answering.
     */
    static ObjectNode checkMessage(final Shard shard, final RestExchange ex, final JsonNode data, final List<String> at,
        final boolean creating)
    {
        final JsonNode fields = data == null || data.isMissingNode() || data.isNull() ? Json.object() : data;
        if (!fields.isObject())
        {
            ex.invalidPath(shard, at.isEmpty() ? List.of("data") : at, "MODEL_TYPE_CONVERT",
                "Only dictionaries may be used in a ModelType");
            return null;
        }
        final ObjectNode out = Json.object();
        final JsonNode c = fields.get("content");
        if (c != null && !c.isNull())
        {
            if (!c.isTextual())
            {
                ex.invalidPath(shard, path(at, "content"), "BASE_TYPE_STRING", "Must be a string.");
                return null;
            }
            if (c.asText().length() > 2000)
            {
                ex.invalidPath(shard, path(at, "content"), "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
                return null;
            }
            out.put("content", c.asText());
        }
        else if (c != null)
        {
            out.put("content", "");
        }
        final MessageExtras.Parsed extras = MessageExtras.parse(fields);
        if (!extras.valid())
        {
            ex.invalidPath(shard, path(at, extras.errorField()), extras.errorCode(), extras.errorMessage());
            return null;
        }
        if (extras.embeds() != null)
        {
            out.set("embeds", extras.embeds());
        }
        if (fields.has("components"))
        {
            final Components.Result components = Components.message(fields.get("components"));
            if (!components.valid())
            {
                final List<String> p = new ArrayList<>(at);
                p.addAll(components.path());
                ex.invalidPath(shard, p, components.code(), components.message());
                return null;
            }
            out.set("components", components.components());
        }
        out.put("flags", fields.path("flags").asInt(0));
        out.put("tts", fields.path("tts").asBoolean(false));
        if (creating && out.path("content").asText("").isBlank() && out.path("embeds").isEmpty()
            && out.path("components").isEmpty())
        {
            ex.reply(shard, DiscordError.EMPTY_MESSAGE.status(), DiscordError.EMPTY_MESSAGE.body());
            return null;
        }
        return out;
    }

    private ObjectNode choices(final RestExchange ex, final JsonNode data)
    {
        final JsonNode choices = data.path("choices");
        if (!choices.isArray() || choices.size() > MAX_CHOICES)
        {
            ex.invalidPath(shard, List.of("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
            return null;
        }
        final ObjectNode out = Json.object();
        final ArrayNode list = out.putArray("choices");
        for (int i = 0; i < choices.size(); i++)
        {
            final JsonNode ch = choices.get(i);
            final String name = ch.path("name").asText("");
            final JsonNode value = ch.get("value");
            if (name.isEmpty() || name.length() > 100 || value == null || !value.isValueNode() || value.isNull()
                || value.isTextual() && value.asText().length() > 100)
            {
                ex.invalidPath(shard, List.of("data", "choices", Integer.toString(i)), "BASE_TYPE_BAD_LENGTH",
                    "A choice needs a name and a value of 1 to 100 characters.");
                return null;
            }
            list.addObject().put("name", name).set("value", value);
        }
        return out;
    }

    private ObjectNode modal(final RestExchange ex, final JsonNode data)
    {
        final String customId = data.path("custom_id").asText("");
        final String title = data.path("title").asText("");
        if (customId.isEmpty() || customId.length() > 100)
        {
            ex.invalidPath(shard, List.of("data", "custom_id"), "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.");
            return null;
        }
        if (title.isEmpty() || title.length() > 45)
        {
            ex.invalidPath(shard, List.of("data", "title"), "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 45 in length.");
            return null;
        }
        final Components.Result components = Components.modal(data.get("components"));
        if (!components.valid())
        {
            final List<String> p = new ArrayList<>(List.of("data"));
            p.addAll(components.path());
            ex.invalidPath(shard, p, components.code(), components.message());
            return null;
        }
        final ObjectNode out = Json.object();
        out.put("custom_id", customId);
        out.put("title", title);
        out.set("components", components.components());
        return out;
    }

    private static List<String> path(final List<String> at, final String field)
    {
        final List<String> p = new ArrayList<>(at);
        p.add(field);
        return p;
    }

    /** @return the snowflake in the field, or -1 after answering 50035. */
    private long id(final RestExchange ex, final JsonNode body, final String field)
    {
        final long id = body.hasNonNull(field) ? Json.parseId(body.get(field).asText()) : -1;
        if (id <= 0)
        {
            ex.invalidField(shard, field, body.hasNonNull(field) ? "NUMBER_TYPE_COERCE" : "BASE_TYPE_REQUIRED",
                body.hasNonNull(field) ? "Value is not snowflake." : "This field is required");
        }
        return id;
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
