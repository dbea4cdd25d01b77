package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.GuildSettings;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;

/**
 * The guilds a shard owns: create one, read one, edit one (settings, ownership transfer), delete one. Runs on the owner shard (single writer of the guild and its
 * journal); each operation reads its command's fields in the order {@link GuildProxy} wrote them and answers only
 * through its {@link Reply}, once the change is durable.
 */
public final class GuildService
{
    private final NodeState node;
    private final MemberJoins joins;
    private final GuildVoice voice;
    private final AuditLog audit;
    private FileReleases files = FileReleases.NONE;

    /**
     * @param node  the node's directories (state records apply to them).
     * @param joins told when a user becomes a member, or stops being one (a deleted guild).
     * @param voice the guilds' voice (a deleted guild's channels are emptied).
     * @param audit the guilds' audit logs.
     */
    public GuildService(final NodeState node, final MemberJoins joins, final GuildVoice voice, final AuditLog audit)
    {
        this.node = node;
        this.joins = joins;
        this.voice = voice;
        this.audit = audit;
    }

    /**
     * @param value told which attachments a deletion here drops (the node's file store).
     * @return this.
     */
    public GuildService files(final FileReleases value)
    {
        this.files = value;
        return this;
    }

    /**
     * {@link OwnerCommands#GUILD_CREATE}: guild id, name. The caller owns the new guild, which has a text channel
     * {@code general}; 201 with the guild and its channels, then the caller's sessions subscribe to it.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void create(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final String name = command.getString();
        final String icon = command.getString();
        final long userId = reply.userId();
        StateLog.commit(owner, node, StateRecords.GUILD_CREATED,
            StateRecords.guildCreated(guildId, name, userId, Permissions.EVERYONE_DEFAULT));
        if (icon != null)
        {
            StateLog.commit(owner, node, StateRecords.GUILD_ICON_SET, StateRecords.guildIconSet(guildId, icon));
        }
        final GuildChannel general = new GuildChannel(owner.ids().next(), guildId, GuildChannel.TEXT, "general", 0,
            null, 0, 0, 0);
        StateLog.commit(owner, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(general));
        StateLog.commit(owner, node, StateRecords.MEMBER_ADDED,
            StateRecords.memberAdded(guildId, userId, System.currentTimeMillis()));
        final ObjectNode body = Entities.guild(owner.guilds().get(guildId));
        body.putArray("channels").add(Entities.channel(general, 0));
        final byte[] created = Json.bytes(body);
        owner.afterCommit(() ->
        {
            reply.ok(201, created);
            joins.joined(owner, userId, guildId);
        });
    }

    /**
     * {@link OwnerCommands#GUILD_GET}: guild, with counts. Members only.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final boolean withCounts = command.getBoolean();
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        if (g == null)
        {
            return;
        }
        final ObjectNode body = Entities.guild(g);
        if (withCounts)
        {
            body.put("approximate_member_count", g.memberCount());
            body.put("approximate_presence_count", 0);
        }
        reply.ok(200, body);
    }

    /**
     * {@link OwnerCommands#GUILD_EDIT}: guild, name, description given, description, owner, system channel, AFK
     * channel, AFK timeout, verification level, default notifications, explicit content filter (null or KEEP:
     * unchanged). MANAGE_GUILD; a new owner only by the owner (50013) and among the members (10007); a system channel
     * must be a text channel of the guild, an AFK channel a voice channel (10003). 200 with the guild; GUILD_UPDATE
     * and an audit log entry with the changes.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final String name = command.getString();
        final boolean descriptionGiven = command.getBoolean();
        final String description = command.getString();
        final long newOwner = command.getLong();
        final long system = command.getLong();
        final long afk = command.getLong();
        final int afkTimeout = command.getInt();
        final int verification = command.getInt();
        final int notifications = command.getInt();
        final int filter = command.getInt();
        final boolean iconGiven = command.getBoolean();
        final String icon = command.getString();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_GUILD, reply);
        if (g == null)
        {
            return;
        }
        if (newOwner != OwnerCommands.KEEP && newOwner != g.ownerId())
        {
            if (reply.userId() != g.ownerId())
            {
                reply.error(DiscordError.MISSING_PERMISSIONS);
                return;
            }
            if (g.member(newOwner) == null)
            {
                reply.error(DiscordError.UNKNOWN_MEMBER);
                return;
            }
        }
        if (!channelOfType(g, system, GuildChannel.TEXT, reply) || !channelOfType(g, afk, GuildChannel.VOICE, reply))
        {
            return;
        }
        final GuildSettings was = g.settings();
        final GuildSettings now = new GuildSettings(descriptionGiven ? description : was.description(),
            system == OwnerCommands.KEEP ? was.systemChannelId() : system,
            afk == OwnerCommands.KEEP ? was.afkChannelId() : afk,
            afkTimeout == OwnerCommands.KEEP ? was.afkTimeoutSeconds() : afkTimeout,
            verification == OwnerCommands.KEEP ? was.verificationLevel() : verification,
            notifications == OwnerCommands.KEEP ? was.defaultNotifications() : notifications,
            filter == OwnerCommands.KEEP ? was.explicitContentFilter() : filter);
        final ObjectNode before = Entities.guild(g);
        StateLog.commit(owner, node, StateRecords.GUILD_UPDATED, StateRecords.guildUpdated(guildId,
            name == null ? g.name() : name, newOwner == OwnerCommands.KEEP ? g.ownerId() : newOwner, now));
        if (iconGiven)
        {
            StateLog.commit(owner, node, StateRecords.GUILD_ICON_SET, StateRecords.guildIconSet(guildId, icon));
        }
        final ObjectNode after = Entities.guild(g);
        final ArrayNode changes = Json.array();
        for (final String key : new String[] {"name", "icon", "description", "owner_id", "system_channel_id",
            "afk_channel_id", "afk_timeout", "verification_level", "default_message_notifications",
            "explicit_content_filter"})
        {
            if (!before.path(key).equals(after.path(key)))
            {
                AuditLog.change(changes, key, before.get(key), after.get(key));
            }
        }
        if (!changes.isEmpty())
        {
            audit.record(owner, g, reply, AuditLog.GUILD_UPDATE, guildId, changes);
        }
        final byte[] body = Json.bytes(after);
        final Dispatch update = new Dispatch("GUILD_UPDATE", body, null, Intents.GUILDS, guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, update);
            reply.ok(200, body);
        });
    }

    /** @return whether {@code id} (KEEP or 0: none) is a channel of that type in the guild; 10003 otherwise. */
    private static boolean channelOfType(final Guild g, final long id, final int type, final Reply reply)
    {
        if (id == OwnerCommands.KEEP || id == 0)
        {
            return true;
        }
        final GuildChannel c = g.channel(id);
        if (c == null || c.type() != type)
        {
            reply.error(DiscordError.UNKNOWN_CHANNEL);
            return false;
        }
        return true;
    }

    /**
     * {@link OwnerCommands#GUILD_DELETE}: guild. The owner only (50013). Voice emptied, GUILD_DELETED journaled
     * (the guild, its channels, invites and memberships forgotten), then every member's sessions drop it
     * ({@code GUILD_DELETE}). 204.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void delete(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        if (g == null)
        {
            return;
        }
        if (g.ownerId() != reply.userId())
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return;
        }
        for (final GuildChannel c : g.channels())
        {
            if (c.type() == GuildChannel.VOICE)
            {
                voice.disconnectAll(owner, guildId, c.id());
            }
        }
        final long[] members = g.members().stream().mapToLong(Member::userId).toArray();
        StateLog.commit(owner, node, StateRecords.GUILD_DELETED, StateRecords.guildDeleted(guildId));
        AttachmentOwnership.dropAfterCommit(owner, files, guildId, 0);
        owner.afterCommit(() ->
        {
            reply.ok(204, (byte[])null);
            joins.guildDeleted(owner, guildId, members);
        });
    }
}
