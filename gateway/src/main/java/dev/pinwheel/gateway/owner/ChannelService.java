package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Overwrite;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Intents;

/**
 * The channels of the guilds a shard owns: list, create, read, edit, delete, and the typing indicator. Runs on the
 * owner shard (single writer of the guild and its journal); each operation reads its command's fields in the order
 * {@link ChannelProxy} wrote them and answers only through its {@link Reply}. A change is journaled as the whole
 * channel (CHANNEL_CREATED, CHANNEL_DELETED), answered and dispatched (CHANNEL_CREATE/UPDATE/DELETE) once durable.
 */
public final class ChannelService
{
    private static final String PARENT_INVALID = "CHANNEL_PARENT_INVALID";
    private static final String NOT_A_CATEGORY = "Not a category in this guild.";

    private static final String[] AUDITED = {"name", "type", "position", "topic", "bitrate", "user_limit",
        "parent_id"};
    private final NodeState node;
    private final GuildVoice voice;
    private final AuditLog audit;
    private FileReleases files = FileReleases.NONE;
    private MemberListUpdates lazyGuilds;

    /**
     * @param node  the node's directories (state records apply to them; accounts for typing's member).
     * @param voice the guilds' voice (a deleted voice channel is emptied).
     * @param audit the guilds' audit logs (channels created, changed, deleted).
     */
    public ChannelService(final NodeState node, final GuildVoice voice, final AuditLog audit)
    {
        this.node = node;
        this.voice = voice;
        this.audit = audit;
    }

