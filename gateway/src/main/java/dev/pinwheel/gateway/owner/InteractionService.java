package dev.pinwheel.gateway.owner;

import java.util.Iterator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.InteractionOptions;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;

/**
 * Interactions, on the <b>owner shard of the interaction's guild</b>: a user invokes an application command, clicks a
 * component, asks for autocomplete choices or submits a modal; the application's sessions get INTERACTION_CREATE; the
 * application answers once through the callback within {@link #ACK_DEADLINE_NANOS} (else the invoker's sessions get
 * INTERACTION_FAILURE) and may follow up, read, edit and delete its responses with the interaction's token for
 * {@link #TOKEN_LIFETIME_NANOS}.
 * <pre>
 *   invoker ─POST /interactions─▶ route ─INTERACTION_INVOKE─▶ here: check member, channel, command and options,
 *            resolve; keep the live interaction; INTERACTION_CREATE ─▶ the application's sessions (UserEvents)
 *   app ─POST /interactions/{id}/{token}/callback─▶ route ─INTERACTION_CALLBACK─▶ here: once; message (journaled,
 *            or for flag 64 to the invoker's sessions only), update, autocomplete choices or a modal;
 *            INTERACTION_SUCCESS ─▶ the invoker's sessions
 *   app ─/webhooks/{app}/{token}…─▶ route ─INTERACTION_WEBHOOK─▶ here: follow-ups, @original and follow-up edits
 * </pre>
 * Live interactions are memory only (as on Discord, a token lives 15 minutes; a restart forgets them); the messages
 * they create are journaled like any other but ephemeral ones, which only the invoker ever sees. Reads the store
 * before changing anything (a Cassandra read may run a command again). Reads each command in the order
 * {@link InteractionProxy} wrote it; answers only through {@link Reply}. Owner shard only.
 */
public final class InteractionService
{
    /** The application has this long to answer. */
    public static final long ACK_DEADLINE_NANOS = 3_000_000_000L;
    /** A token serves follow-ups this long. */
    public static final long TOKEN_LIFETIME_NANOS = 15L * 60 * 1_000_000_000L;

    static final int APPLICATION_COMMAND = 2;
    static final int MESSAGE_COMPONENT = 3;
    static final int AUTOCOMPLETE = 4;
    static final int MODAL_SUBMIT = 5;

    static final int PONG = 1;
    static final int CHANNEL_MESSAGE = 4;
    static final int DEFERRED_MESSAGE = 5;
    static final int DEFERRED_UPDATE = 6;
    static final int UPDATE_MESSAGE = 7;
    static final int AUTOCOMPLETE_RESULT = 8;
    static final int MODAL = 9;

    static final int EPHEMERAL = 1 << 6;
    static final int LOADING = 1 << 7;
    private static final int SUPPRESS_EMBEDS = 1 << 2;

    private final NodeState node;
    private final UserEvents users;
    private final MessageService messages;
    private final Long2ObjectHashMap<Live> live = new Long2ObjectHashMap<>();
    private boolean ticking;

    /** One interaction while its token lives. Owner shard only. */
    private static final class Live
    {
        long id;
        int type;
        long app;
        long guild;
        long channel;
        long user;
        String nonce;
        String token;
        long createdNanos;
        boolean acknowledged;
        /** The message of a component (or of the component whose modal was submitted), else 0. */
        long sourceMessageId;
        /** The first response, 0 before it. */
        long originalId;
        /** Messages the token may read, edit and delete: the original, the follow-ups. */
        final LongHashSet messages = new LongHashSet();
        /** Ephemeral responses (never journaled), by id. */
        final Long2ObjectHashMap<StoredMessage> ephemeral = new Long2ObjectHashMap<>();
        /** The command's name and type (commands), for interaction_metadata. */
        String name;
        int commandType;
        /** The modal shown in answer (callback type 9), or null. */
        JsonNode modal;
    }

    /**
     * @param node     the node's accounts and directory (registered commands).
     * @param users    sends an event to every session of one user (the application's bot, the invoker).
     * @param messages encodes response messages as every other message.
     */
    public InteractionService(final NodeState node, final UserEvents users, final MessageService messages)
    {
        this.node = node;
        this.users = users;
        this.messages = messages;
    }

    /**
     * @return interactions whose token still lives on this shard (tests).
     */
    public int liveCount()
    {
        return live.size();
    }

