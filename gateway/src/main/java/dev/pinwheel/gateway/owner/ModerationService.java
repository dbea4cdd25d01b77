package dev.pinwheel.gateway.owner;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Ban;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;

/**
 * Removing people from the guilds a shard owns: kick, leave, ban (with their recent messages), lift a ban, bulk ban,
 * read bans. Runs on the owner shard; each operation reads its command's fields in the order {@link ModerationProxy}
 * wrote them and answers only through its {@link Reply}. Acting on a member follows Discord's hierarchy
 * ({@link RoleHierarchy#outranks}: never the owner, only members below one's highest role).
 * <pre>
 *   removal:  MEMBER_REMOVED journaled ─▶ voice left ─▶ after commit: GUILD_MEMBER_REMOVE to the guild,
 *             then MemberJoins#left: every shard drops the user's sessions from the guild (GUILD_DELETE)
 *   ban:      BAN_ADDED journaled (survives restarts; a banned user's invite join is 40007), the removal above if a
 *             member, their messages of the last delete_message_seconds deleted (MESSAGE_DELETE_BULK per channel),
 *             GUILD_BAN_ADD (GUILD_MODERATION)
 * </pre>
 */
public final class ModerationService
{
    /** Discord's longest {@code delete_message_seconds}: 7 days. */
    public static final int MAX_DELETE_SECONDS = 604_800;
    /** Messages looked at per channel when a ban deletes messages (newest first): bounds the owner's work. */
    private static final int MAX_SCANNED_PER_CHANNEL = 10_000;
    private static final int PAGE = 100;

    private final NodeState node;
    private final GuildVoice voice;
    private final MemberJoins members;
    private final AuditLog audit;
    private FileReleases files = FileReleases.NONE;

    /**
     * @param node    the node's directories (state records apply to them; accounts for user bodies).
     * @param voice   the guilds' voice (a removed member leaves its channel).
     * @param members told when a user stops being a member (their sessions drop the guild).
     * @param audit   the guilds' audit logs.
     */
    public ModerationService(final NodeState node, final GuildVoice voice, final MemberJoins members,
        final AuditLog audit)
    {
        this.node = node;
        this.voice = voice;
        this.members = members;
        this.audit = audit;
    }

    /**
     * @param value told which attachments a deletion here drops (the node's file store).
     * @return this.
     */
    public ModerationService files(final FileReleases value)
    {
        this.files = value;
        return this;
    }