    /**
     * {@link OwnerCommands#CHANNEL_LIST}: guild. Members only.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final Guild g = GuildAccess.guild(owner, command.getLong(), reply);
        if (g == null)
        {
            return;
        }
        final ArrayNode arr = Json.array();
        for (final GuildChannel c : g.channels())
        {
            if (g.sees(reply.userId(), c))
            {
                arr.add(Entities.channel(c, owner.store().lastMessageId(c.id())));
            }
        }
        reply.ok(200, arr);
    }

    /**
     * {@link OwnerCommands#CHANNEL_CREATE}: guild, name, type, topic, bitrate, user limit, parent (MANAGE_CHANNELS;
     * the parent must be a category of the guild). 201 with the channel, CHANNEL_CREATE.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void create(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final String name = command.getString();
        final int type = command.getInt();
        final String topic = command.getString();
        final int bitrate = command.getInt();
        final int userLimit = command.getInt();
        final long parentId = command.getLong();
        final long[] overwriteFields = command.getLongs();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_CHANNELS, reply);
        if (g == null)
        {
            return;
        }
        if (g.channelCount() >= Guild.MAX_CHANNELS)
        {
            reply.error(DiscordError.MAX_GUILD_CHANNELS);
            return;
        }
        final Overwrite[] overwrites = overwriteFields == null ? new Overwrite[0]
            : mayOverwrite(g, Permissions.of(g, reply.userId()), decode(overwriteFields), reply);
        if (overwrites == null)
        {
            return;
        }
        if (parentId != 0 && !isCategory(g, parentId))
        {
            reply.invalidField("parent_id", PARENT_INVALID, NOT_A_CATEGORY);
            return;
        }
        final GuildChannel c = new GuildChannel(owner.ids().next(), guildId, type, name, g.channels().size(), topic,
            type == GuildChannel.VOICE ? (bitrate == 0 ? 64000 : bitrate) : 0, userLimit, parentId, overwrites);
        StateLog.commit(owner, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(c));
        audit.record(owner, g, reply, AuditLog.CHANNEL_CREATE, c.id(), AuditLog.diff(null, Entities.channel(c, 0),
            AUDITED));
        final byte[] d = Json.bytes(Entities.channel(c, 0));
        final Dispatch event = new Dispatch("CHANNEL_CREATE", d, null, Intents.GUILDS, guildId, 0, 0);
        owner.afterCommit(() ->
        {
            reply.ok(201, d);
            ChannelEvents.publish(owner, g, c, event);
        });
    }

    /**
     * {@link OwnerCommands#CHANNEL_GET}: guild, channel. Members only.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        final GuildChannel c = g == null ? null : GuildAccess.channel(g, channelId, reply);
        if (c != null && !g.sees(reply.userId(), c))
        {
            reply.error(DiscordError.MISSING_ACCESS);
        }
        else if (c != null)
        {
            reply.ok(200, Entities.channel(c, owner.store().lastMessageId(c.id())));
        }
    }

    /**
     * {@link OwnerCommands#CHANNEL_EDIT}: guild, channel, name, topic ({@code ""} clears), position, bitrate, user
     * limit, parent (0: none) — null or {@link OwnerCommands#KEEP}: unchanged; bitrate and user limit change voice
     * channels only. MANAGE_CHANNELS; journaled as the whole channel, 200 with it, CHANNEL_UPDATE.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final String name = command.getString();
        final String topic = command.getString();
        final int position = command.getInt();
        final int bitrate = command.getInt();
        final int userLimit = command.getInt();
        final long parentId = command.getLong();
        final long[] overwriteFields = command.getLongs();
        final GuildChannel c = GuildAccess.channelWith(owner, guildId, channelId, Permissions.MANAGE_CHANNELS, reply);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final Overwrite[] overwrites = overwriteFields == null ? c.overwrites()
            : mayOverwrite(g, Permissions.in(g, reply.userId(), c), decode(overwriteFields), reply);
        if (overwrites == null)
        {
            return;
        }
        if (parentId > 0 && (!isCategory(g, parentId) || parentId == channelId))
        {
            reply.invalidField("parent_id", PARENT_INVALID, NOT_A_CATEGORY);
            return;
        }
        final boolean voiceChannel = c.type() == GuildChannel.VOICE;
        final GuildChannel changed = new GuildChannel(c.id(), guildId, c.type(), name == null ? c.name() : name,
            position == OwnerCommands.KEEP ? c.position() : position,
            topic == null ? c.topic() : topic.isEmpty() ? null : topic,
            bitrate == OwnerCommands.KEEP || !voiceChannel ? c.bitrate() : bitrate,
            userLimit == OwnerCommands.KEEP || !voiceChannel ? c.userLimit() : userLimit,
            parentId == OwnerCommands.KEEP ? c.parentId() : parentId, overwrites);
        final org.agrona.collections.LongHashSet before = g.viewers(c);
        StateLog.commit(owner, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(changed));
        audit.record(owner, owner.guilds().get(guildId), reply, AuditLog.CHANNEL_UPDATE, channelId, AuditLog.diff(
            Entities.channel(c, 0), Entities.channel(changed, 0), AUDITED));
        final byte[] d = Json.bytes(Entities.channel(changed, owner.store().lastMessageId(channelId)));
        announce(owner, g, before, changed, d);
        owner.afterCommit(() -> reply.ok(200, d));
    }

    /**
     * {@link OwnerCommands#CHANNEL_OVERWRITE_PUT} and {@link OwnerCommands#CHANNEL_OVERWRITE_DELETE}: guild, channel,
     * target, type, allow, deny. MANAGE_ROLES in the channel, and only bits the caller holds there may be allowed or
     * denied (50013); a role must exist (10011), a member be one (10007); deleting a missing overwrite is 10009. 204;
     * CHANNEL_UPDATE to those who see the channel now, CHANNEL_DELETE to those who lost it, CHANNEL_CREATE to those
     * who gained it; an audit log entry.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void overwrite(final Shard owner, final CommandReader command, final Reply reply)
    {
        final boolean remove = command.type() == OwnerCommands.CHANNEL_OVERWRITE_DELETE;
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long targetId = command.getLong();
        final int type = command.getInt();
        final long allow = command.getLong();
        final long deny = command.getLong();
        final GuildChannel c = GuildAccess.channelWith(owner, guildId, channelId, Permissions.MANAGE_ROLES, reply);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final Overwrite old = c.overwrite(targetId);
        final java.util.List<Overwrite> next = new java.util.ArrayList<>(java.util.Arrays.asList(c.overwrites()));
        next.removeIf(o -> o.id() == targetId);
        if (remove && old == null)
        {
            reply.error(DiscordError.UNKNOWN_OVERWRITE);
            return;
        }
        if (!remove)
        {
            next.add(new Overwrite(targetId, type, allow, deny));
        }
        final Overwrite[] overwrites = mayOverwrite(g, Permissions.in(g, reply.userId(), c),
            next.toArray(Overwrite[]::new), reply);
        if (overwrites == null)
        {
            return;
        }
        final GuildChannel changed = c.withOverwrites(overwrites);
        final org.agrona.collections.LongHashSet before = g.viewers(c);
        StateLog.commit(owner, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(changed));
        final com.fasterxml.jackson.databind.node.ArrayNode changes = Json.array();
        final com.fasterxml.jackson.databind.JsonNode was = old == null ? null : Entities.overwrites(
            new Overwrite[] {old}).get(0);
        final com.fasterxml.jackson.databind.JsonNode now = remove ? null : Entities.overwrites(
            new Overwrite[] {changed.overwrite(targetId)}).get(0);
        for (final String key : new String[] {"id", "type", "allow", "deny"})
        {
            if (was == null || now == null || !was.get(key).equals(now.get(key)))
            {
                AuditLog.change(changes, key, was == null ? null : was.get(key), now == null ? null : now.get(key));
            }
        }
        audit.record(owner, g, reply, remove ? AuditLog.CHANNEL_OVERWRITE_DELETE : old == null
            ? AuditLog.CHANNEL_OVERWRITE_CREATE : AuditLog.CHANNEL_OVERWRITE_UPDATE, channelId, changes,
            Json.object().put("id", Json.id(targetId)).put("type", Integer.toString(type)));
        announce(owner, g, before, changed,
            Json.bytes(Entities.channel(changed, owner.store().lastMessageId(channelId))));
        owner.afterCommit(() -> reply.ok(204, (byte[])null));
    }

    /**
     * After a channel's overwrites may have changed who sees it: CHANNEL_UPDATE to its viewers now, CHANNEL_DELETE to
     * each member who no longer sees it, CHANNEL_CREATE to each who now does (published after the commit).
     */
    private static void announce(final Shard owner, final Guild g, final org.agrona.collections.LongHashSet before,
        final GuildChannel changed, final byte[] d)
    {
        final org.agrona.collections.LongHashSet after = g.viewers(changed);
        final long guildId = g.id();
        final Dispatch update = new Dispatch("CHANNEL_UPDATE", d, null, Intents.GUILDS, guildId, 0, 0, after);
        final java.util.List<Dispatch> visibility = new java.util.ArrayList<>();
        if (before != null || after != null)
        {
            for (final dev.pinwheel.core.guild.Member m : g.members())
            {
                final long u = m.userId();
                final boolean saw = before == null || before.contains(u);
                final boolean sees = after == null || after.contains(u);
                if (saw != sees)
                {
                    visibility.add(new Dispatch(sees ? "CHANNEL_CREATE" : "CHANNEL_DELETE", d, null, Intents.GUILDS,
                        guildId, 0, u));
                }
            }
        }
        owner.afterCommit(() ->
        {
            for (final Dispatch v : visibility)
            {
                owner.publish(g, v); // first: a member who gains the channel knows it before its update
            }
            owner.publish(g, update);
        });
    }