    /**
     * {@link OwnerCommands#INTERACTION_INVOKE}: application, guild, channel, type, message, nonce, session, data.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (204 once the application was told).
     */
    public void invoke(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final int type = command.getInt();
        final long messageId = command.getLong();
        final String nonce = command.getString();
        command.getString(); // the session id: every session of the invoker is told (a client filters by nonce)
        final ObjectNode data = (ObjectNode)Json.parse(command.getString());
        final long userId = reply.userId();

        // reads first (a parked read runs the command again; nothing has changed yet)
        final Live modalOf = type == MODAL_SUBMIT ? modalShown(app, userId, data.path("custom_id").asText()) : null;
        final long sourceId = type == MESSAGE_COMPONENT ? messageId : modalOf != null ? modalOf.sourceMessageId : 0;
        final StoredMessage source = sourceId == 0 ? null : owner.store().message(channelId, sourceId);
        final long targetId = type == APPLICATION_COMMAND ? Json.parseId(data.path("target_id").asText("")) : -1;
        final StoredMessage target = targetId > 0 ? owner.store().message(channelId, targetId) : null;

        final Guild g = GuildAccess.guild(owner, guildId, reply);
        final GuildChannel c = g == null ? null : GuildAccess.channel(g, channelId, reply);
        if (c == null)
        {
            return;
        }
        final long granted = Permissions.in(g, userId, c);
        if (!Permissions.has(granted, Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES))
        {
            reply.error(Permissions.has(granted, Permissions.VIEW_CHANNEL) ? DiscordError.MISSING_PERMISSIONS
                : DiscordError.MISSING_ACCESS);
            return;
        }
        final Account bot = node.accounts().get(app);
        if (bot == null || !bot.bot() || g.member(app) == null)
        {
            reply.error(DiscordError.UNKNOWN_APPLICATION);
            return;
        }
        final ObjectNode outData = Json.object();
        String name = null;
        int commandType = 0;
        switch (type)
        {
            case APPLICATION_COMMAND, AUTOCOMPLETE ->
            {
                final long commandId = Json.parseId(data.path("id").asText(""));
                JsonNode def = command(app, guildId, commandId);
                final boolean guildCommand = def != null;
                def = def != null ? def : command(app, 0, commandId);
                if (def == null || !def.path("name").asText().equals(data.path("name").asText())
                    || data.has("type") && data.path("type").asInt() != def.path("type").asInt(1))
                {
                    reply.error(DiscordError.UNKNOWN_APPLICATION_COMMAND);
                    return;
                }
                final String needed = def.path("default_member_permissions").asText("");
                final long bits = needed.isEmpty() ? -1 : parsePermissions(needed);
                if (bits >= 0 && !Permissions.has(granted, bits == 0 ? Permissions.ADMINISTRATOR : bits))
                {
                    reply.error(DiscordError.MISSING_PERMISSIONS); // the command's default_member_permissions
                    return;
                }
                name = def.path("name").asText();
                commandType = def.path("type").asInt(1);
                outData.put("id", Json.id(commandId));
                outData.put("name", name);
                outData.put("type", commandType);
                if (guildCommand)
                {
                    outData.put("guild_id", Json.id(guildId));
                }
                final ObjectNode resolved = Json.object();
                if (commandType == 1)
                {
                    final InteractionOptions.Checked checked = InteractionOptions.check(def.get("options"),
                        data.get("options"), type == AUTOCOMPLETE);
                    if (!checked.valid())
                    {
                        reply.invalidPath(checked.path(), checked.code(), checked.message());
                        return;
                    }
                    final String unknown = InteractionOptions.resolve(checked.options(), g, node.accounts(), userId,
                        resolved);
                    if (unknown != null)
                    {
                        reply.invalidPath(java.util.List.of("data", "options"), "APPLICATION_COMMAND_OPTION_INVALID_VALUE",
                            "Option \"" + unknown + "\" names nothing in this guild");
                        return;
                    }
                    if (!checked.options().isEmpty())
                    {
                        outData.set("options", checked.options());
                    }
                }
                else if (type == AUTOCOMPLETE)
                {
                    reply.invalidField("type", "INTERACTION_TYPE_INVALID", "Only chat input commands autocomplete");
                    return;
                }
                else
                {
                    // a user (2) or message (3) context-menu command: its target
                    final boolean ok = commandType == 2
                        ? targetId > 0 && InteractionOptions.user(targetId, g, node.accounts(), resolved)
                        : target != null;
                    if (!ok)
                    {
                        reply.invalidField("target_id", "APPLICATION_COMMAND_TARGET_INVALID", "Unknown target");
                        return;
                    }
                    if (commandType == 3)
                    {
                        resolved.putObject("messages").set(Json.id(targetId), messageJson(target, guildId));
                    }
                    outData.put("target_id", Json.id(targetId));
                }
                if (!resolved.isEmpty())
                {
                    outData.set("resolved", resolved);
                }
            }
            case MESSAGE_COMPONENT ->
            {
                if (!InteractionInputs.click(source, app, data, g, userId, node.accounts(), outData, reply))
                {
                    return;
                }
            }
            case MODAL_SUBMIT ->
            {
                if (modalOf == null)
                {
                    reply.invalidField("custom_id", "INTERACTION_MODAL_UNKNOWN", "No such modal is open");
                    return;
                }
                if (!InteractionInputs.modalSubmit(modalOf.modal, data, outData, reply))
                {
                    return;
                }
                modalOf.modal = null; // a modal is submitted once
            }
            default ->
            {
                reply.invalidField("type", "BASE_TYPE_CHOICES", "Value must be one of (2, 3, 4, 5).");
                return;
            }
        }

        final Live l = new Live();
        l.id = owner.ids().next();
        l.type = type;
        l.app = app;
        l.guild = guildId;
        l.channel = channelId;
        l.user = userId;
        l.nonce = nonce;
        l.token = InteractionTokens.issue(l.id, guildId);
        l.createdNanos = System.nanoTime();
        l.sourceMessageId = source == null ? 0 : source.id();
        l.name = name;
        l.commandType = commandType;
        final ObjectNode interaction = interaction(l, g, c, outData, source);
        live.put(l.id, l);
        startTicking(owner);
        users.send(owner, app, Dispatch.of("INTERACTION_CREATE", Json.bytes(interaction)));
        reply.ok(204, (byte[])null);
    }