    /**
     * {@link OwnerCommands#MEMBER_REMOVE}: guild, member, leave. A leave: the caller leaves (10004 if no member; the
     * owner cannot: 50055). A kick: KICK_MEMBERS and the hierarchy (50013), 10007 for no member. 204.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void remove(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long memberId = command.getLong();
        final boolean leave = command.getBoolean();
        final Guild g;
        if (leave)
        {
            g = owner.guilds().get(guildId);
            if (g == null || g.member(memberId) == null)
            {
                reply.error(g == null && GuildAccess.elsewhere(owner, guildId) ? DiscordError.GUILD_MOVING
                    : DiscordError.UNKNOWN_GUILD);
                return;
            }
            if (g.ownerId() == memberId)
            {
                reply.error(DiscordError.INVALID_GUILD);
                return;
            }
        }
        else
        {
            g = GuildAccess.guildWith(owner, guildId, Permissions.KICK_MEMBERS, reply);
            if (g == null)
            {
                return;
            }
            if (g.member(memberId) == null)
            {
                reply.error(DiscordError.UNKNOWN_MEMBER);
                return;
            }
            if (!RoleHierarchy.outranks(g, reply.userId(), memberId))
            {
                reply.error(DiscordError.MISSING_PERMISSIONS);
                return;
            }
        }
        removeMember(owner, g, memberId);
        if (!leave)
        {
            audit.record(owner, g, reply, AuditLog.MEMBER_KICK, memberId, null);
        }
        owner.afterCommit(() -> reply.ok(204, (byte[])null));
    }

    /**
     * Removes a member: journaled (a bot's managed role deleted with it: GUILD_ROLE_DELETE), out of voice, then (after
     * the commit) GUILD_MEMBER_REMOVE to the guild and the user's sessions told. Also for a deleted guild's members ({@link GuildService}).
     *
     * @param owner  this shard.
     * @param g      the guild.
     * @param userId a member of it.
     */
    void removeMember(final Shard owner, final Guild g, final long userId)
    {
        final long guildId = g.id();
        StateLog.commit(owner, node, StateRecords.MEMBER_REMOVED, StateRecords.memberRemoved(guildId, userId));
        for (final dev.pinwheel.core.guild.Role r : g.roles().toArray(new dev.pinwheel.core.guild.Role[0]))
        {
            if (r.botId() == userId) // a bot's managed role leaves with it
            {
                StateLog.commit(owner, node, StateRecords.ROLE_DELETED, StateRecords.roleDeleted(guildId, r.id()));
                final Dispatch roleGone = new Dispatch("GUILD_ROLE_DELETE", Json.bytes(Json.object()
                    .put("guild_id", Json.id(guildId)).put("role_id", Json.id(r.id()))), null, Intents.GUILDS, guildId,
                    0, 0);
                owner.afterCommit(() -> owner.publish(g, roleGone));
            }
        }
        final VoiceStates.VoiceState vs = voice.state(owner, guildId, userId);
        if (vs != null && vs.channelId != 0)
        {
            voice.move(owner, guildId, vs, 0);
        }
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(guildId));
        d.set("user", Entities.user(node.accounts().get(userId), userId));
        final Dispatch event = new Dispatch("GUILD_MEMBER_REMOVE", Json.bytes(d), null, Intents.GUILD_MEMBERS,
            guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            members.left(owner, userId, guildId);
        });
    }

    /**
     * {@link OwnerCommands#BAN_LIST}: guild, limit, before, after. BAN_MEMBERS; by user id, as Discord pages them.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final int limit = command.getInt();
        final long before = command.getLong();
        final long after = command.getLong();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.BAN_MEMBERS, reply);
        if (g == null)
        {
            return;
        }
        final ArrayNode arr = Json.array();
        for (final long userId : g.banIdsPage(after, before, limit))
        {
            arr.add(ban(g.ban(userId)));
        }
        reply.ok(200, arr);
    }

    /**
     * {@link OwnerCommands#BAN_GET}: guild, user. BAN_MEMBERS; 10026 if the user is not banned.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.BAN_MEMBERS, reply);
        if (g == null)
        {
            return;
        }
        final Ban b = g.ban(userId);
        if (b == null)
        {
            reply.error(DiscordError.UNKNOWN_BAN);
            return;
        }
        reply.ok(200, ban(b));
    }

    /**
     * {@link OwnerCommands#BAN_ADD} and {@link OwnerCommands#BAN_BULK}: guild, users, delete seconds. BAN_MEMBERS
     * (a bulk ban MANAGE_GUILD too); a member must be below the caller (50013); an unknown user is 10013. One ban:
     * 204 (banning again replaces the reason). A bulk ban: 200 {@code {banned_users, failed_users}} (the already
     * banned, unknown and higher ones fail), 500000 if none was banned.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void ban(final Shard owner, final CommandReader command, final Reply reply)
    {
        final boolean bulk = command.type() == OwnerCommands.BAN_BULK;
        final long guildId = command.getLong();
        final long[] userIds = command.getLongs();
        final int deleteSeconds = command.getInt();
        final Guild g = GuildAccess.guildWith(owner, guildId, bulk ? Permissions.BAN_MEMBERS | Permissions.MANAGE_GUILD
            : Permissions.BAN_MEMBERS, reply);
        if (g == null)
        {
            return;
        }
        final ArrayNode banned = Json.array();
        final ArrayNode failed = Json.array();
        final List<Long> done = new ArrayList<>();
        for (final long userId : userIds)
        {
            final DiscordError refused = node.accounts().get(userId) == null ? DiscordError.UNKNOWN_USER
                : g.member(userId) != null && !RoleHierarchy.outranks(g, reply.userId(), userId)
                    || userId == reply.userId() || userId == g.ownerId() ? DiscordError.MISSING_PERMISSIONS
                : bulk && (g.ban(userId) != null || done.contains(userId)) ? DiscordError.UNKNOWN_BAN : null;
            if (refused != null)
            {
                if (!bulk)
                {
                    reply.error(refused);
                    return;
                }
                failed.add(Json.id(userId));
                continue;
            }
            done.add(userId);
            banned.add(Json.id(userId));
            banOne(owner, g, userId, deleteSeconds, reply);
        }
        if (!bulk)
        {
            owner.afterCommit(() -> reply.ok(204, (byte[])null));
        }
        else if (banned.isEmpty())
        {
            reply.error(DiscordError.BULK_BAN_FAILED);
        }
        else
        {
            final ObjectNode body = Json.object();
            body.set("banned_users", banned);
            body.set("failed_users", failed);
            final byte[] answer = Json.bytes(body);
            owner.afterCommit(() -> reply.ok(200, answer));
        }
    }

    private void banOne(final Shard owner, final Guild g, final long userId, final int deleteSeconds,
        final Reply reply)
    {
        StateLog.commit(owner, node, StateRecords.BAN_ADDED, StateRecords.banAdded(g.id(), userId, reply.reason()));
        if (g.member(userId) != null)
        {
            removeMember(owner, g, userId);
        }
        if (deleteSeconds > 0)
        {
            deleteRecentMessages(owner, g, userId, deleteSeconds);
        }
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(g.id()));
        d.set("user", Entities.user(node.accounts().get(userId), userId));
        final Dispatch event = new Dispatch("GUILD_BAN_ADD", Json.bytes(d), null, Intents.GUILD_MODERATION, g.id(),
            0, 0);
        owner.afterCommit(() -> owner.publish(g, event));
        audit.record(owner, g, reply, AuditLog.MEMBER_BAN_ADD, userId, null);
    }

    /**
     * Deletes what a user wrote in the guild during the last {@code seconds}: one MESSAGE_DELETE_BULK per channel.
     */
    private void deleteRecentMessages(final Shard owner, final Guild g, final long userId, final int seconds)
    {
        final long oldest = SnowflakeIds.fromTimestamp(System.currentTimeMillis() - seconds * 1000L);
        for (final GuildChannel c : g.channels())
        {
            final ArrayNode ids = Json.array();
            long anchor = Long.MAX_VALUE;
            int scanned = 0;
            boolean more = true;
            while (more && scanned < MAX_SCANNED_PER_CHANNEL)
            {
                final List<StoredMessage> page = owner.store().history(c.id(), anchor == Long.MAX_VALUE
                    ? HistoryQuery.LATEST : HistoryQuery.BEFORE, anchor, PAGE);
                more = page.size() == PAGE;
                for (final StoredMessage m : page)
                {
                    scanned++;
                    if (m.id() >= anchor || m.id() < oldest)
                    {
                        more = false; // older than the window (or a store that does not page: stop)
                        break;
                    }
                    anchor = m.id();
                    if (m.authorId() == userId && owner.store().deleteMessage(c.id(), m.id()))
                    {
                        ids.add(Json.id(m.id()));
                        final long[] dropped = Attachments.ids(m.extra());
                        if (dropped.length > 0)
                        {
                            owner.afterCommit(() -> files.release(dropped));
                        }
                    }
                }
            }
            if (!ids.isEmpty())
            {
                final ObjectNode d = Json.object();
                d.set("ids", ids);
                d.put("channel_id", Json.id(c.id()));
                d.put("guild_id", Json.id(g.id()));
                final Dispatch event = new Dispatch("MESSAGE_DELETE_BULK", Json.bytes(d), null, Intents.GUILD_MESSAGES,
                    g.id(), 0, 0);
                owner.afterCommit(() -> ChannelEvents.publish(owner, g, c, event));
            }
        }
    }

    /**
     * {@link OwnerCommands#BAN_REMOVE}: guild, user. BAN_MEMBERS; 10026 if not banned. 204, GUILD_BAN_REMOVE.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void unban(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.BAN_MEMBERS, reply);
        if (g == null)
        {
            return;
        }
        if (g.ban(userId) == null)
        {
            reply.error(DiscordError.UNKNOWN_BAN);
            return;
        }
        StateLog.commit(owner, node, StateRecords.BAN_REMOVED, StateRecords.banRemoved(guildId, userId));
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(guildId));
        d.set("user", Entities.user(node.accounts().get(userId), userId));
        final Dispatch event = new Dispatch("GUILD_BAN_REMOVE", Json.bytes(d), null, Intents.GUILD_MODERATION,
            guildId, 0, 0);
        audit.record(owner, g, reply, AuditLog.MEMBER_BAN_REMOVE, userId, null);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            reply.ok(204, (byte[])null);
        });
    }

    private ObjectNode ban(final Ban b)
    {
        final ObjectNode o = Json.object();
        if (b.reason() == null)
        {
            o.putNull("reason");
        }
        else
        {
            o.put("reason", b.reason());
        }
        o.set("user", Entities.user(node.accounts().get(b.userId()), b.userId()));
        return o;
    }
}