    /**
     * @return the overwrites if the caller may set them (only bits they hold, unless everything; roles that exist,
     *         members of the guild), else null after the error answer.
     */
    private static Overwrite[] mayOverwrite(final Guild g, final long callerPerms, final Overwrite[] overwrites,
        final Reply reply)
    {
        for (final Overwrite o : overwrites)
        {
            if (callerPerms != Permissions.ALL && ((o.allow() | o.deny()) & ~callerPerms) != 0)
            {
                reply.error(DiscordError.MISSING_PERMISSIONS);
                return null;
            }
            if (o.type() == Overwrite.ROLE ? g.role(o.id()) == null : g.member(o.id()) == null)
            {
                reply.error(o.type() == Overwrite.ROLE ? DiscordError.UNKNOWN_ROLE : DiscordError.UNKNOWN_MEMBER);
                return null;
            }
        }
        return overwrites;
    }

    /** @return overwrites from their fields: id, type, allow, deny for each. */
    private static Overwrite[] decode(final long[] fields)
    {
        final Overwrite[] overwrites = new Overwrite[fields.length / 4];
        for (int i = 0; i < overwrites.length; i++)
        {
            overwrites[i] = new Overwrite(fields[4 * i], (int)fields[4 * i + 1], fields[4 * i + 2], fields[4 * i + 3]);
        }
        return overwrites;
    }

    /**
     * {@link OwnerCommands#CHANNEL_DELETE}: guild, channel. MANAGE_CHANNELS; whoever is in a deleted voice channel
     * leaves it first (VOICE_STATE_UPDATE); 200 with the deleted channel, CHANNEL_DELETE.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void delete(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final GuildChannel c = GuildAccess.channelWith(owner, guildId, channelId, Permissions.MANAGE_CHANNELS, reply);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        if (c.type() == GuildChannel.VOICE)
        {
            voice.disconnectAll(owner, guildId, channelId);
        }
        StateLog.commit(owner, node, StateRecords.CHANNEL_DELETED, StateRecords.channelDeleted(guildId, channelId));
        AttachmentOwnership.dropAfterCommit(owner, files, guildId, channelId);
        audit.record(owner, g, reply, AuditLog.CHANNEL_DELETE, channelId, AuditLog.diff(Entities.channel(c, 0), null,
            AUDITED));
        final byte[] d = Json.bytes(Entities.channel(c, owner.store().lastMessageId(channelId)));
        final Dispatch event = new Dispatch("CHANNEL_DELETE", d, null, Intents.GUILDS, guildId, 0, 0);
        owner.afterCommit(() ->
        {
            reply.ok(200, d);
            ChannelEvents.publish(owner, g, c, event);
        });
    }

    /**
     * @param value told which attachments a deletion here drops (the node's file store).
     * @return this.
     */
    public ChannelService files(final FileReleases value)
    {
        this.files = value;
        return this;
    }