    /**
     * {@link OwnerCommands#INTERACTION_CALLBACK}: interaction, token, callback type, with_response, data.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (204, or 200 with the callback's result; once durable).
     */
    public void callback(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long id = command.getLong();
        final String token = command.getString();
        final int type = command.getInt();
        final boolean withResponse = command.getBoolean();
        final String dataJson = command.getString();
        final Live l = live.get(id);
        if (l == null || !l.token.equals(token) || owner.guilds().get(l.guild) == null)
        {
            reply.error(DiscordError.UNKNOWN_INTERACTION);
            return;
        }
        if (l.acknowledged)
        {
            reply.error(DiscordError.INTERACTION_ACKNOWLEDGED);
            return;
        }
        final ObjectNode data = dataJson == null ? Json.object() : (ObjectNode)Json.parse(dataJson);
        final boolean fromComponent = l.sourceMessageId != 0;
        final boolean allowed = switch (type)
        {
            case CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL -> l.type != AUTOCOMPLETE && !(type == MODAL
                && l.type == MODAL_SUBMIT);
            case DEFERRED_UPDATE, UPDATE_MESSAGE -> fromComponent;
            case AUTOCOMPLETE_RESULT -> l.type == AUTOCOMPLETE;
            default -> false; // PONG answers only HTTP pings, which Pinwheel never sends
        };
        if (!allowed)
        {
            reply.invalidField("type", "INTERACTION_RESPONSE_TYPE_INVALID",
                "Interaction response type " + type + " is not valid for this interaction");
            return;
        }
        final StoredMessage source = type == UPDATE_MESSAGE ? owner.store().message(l.channel, l.sourceMessageId)
            : null; // a read, before anything changes
        if (type == UPDATE_MESSAGE && source == null)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        final Guild g = owner.guilds().get(l.guild);
        final ObjectNode result = Json.object();
        final ObjectNode ir = result.putObject("interaction");
        ir.put("id", Json.id(l.id));
        ir.put("type", l.type);
        final ObjectNode resource = Json.object();
        resource.put("type", type);
        l.acknowledged = true;
        switch (type)
        {
            case CHANNEL_MESSAGE, DEFERRED_MESSAGE ->
            {
                int flags = data.path("flags").asInt(0) & (EPHEMERAL | SUPPRESS_EMBEDS);
                if (type == DEFERRED_MESSAGE)
                {
                    flags |= LOADING;
                }
                final StoredMessage m = newMessage(owner, l, type == DEFERRED_MESSAGE ? Json.object() : data, flags,
                    true);
                l.originalId = m.id();
                l.messages.add(m.id());
                ir.put("response_message_id", Json.id(m.id()));
                ir.put("response_message_loading", type == DEFERRED_MESSAGE);
                ir.put("response_message_ephemeral", (flags & EPHEMERAL) != 0);
                resource.set("message", messageJson(m, l.guild));
                deliver(owner, g, l, m, "MESSAGE_CREATE", acknowledged(owner, l, answer(reply, withResponse, result,
                    resource)));
                return;
            }
            case DEFERRED_UPDATE ->
            {
                l.originalId = l.sourceMessageId;
                l.messages.add(l.sourceMessageId);
            }
            case UPDATE_MESSAGE ->
            {
                l.originalId = l.sourceMessageId;
                l.messages.add(l.sourceMessageId);
                final StoredMessage edited = edited(source, data);
                resource.set("message", messageJson(edited, l.guild));
                deliver(owner, g, l, edited, "MESSAGE_UPDATE", acknowledged(owner, l, answer(reply, withResponse,
                    result, resource)));
                return;
            }
            case AUTOCOMPLETE_RESULT ->
            {
                final ObjectNode d = Json.object();
                d.put("nonce", l.nonce);
                d.put("application_id", Json.id(l.app));
                d.set("choices", data.path("choices").isArray() ? data.get("choices") : Json.array());
                users.send(owner, l.user, Dispatch.of("APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE", Json.bytes(d)));
                live.remove(l.id); // nothing follows an autocomplete answer
            }
            case MODAL ->
            {
                l.modal = data.deepCopy();
                final ObjectNode d = Json.object();
                d.put("id", Json.id(l.id));
                d.put("nonce", l.nonce);
                d.put("channel_id", Json.id(l.channel));
                d.put("custom_id", data.path("custom_id").asText());
                d.put("title", data.path("title").asText());
                d.set("components", data.path("components"));
                final Account app = node.accounts().get(l.app);
                d.putObject("application").put("id", Json.id(l.app)).put("name", app == null ? "" : app.username())
                    .putNull("icon");
                users.send(owner, l.user, Dispatch.of("INTERACTION_MODAL_CREATE", Json.bytes(d)));
            }
            default -> throw new IllegalStateException("unreachable callback type " + type);
        }
        acknowledged(owner, l, answer(reply, withResponse, result, resource)).run();
    }

