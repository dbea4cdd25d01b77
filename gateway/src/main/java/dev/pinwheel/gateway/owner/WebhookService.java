package dev.pinwheel.gateway.owner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Webhook;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;

/**
 * A guild's incoming webhooks, on the guild's owner shard: create, list, read, edit and delete them (MANAGE_WEBHOOKS,
 * or the webhook's own token for itself), post as one ({@code execute}), and read, edit or delete its messages by
 * token. Tokens are compared by their SHA-256: the journal holds only the hash ({@code WEBHOOK_PUT}), and the token
 * itself is shown once, in the creation's answer. A webhook's message is authored by the webhook's pseudo-user
 * (its id, its name or the request's {@code username}, {@code bot: true}) and carries {@code webhook_id}.
 * Every change of a channel's webhooks dispatches WEBHOOKS_UPDATE to those who see the channel.
 */
public final class WebhookService
{
    /** GUILD_WEBHOOKS. */
    private static final int WEBHOOKS_INTENT = 1 << 5;
    private static final HexFormat HEX = HexFormat.of();

    private final NodeState node;
    private final MessageService messages;
    private final FileReleases files;

    /**
     * @param node     the node (accounts of creators, the webhook directory).
     * @param messages encodes and acknowledges messages.
     * @param files    told which attachments edits and deletes dropped.
     */
    public WebhookService(final NodeState node, final MessageService messages, final FileReleases files)
    {
        this.node = node;
        this.messages = messages;
        this.files = files;
    }

    /**
     * @param token a webhook token.
     * @return its hex SHA-256, as stored.
     */
    public static String hash(final String token)
    {
        try
        {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** {@link OwnerCommands#WEBHOOK_CREATE}: guild, channel, id, name, avatar, token hash, token. */
    public void create(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long webhookId = command.getLong();
        final String name = command.getString();
        final String avatar = command.getString();
        final String tokenHash = command.getString();
        final String token = command.getString();
        final GuildChannel c = GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.MANAGE_WEBHOOKS, reply);
        if (c == null)
        {
            return;
        }
        if (c.type() != GuildChannel.TEXT)
        {
            reply.error(DiscordError.NON_TEXT_CHANNEL);
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        int inChannel = 0;
        for (final Webhook other : g.webhooks())
        {
            inChannel += other.channelId() == channelId ? 1 : 0;
        }
        if (inChannel >= Guild.MAX_CHANNEL_WEBHOOKS || g.webhooks().size() >= Guild.MAX_WEBHOOKS)
        {
            reply.error(inChannel >= Guild.MAX_CHANNEL_WEBHOOKS ? DiscordError.MAX_WEBHOOKS
                : DiscordError.MAX_GUILD_WEBHOOKS);
            return;
        }
        final Webhook w = new Webhook(webhookId, guildId, channelId, name, avatar, tokenHash, reply.userId());
        StateLog.commit(owner, node, StateRecords.WEBHOOK_PUT, StateRecords.webhookPut(w));
        final ObjectNode body = object(w);
        body.put("token", token);
        updated(owner, g, channelId, reply, 200, Json.bytes(body));
    }

    /** {@link OwnerCommands#WEBHOOK_LIST}: guild, channel (0: every channel). */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final Guild g = channelId == 0 ? GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_WEBHOOKS, reply)
            : GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
                | Permissions.MANAGE_WEBHOOKS, reply) == null ? null : owner.guilds().get(guildId);
        if (g == null)
        {
            return;
        }
        final ArrayNode out = Json.array();
        for (final Webhook w : g.webhooks())
        {
            if (channelId == 0 || w.channelId() == channelId)
            {
                out.add(object(w));
            }
        }
        reply.ok(200, out);
    }