    /**
     * @param lists this shard's member lists: in a lazy guild, typing goes only to the sessions subscribed to them.
     */
    void lazyGuilds(final MemberListUpdates lists)
    {
        this.lazyGuilds = lists;
    }

    /**
     * {@link OwnerCommands#TYPING}: guild, channel (VIEW_CHANNEL, SEND_MESSAGES). 204, then TYPING_START with the
     * member; nothing is journaled.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void typing(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        if (GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES,
            reply) == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final ObjectNode d = Json.object();
        d.put("channel_id", Json.id(channelId));
        d.put("guild_id", Json.id(guildId));
        d.put("user_id", Json.id(reply.userId()));
        d.put("timestamp", System.currentTimeMillis() / 1000);
        d.set("member", Entities.member(g.member(reply.userId()), node.accounts(), true));
        reply.ok(204, (byte[])null);
        final Dispatch typing = new Dispatch("TYPING_START", Json.bytes(d), null, Intents.GUILD_MESSAGE_TYPING,
            guildId, 0, 0);
        final org.agrona.collections.LongHashSet subscribed = lazyGuilds == null ? null
            : lazyGuilds.presenceAudience(g);
        if (subscribed == null)
        {
            ChannelEvents.publish(owner, g, channelId, typing);
            return;
        }
        // a lazy guild: only those who look at its member list, of those who see the channel
        final org.agrona.collections.LongHashSet viewers = g.viewers(g.channel(channelId));
        org.agrona.collections.LongHashSet audience = subscribed;
        if (viewers != null)
        {
            audience = new org.agrona.collections.LongHashSet();
            for (final long u : subscribed.toArray(new Long[0]))
            {
                if (viewers.contains(u))
                {
                    audience.add(u);
                }
            }
        }
        owner.publish(g, typing.withAudience(audience));
    }

    /**
     * {@link OwnerCommands#CHANNEL_POSITIONS}: guild, then per channel (id, position, parent, lock permissions) —
     * position and parent {@link OwnerCommands#KEEP} when not given, parent 0 for none. MANAGE_CHANNELS; every
     * channel must be the guild's (10003) and every parent one of its categories (50035), checked before anything
     * changes. Lock permissions gives a channel its (new) category's overwrites. Each changed channel is journaled
     * whole and announced (CHANNEL_UPDATE, and CHANNEL_CREATE/DELETE to whoever gains or loses it); 204.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void positions(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long[] moves = command.getLongs();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_CHANNELS, reply);
        if (g == null)
        {
            return;
        }
        final int count = moves == null ? 0 : moves.length / 4;
        for (int i = 0; i < count; i++)
        {
            final GuildChannel c = g.channel(moves[4 * i]);
            final long parentId = moves[4 * i + 2];
            if (c == null)
            {
                reply.error(DiscordError.UNKNOWN_CHANNEL);
                return;
            }
            if (parentId > 0 && (!isCategory(g, parentId) || parentId == c.id() || c.type() == GuildChannel.CATEGORY))
            {
                reply.invalidField("parent_id", PARENT_INVALID, NOT_A_CATEGORY);
                return;
            }
        }
        for (int i = 0; i < count; i++)
        {
            final GuildChannel c = g.channel(moves[4 * i]);
            final int position = (int)moves[4 * i + 1];
            final long parentId = moves[4 * i + 2] == OwnerCommands.KEEP ? c.parentId() : moves[4 * i + 2];
            final GuildChannel parent = parentId > 0 ? g.channel(parentId) : null;
            final GuildChannel changed = new GuildChannel(c.id(), guildId, c.type(), c.name(),
                position == OwnerCommands.KEEP ? c.position() : position, c.topic(), c.bitrate(), c.userLimit(),
                parentId, moves[4 * i + 3] == 1 && parent != null ? parent.overwrites() : c.overwrites());
            if (changed.equals(c))
            {
                continue;
            }
            final org.agrona.collections.LongHashSet before = g.viewers(c);
            StateLog.commit(owner, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(changed));
            audit.record(owner, g, reply, AuditLog.CHANNEL_UPDATE, c.id(), AuditLog.diff(Entities.channel(c, 0),
                Entities.channel(changed, 0), AUDITED));
            announce(owner, g, before, changed, Json.bytes(Entities.channel(changed,
                owner.store().lastMessageId(c.id()))));
        }
        owner.afterCommit(() -> reply.ok(204, (byte[])null));
    }

    private static boolean isCategory(final Guild g, final long channelId)
    {
        final GuildChannel parent = g.channel(channelId);
        return parent != null && parent.type() == GuildChannel.CATEGORY;
    }
}