    /**
     * {@link OwnerCommands#INTERACTION_WEBHOOK}: application, interaction, token, operation, message, data.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void webhook(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long id = command.getLong();
        final String token = command.getString();
        final int op = command.getInt();
        final long messageId = command.getLong();
        final String dataJson = command.getString();
        final Live l = live.get(id);
        final Guild g = l == null ? null : owner.guilds().get(l.guild);
        if (l == null || g == null || !l.token.equals(token) || l.app != app || !l.acknowledged)
        {
            reply.error(DiscordError.UNKNOWN_WEBHOOK);
            return;
        }
        final ObjectNode data = dataJson == null ? Json.object() : (ObjectNode)Json.parse(dataJson);
        if (op == InteractionProxy.EXECUTE)
        {
            final StoredMessage m = newMessage(owner, l, data, data.path("flags").asInt(0) & (EPHEMERAL
                | SUPPRESS_EMBEDS), false);
            l.messages.add(m.id());
            final byte[] body = Json.bytes(messageJson(m, l.guild));
            deliver(owner, g, l, m, "MESSAGE_CREATE", () -> reply.ok(200, body));
            return;
        }
        final long target = messageId == 0 ? l.originalId : messageId;
        if (target == 0 || !l.messages.contains(target))
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        final StoredMessage eph = l.ephemeral.get(target);
        final StoredMessage m = eph != null ? eph : owner.store().message(l.channel, target);
        if (m == null)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        switch (op)
        {
            case InteractionProxy.GET -> reply.ok(200, messageJson(m, l.guild));
            case InteractionProxy.EDIT ->
            {
                final StoredMessage edited = edited(m, data);
                final byte[] body = Json.bytes(messageJson(edited, l.guild));
                deliver(owner, g, l, edited, "MESSAGE_UPDATE", () -> reply.ok(200, body));
            }
            case InteractionProxy.DELETE ->
            {
                l.messages.remove(target);
                final ObjectNode d = Json.object();
                d.put("id", Json.id(target));
                d.put("channel_id", Json.id(l.channel));
                d.put("guild_id", Json.id(l.guild));
                if (eph != null)
                {
                    l.ephemeral.remove(target);
                    users.send(owner, l.user, Dispatch.of("MESSAGE_DELETE", Json.bytes(d)));
                    reply.ok(204, (byte[])null);
                    return;
                }
                owner.store().deleteMessage(l.channel, target);
                final Dispatch event = new Dispatch("MESSAGE_DELETE", Json.bytes(d), null, Intents.GUILD_MESSAGES,
                    l.guild, 0, 0);
                owner.afterCommit(() ->
                {
                    reply.ok(204, (byte[])null);
                    ChannelEvents.publish(owner, g, l.channel, event);
                });
            }
            default -> reply.error(DiscordError.NOT_FOUND);
        }
    }

    // ---- the parts

    private JsonNode command(final long app, final long guildId, final long commandId)
    {
        if (commandId <= 0)
        {
            return null;
        }
        final String wanted = Json.id(commandId);
        for (final JsonNode c : Json.parse(node.directory().commands(app, guildId)))
        {
            if (wanted.equals(c.path("id").asText()))
            {
                return c;
            }
        }
        return null;
    }

    private static long parsePermissions(final String text)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException e)
        {
            return Permissions.ALL; // not a number (the registry checks it): nobody but administrators
        }
    }

    private Live modalShown(final long app, final long userId, final String customId)
    {
        for (final Live l : live.values())
        {
            if (l.modal != null && l.app == app && l.user == userId
                && customId.equals(l.modal.path("custom_id").asText()))
            {
                return l;
            }
        }
        return null;
    }

    /** The INTERACTION_CREATE an application receives. */
    private ObjectNode interaction(final Live l, final Guild g, final GuildChannel c, final ObjectNode data,
        final StoredMessage source)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(l.id));
        o.put("application_id", Json.id(l.app));
        o.put("type", l.type);
        o.set("data", data);
        o.put("guild_id", Json.id(l.guild));
        final ObjectNode guild = o.putObject("guild");
        guild.put("id", Json.id(l.guild));
        guild.put("locale", "en-US");
        guild.putArray("features");
        final ObjectNode channel = Entities.channel(c, 0);
        channel.put("guild_id", Json.id(l.guild));
        channel.put("permissions", Long.toString(Permissions.in(g, l.user, c)));
        o.set("channel", channel);
        o.put("channel_id", Json.id(l.channel));
        final Member m = g.member(l.user);
        final ObjectNode member = Entities.member(m, node.accounts(), true);
        member.put("permissions", Long.toString(Permissions.in(g, l.user, c)));
        o.set("member", member);
        o.put("app_permissions", Long.toString(Permissions.in(g, l.app, c)));
        o.put("token", l.token);
        o.put("version", 1);
        o.put("locale", "en-US");
        o.put("guild_locale", "en-US");
        o.putArray("entitlements");
        o.putObject("authorizing_integration_owners").put("0", Json.id(l.guild));
        o.put("context", 0);
        o.put("attachment_size_limit", 10 * 1024 * 1024);
        if (source != null)
        {
            o.set("message", messageJson(source, l.guild));
        }
        return o;
    }

    /** {@code {id, nonce}}: what the invoker's sessions hear of an interaction. */
    private static ObjectNode signal(final Live l)
    {
        final ObjectNode d = Json.object();
        d.put("id", Json.id(l.id));
        d.put("nonce", l.nonce);
        return d;
    }

    /** A response or follow-up message (not yet stored). */
    private StoredMessage newMessage(final Shard owner, final Live l, final ObjectNode data, final int flags,
        final boolean original)
    {
        final ObjectNode x = Json.object();
        final int messageType = l.type == APPLICATION_COMMAND ? (l.commandType == 1 ? 20 : 23) : 0;
        x.put("type", original ? messageType : 0);
        if (data.path("embeds").size() > 0)
        {
            x.set("embeds", data.get("embeds"));
        }
        if (data.path("components").size() > 0)
        {
            x.set("components", data.get("components"));
        }
        x.put("application_id", Json.id(l.app));
        x.put("webhook_id", Json.id(l.app));
        final Account invoker = node.accounts().get(l.user);
        final ObjectNode meta = x.putObject("interaction_metadata");
        meta.put("id", Json.id(l.id));
        meta.put("type", l.type);
        meta.set("user", Entities.user(invoker, l.user));
        meta.putObject("authorizing_integration_owners").put("0", Json.id(l.guild));
        if (l.name != null)
        {
            meta.put("name", l.name);
            meta.put("command_type", l.commandType);
        }
        if (!original && l.originalId != 0)
        {
            meta.put("original_response_message_id", Json.id(l.originalId));
        }
        if (l.sourceMessageId != 0)
        {
            meta.put("interacted_message_id", Json.id(l.sourceMessageId));
        }
        if (original)
        {
            final ObjectNode legacy = x.putObject("interaction");
            legacy.put("id", Json.id(l.id));
            legacy.put("type", l.type);
            legacy.put("name", l.name == null ? "" : l.name);
            legacy.set("user", Entities.user(invoker, l.user));
        }
        return new StoredMessage(owner.ids().next(), l.channel, l.guild, l.app, data.path("content").asText(""), 0,
            flags, data.path("tts").asBoolean(false), false, x.toString());
    }

    /** A message with the given fields replaced (content, embeds, components); a deferred one stops loading. */
    private static StoredMessage edited(final StoredMessage m, final ObjectNode data)
    {
        final ObjectNode x = MessageExtras.parseExtra(m.extra());
        for (final String f : new String[] {"embeds", "components"})
        {
            if (data.has(f))
            {
                if (data.get(f).isEmpty())
                {
                    x.remove(f);
                }
                else
                {
                    x.set(f, data.get(f));
                }
            }
        }
        final String content = data.has("content") ? data.path("content").asText("") : m.content();
        return new StoredMessage(m.id(), m.channelId(), m.guildId(), m.authorId(), content,
            System.currentTimeMillis(), m.flags() & ~LOADING, m.tts(), m.pinned(), MessageExtras.toExtra(x));
    }

    private ObjectNode messageJson(final StoredMessage m, final long guildId)
    {
        final ObjectNode o = Entities.message(m, node.accounts(), null);
        o.put("guild_id", Json.id(guildId));
        return o;
    }

    /**
     * Delivers a new or changed response: an ephemeral one to the invoker's sessions only (never journaled), any
     * other journaled and published in its channel like every message; then {@code ack}, once durable.
     */
    private void deliver(final Shard owner, final Guild g, final Live l, final StoredMessage m, final String type,
        final Runnable ack)
    {
        if ((m.flags() & EPHEMERAL) != 0)
        {
            l.ephemeral.put(m.id(), m);
            final ObjectNode d = messageJson(m, l.guild);
            final Member bot = g.member(l.app);
            if (bot != null)
            {
                d.set("member", Entities.member(bot, node.accounts(), false));
            }
            users.send(owner, l.user, Dispatch.of(type, Json.bytes(d)));
            ack.run();
            return;
        }
        owner.store().appendMessage(m);
        final MessageService.Encoded encoded = messages.encode(g, m, null, type, null);
        owner.afterCommit(() ->
        {
            ack.run();
            ChannelEvents.publish(owner, g, m.channelId(), encoded.event());
        });
    }

    /** The callback's answer, then INTERACTION_SUCCESS to the invoker's sessions. */
    private Runnable acknowledged(final Shard owner, final Live l, final Runnable answer)
    {
        final byte[] success = Json.bytes(signal(l));
        return () ->
        {
            answer.run();
            users.send(owner, l.user, Dispatch.of("INTERACTION_SUCCESS", success));
        };
    }

    private static Runnable answer(final Reply reply, final boolean withResponse, final ObjectNode result,
        final ObjectNode resource)
    {
        if (!withResponse)
        {
            return () -> reply.ok(204, (byte[])null);
        }
        result.set("resource", resource);
        final byte[] body = Json.bytes(result);
        return () -> reply.ok(200, body);
    }

    private void startTicking(final Shard owner)
    {
        if (!ticking)
        {
            ticking = true;
            owner.addTicker(() -> tick(owner, System.nanoTime()));
        }
    }

    /**
     * Every ~50 ms: an interaction not answered in time fails (its invoker's sessions get INTERACTION_FAILURE, its
     * token stops working), a token past its lifetime is forgotten.
     */
    void tick(final Shard owner, final long now)
    {
        final Iterator<Live> it = live.values().iterator();
        while (it.hasNext())
        {
            final Live l = it.next();
            if (!l.acknowledged && now - l.createdNanos > ACK_DEADLINE_NANOS)
            {
                it.remove();
                if (l.type != AUTOCOMPLETE)
                {
                    users.send(owner, l.user, Dispatch.of("INTERACTION_FAILURE", Json.bytes(signal(l))));
                }
            }
            else if (now - l.createdNanos > TOKEN_LIFETIME_NANOS)
            {
                it.remove();
            }
        }
    }

}