    /** {@link OwnerCommands#WEBHOOK_GET}: guild, webhook, token. */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long webhookId = command.getLong();
        final String token = command.getString();
        final Webhook w = authorized(owner, guildId, webhookId, token, reply);
        if (w != null)
        {
            final ObjectNode o = object(w);
            if (token != null)
            {
                o.remove("user"); // Discord's token-authorized answer has no creator
            }
            reply.ok(200, o);
        }
    }

    /** {@link OwnerCommands#WEBHOOK_EDIT}: guild, webhook, token, name, avatar, channel. */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long webhookId = command.getLong();
        final String token = command.getString();
        final String name = command.getString();
        final String avatar = command.getString();
        final long channelId = command.getLong();
        final Webhook w = authorized(owner, guildId, webhookId, token, reply);
        if (w == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        if (channelId != 0 && channelId != w.channelId())
        {
            final GuildChannel c = g.channel(channelId);
            if (c == null || c.type() != GuildChannel.TEXT)
            {
                reply.error(DiscordError.UNKNOWN_CHANNEL);
                return;
            }
            if (token != null || !Permissions.has(Permissions.in(g, reply.userId(), c), Permissions.VIEW_CHANNEL
                | Permissions.MANAGE_WEBHOOKS))
            {
                reply.error(DiscordError.MISSING_PERMISSIONS);
                return;
            }
        }
        final Webhook now = new Webhook(w.id(), guildId, channelId == 0 ? w.channelId() : channelId,
            name == null ? w.name() : name, avatar == null ? w.avatar() : avatar.isEmpty() ? null : avatar,
            w.tokenHash(), w.creatorId());
        StateLog.commit(owner, node, StateRecords.WEBHOOK_PUT, StateRecords.webhookPut(now));
        final ObjectNode body = object(now);
        if (token != null)
        {
            body.remove("user");
        }
        if (now.channelId() != w.channelId())
        {
            final byte[] moved = Json.bytes(Json.object().put("guild_id", Json.id(guildId))
                .put("channel_id", Json.id(w.channelId())));
            final Dispatch left = new Dispatch("WEBHOOKS_UPDATE", moved, null, WEBHOOKS_INTENT, guildId, 0, 0);
            owner.afterCommit(() -> ChannelEvents.publish(owner, g, w.channelId(), left));
        }
        updated(owner, g, now.channelId(), reply, 200, Json.bytes(body));
    }

    /** {@link OwnerCommands#WEBHOOK_DELETE}: guild, webhook, token. */
    public void delete(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long webhookId = command.getLong();
        final String token = command.getString();
        final Webhook w = authorized(owner, guildId, webhookId, token, reply);
        if (w == null)
        {
            return;
        }
        StateLog.commit(owner, node, StateRecords.WEBHOOK_DELETED, StateRecords.webhookDeleted(guildId, webhookId));
        updated(owner, owner.guilds().get(guildId), w.channelId(), reply, 204, null);
    }

    /**
     * {@link OwnerCommands#WEBHOOK_EXECUTE}: guild, webhook, token, content, username, embeds, attachments, tts,
     * wait. The message is journaled like any other; {@code wait} answers it (200), else 204.
     */
    public void execute(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long webhookId = command.getLong();
        final String token = command.getString();
        final String content = command.getString();
        final String username = command.getString();
        final String embeds = command.getString();
        final String attachments = command.getString();
        final boolean tts = command.getBoolean();
        final boolean wait = command.getBoolean();
        final Webhook w = authorized(owner, guildId, webhookId, token, reply);
        final Guild g = w == null ? null : owner.guilds().get(guildId);
        if (g == null || g.channel(w.channelId()) == null)
        {
            if (w != null)
            {
                reply.error(DiscordError.UNKNOWN_CHANNEL);
            }
            releaseNew(attachments);
            return;
        }
        final ObjectNode extra = MessageExtras.parseExtra(MessageExtras.extra(embeds, 0, w.channelId(), guildId));
        extra.put("webhook_id", Json.id(w.id()));
        extra.set("author", author(w, username));
        final String withFiles = Attachments.withAttachments(MessageExtras.toExtra(extra), attachments);
        final StoredMessage m = new StoredMessage(owner.ids().next(), w.channelId(), guildId, w.id(),
            content == null ? "" : content, 0, 0, tts, false, withFiles);
        if (attachments != null)
        {
            files.bind(owner, guildId, m.channelId(), m.id(), Attachments.ids("{\"attachments\":" + attachments
                + "}"));
        }
        owner.store().appendMessage(m);
        final MessageService.Encoded encoded = messages.encode(g, m, null, "MESSAGE_CREATE", null);
        owner.afterCommit(() ->
        {
            if (wait)
            {
                reply.ok(200, encoded.rest());
            }
            else
            {
                reply.ok(204, (byte[])null);
            }
            ChannelEvents.publish(owner, g, m.channelId(), encoded.event());
        });
    }

    /** {@link OwnerCommands#WEBHOOK_MESSAGE}: guild, webhook, token, op, message, content, embeds, attachments. */
    public void message(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long webhookId = command.getLong();
        final String token = command.getString();
        final int op = command.getInt();
        final long messageId = command.getLong();
        final String content = command.getString();
        final String embeds = command.getString();
        final String attachments = command.getString();
        final String added = Attachments.added(attachments);
        final Webhook w = authorized(owner, guildId, webhookId, token, reply);
        if (w == null)
        {
            releaseNew(added);
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final StoredMessage m = owner.store().message(w.channelId(), messageId);
        if (m == null || m.authorId() != w.id())
        {
            releaseNew(added);
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        if (op == WebhookProxy.GET)
        {
            reply.ok(200, messages.encode(g, m, null, "MESSAGE_CREATE", null).rest());
            return;
        }
        if (op == WebhookProxy.DELETE)
        {
            owner.store().deleteMessage(m.channelId(), messageId);
            final long[] dropped = Attachments.ids(m.extra());
            final byte[] d = Json.bytes(Json.object().put("id", Json.id(messageId))
                .put("channel_id", Json.id(m.channelId())).put("guild_id", Json.id(guildId)));
            final Dispatch event = new Dispatch("MESSAGE_DELETE", d, null,
                dev.pinwheel.gateway.codec.Intents.GUILD_MESSAGES, guildId, 0, 0);
            owner.afterCommit(() ->
            {
                files.release(dropped);
                reply.ok(204, (byte[])null);
                ChannelEvents.publish(owner, g, m.channelId(), event);
            });
            return;
        }
        final ObjectNode extra = MessageExtras.parseExtra(attachments == null ? m.extra()
            : Attachments.edited(m.extra(), attachments));
        if (embeds != null)
        {
            final ArrayNode list = (ArrayNode)Json.parse(embeds);
            if (list.isEmpty())
            {
                extra.remove("embeds");
            }
            else
            {
                extra.set("embeds", list);
            }
        }
        final long[] dropped = attachments == null ? new long[0] : Attachments.dropped(m.extra(), attachments);
        final StoredMessage edited = m.withEdit(content == null ? m.content() : content, MessageExtras.toExtra(extra),
            System.currentTimeMillis());
        if (added != null)
        {
            files.bind(owner, guildId, m.channelId(), messageId, Attachments.ids("{\"attachments\":" + added + "}"));
        }
        owner.store().appendMessage(edited);
        if (dropped.length > 0)
        {
            owner.afterCommit(() -> files.release(dropped));
        }
        messages.acknowledge(owner, g, edited, null, "MESSAGE_UPDATE", null, reply);
    }

    private void releaseNew(final String attachmentsJson)
    {
        if (attachmentsJson != null)
        {
            files.release(Attachments.ids("{\"attachments\":" + attachmentsJson + "}"));
        }
    }

    /**
     * @return the webhook when the token is its own, or (no token) the user may manage the channel's webhooks;
     *         null after answering.
     */
    private static Webhook authorized(final Shard owner, final long guildId, final long webhookId, final String token,
        final Reply reply)
    {
        final Guild g = owner.guilds().get(guildId);
        final Webhook w = g == null ? null : g.webhook(webhookId);
        if (w == null)
        {
            reply.error(DiscordError.UNKNOWN_WEBHOOK);
            return null;
        }
        if (token != null)
        {
            if (!MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
                w.tokenHash().getBytes(StandardCharsets.US_ASCII)))
            {
                reply.error(DiscordError.INVALID_WEBHOOK_TOKEN);
                return null;
            }
            return w;
        }
        final GuildChannel c = g.channel(w.channelId());
        if (g.member(reply.userId()) == null || c == null)
        {
            reply.error(DiscordError.UNKNOWN_WEBHOOK);
            return null;
        }
        if (!Permissions.has(Permissions.in(g, reply.userId(), c), Permissions.VIEW_CHANNEL
            | Permissions.MANAGE_WEBHOOKS))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return null;
        }
        return w;
    }

    /** Commits, answers, and tells the channel's viewers its webhooks changed. */
    private static void updated(final Shard owner, final Guild g, final long channelId, final Reply reply,
        final int status, final byte[] body)
    {
        final byte[] d = Json.bytes(Json.object().put("guild_id", Json.id(g.id())).put("channel_id",
            Json.id(channelId)));
        final Dispatch event = new Dispatch("WEBHOOKS_UPDATE", d, null, WEBHOOKS_INTENT, g.id(), 0, 0);
        owner.afterCommit(() ->
        {
            reply.ok(status, body);
            ChannelEvents.publish(owner, g, channelId, event);
        });
    }

    /** Discord's webhook object (type 1, incoming), without its token. */
    private ObjectNode object(final Webhook w)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(w.id()));
        o.put("type", 1);
        o.put("guild_id", Json.id(w.guildId()));
        o.put("channel_id", Json.id(w.channelId()));
        o.put("name", w.name());
        if (w.avatar() == null)
        {
            o.putNull("avatar");
        }
        else
        {
            o.put("avatar", w.avatar());
        }
        o.putNull("application_id");
        o.set("user", Entities.user(node.accounts().get(w.creatorId()), w.creatorId()));
        return o;
    }

    /** The pseudo-user a webhook's message is authored by. */
    private static ObjectNode author(final Webhook w, final String username)
    {
        final ObjectNode a = Json.object();
        a.put("id", Json.id(w.id()));
        a.put("username", username == null ? w.name() : username);
        a.put("discriminator", "0000");
        a.putNull("global_name");
        if (w.avatar() == null)
        {
            a.putNull("avatar");
        }
        else
        {
            a.put("avatar", w.avatar());
        }
        a.put("bot", true);
        a.put("system", false);
        a.put("flags", 0);
        a.put("public_flags", 0);
        return a;
    }
}
