package dev.pinwheel.gateway.owner;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Intents;

/**
 * The members of the guilds a shard owns: read one, list, search, edit (nickname, roles, server mute/deafen, voice
 * move/disconnect), give and take a role. Runs on the owner shard; each operation reads its command's fields in the
 * order {@link MemberProxy} wrote them and answers only through its {@link Reply}. Nicknames and roles are journaled
 * (MEMBER_NICK_CHANGED, MEMBER_ROLES_SET) and announced with one GUILD_MEMBER_UPDATE after the commit; voice changes
 * go through {@link GuildVoice}, as the member's own op 4 would.
 */
public final class MemberService
{
    private final NodeState node;
    private final GuildVoice voice;
    private final AuditLog audit;
    private MemberListUpdates lists;

    /**
     * @param node  the node's directories (state records apply to them; accounts for member bodies and search).
     * @param voice the guilds' voice (server mute/deafen, moves).
     * @param audit the guilds' audit logs (nicknames, roles, timeouts).
     */
    public MemberService(final NodeState node, final GuildVoice voice, final AuditLog audit)
    {
        this.node = node;
        this.voice = voice;
        this.audit = audit;
    }

    /**
     * @param updates this shard's member lists, told when a member's roles or nickname changed.
     */
    void lazyGuilds(final MemberListUpdates updates)
    {
        this.lists = updates;
    }

    private void listsFollow(final Shard owner, final Guild g, final long userId)
    {
        if (lists != null)
        {
            lists.memberUpdated(owner, g, userId);
        }
    }

    /**
     * {@link OwnerCommands#MEMBER_GET}: guild, member. Members only; 10007 for a user who is no member.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long memberId = command.getLong();
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        final Member m = g == null ? null : member(g, memberId, reply);
        if (m != null)
        {
            reply.ok(200, Entities.member(m, node.accounts(), true));
        }
    }

    /**
     * {@link OwnerCommands#MEMBER_LIST}: guild, limit, after. Members only; by user id, those above {@code after}.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final int limit = command.getInt();
        final long after = command.getLong();
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        if (g == null)
        {
            return;
        }
        final Accounts accounts = node.accounts();
        final ArrayNode arr = Json.array();
        for (final long userId : g.memberIdsAfter(after, limit))
        {
            arr.add(Entities.member(g.member(userId), accounts, true));
        }
        reply.ok(200, arr);
    }

    /**
     * {@link OwnerCommands#MEMBER_SEARCH}: guild, query, limit. Members only; those whose username or nickname
     * starts with the query (ignoring case), by user id.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void search(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final String query = command.getString();
        final int limit = command.getInt();
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        if (g == null)
        {
            return;
        }
        final Accounts accounts = node.accounts();
        final String prefix = query.toLowerCase(Locale.ROOT);
        final ArrayNode arr = Json.array();
        g.members().stream().filter(m -> startsWith(accounts, m, prefix))
            .sorted(Comparator.comparingLong(Member::userId)).limit(limit)
            .forEach(m -> arr.add(Entities.member(m, accounts, true)));
        reply.ok(200, arr);
    }

    /**
     * {@link OwnerCommands#MEMBER_EDIT}: guild, member, mute, deaf, move-to, nick, roles (null or
     * {@link OwnerCommands#KEEP}: unchanged), timeout (MODERATE_MEMBERS, below the caller, no administrator). Server mute needs MUTE_MEMBERS, deafen DEAFEN_MEMBERS, a move or
     * disconnect MOVE_MEMBERS (and a voice channel the caller may connect to) and a connected member (40032); a
     * nickname CHANGE_NICKNAME for oneself, MANAGE_NICKNAMES for others; roles MANAGE_ROLES within the hierarchy.
     * 200 with the member, one GUILD_MEMBER_UPDATE after the commit.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final int mute = command.getInt();
        final int deaf = command.getInt();
        final long moveTo = command.getLong();
        final String nick = command.getString();
        final long[] roles = command.getLongs();
        final long timeoutUntil = command.getLong();
        final boolean voiceChange = mute != OwnerCommands.KEEP || deaf != OwnerCommands.KEEP
            || moveTo != OwnerCommands.KEEP;

        final Guild g = GuildAccess.guild(owner, guildId, reply);
        final Member m = g == null ? null : member(g, userId, reply);
        if (m == null)
        {
            return;
        }
        final long perms = Permissions.of(g, reply.userId());
        if ((mute != OwnerCommands.KEEP && !Permissions.has(perms, Permissions.MUTE_MEMBERS))
            || (deaf != OwnerCommands.KEEP && !Permissions.has(perms, Permissions.DEAFEN_MEMBERS))
            || (moveTo != OwnerCommands.KEEP && !Permissions.has(perms, Permissions.MOVE_MEMBERS))
            || (nick != null && !Permissions.has(perms, userId == reply.userId() ? Permissions.CHANGE_NICKNAME
                : Permissions.MANAGE_NICKNAMES)))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return;
        }
        final VoiceStates.VoiceState vs = voice.state(owner, guildId, userId);
        if (vs == null && voiceChange)
        {
            reply.error(DiscordError.TARGET_NOT_IN_VOICE);
            return;
        }
        if (moveTo > 0)
        {
            final GuildChannel target = GuildAccess.channel(g, moveTo, reply);
            if (target == null)
            {
                return;
            }
            if (target.type() != GuildChannel.VOICE)
            {
                reply.error(DiscordError.WRONG_CHANNEL_TYPE);
                return;
            }
            if (!Permissions.has(perms, Permissions.VIEW_CHANNEL | Permissions.CONNECT))
            {
                reply.error(DiscordError.MISSING_PERMISSIONS);
                return;
            }
        }
        if (timeoutUntil != OwnerCommands.KEEP && !mayTimeOut(g, userId, timeoutUntil, reply))
        {
            return;
        }
        final long[] rolesBefore = m.roleIds();
        if (roles != null && !setRoles(owner, g, m, roles, reply))
        {
            return;
        }
        if (roles != null && g.member(userId).roleIds() != rolesBefore)
        {
            audit.record(owner, g, reply, AuditLog.MEMBER_ROLE_UPDATE, userId, roleChanges(g, rolesBefore,
                g.member(userId).roleIds()));
        }
        if (timeoutUntil != OwnerCommands.KEEP && timeoutUntil != m.timeoutUntilMillis())
        {
            StateLog.commit(owner, node, StateRecords.MEMBER_TIMEOUT_SET,
                StateRecords.memberTimeoutSet(guildId, userId, timeoutUntil));
            audit.record(owner, g, reply, AuditLog.MEMBER_UPDATE, userId, AuditLog.change(Json.array(),
                "communication_disabled_until", m.timeoutUntilMillis() == 0 ? null
                    : TextNode.valueOf(Json.timestamp(m.timeoutUntilMillis())),
                timeoutUntil == 0 ? null : TextNode.valueOf(Json.timestamp(timeoutUntil))));
        }
        if (nick != null && !nick.equals(m.nick() == null ? "" : m.nick()))
        {
            StateLog.commit(owner, node, StateRecords.MEMBER_NICK_CHANGED,
                StateRecords.memberNickChanged(guildId, userId, nick.isEmpty() ? null : nick));
            audit.record(owner, g, reply, AuditLog.MEMBER_UPDATE, userId, AuditLog.change(Json.array(), "nick",
                m.nick() == null ? null : TextNode.valueOf(m.nick()),
                nick.isEmpty() ? null : TextNode.valueOf(nick)));
        }
        final ObjectNode body = Entities.member(g.member(userId), node.accounts(), true);
        if (vs != null)
        {
            if (mute != OwnerCommands.KEEP)
            {
                vs.mute = mute == 1;
            }
            if (deaf != OwnerCommands.KEEP)
            {
                vs.deaf = deaf == 1;
            }
            body.put("mute", vs.mute);
            body.put("deaf", vs.deaf);
            if (mute != OwnerCommands.KEEP || deaf != OwnerCommands.KEEP)
            {
                voice.serverMuteChanged(owner, g, vs);
            }
            if (moveTo != OwnerCommands.KEEP && moveTo != vs.channelId)
            {
                // the same path as the member's own op 4: state update to the guild, then (on a move) the voice
                // server update to the member, whose client reconnects its voice session to the new room
                voice.move(owner, guildId, vs, moveTo);
            }
        }
        final byte[] answer = Json.bytes(body);
        body.put("guild_id", Json.id(guildId));
        final Dispatch update = new Dispatch("GUILD_MEMBER_UPDATE", Json.bytes(body), null, Intents.GUILD_MEMBERS,
            guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, update);
            listsFollow(owner, g, userId);
            reply.ok(200, answer);
        });
    }

    /**
     * {@link OwnerCommands#MEMBER_ROLE_ADD} and {@link OwnerCommands#MEMBER_ROLE_REMOVE}: guild, member, role
     * (MANAGE_ROLES, below the caller's highest role; {@code @everyone} is 50028). 204, and GUILD_MEMBER_UPDATE if
     * the member's roles changed.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void role(final Shard owner, final CommandReader command, final Reply reply)
    {
        final boolean give = command.type() == OwnerCommands.MEMBER_ROLE_ADD;
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final long roleId = command.getLong();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_ROLES, reply);
        final Role r = g == null ? null : RoleHierarchy.role(g, roleId, reply);
        final Member m = r == null ? null : member(g, userId, reply);
        if (m == null)
        {
            return;
        }
        if (roleId == guildId)
        {
            reply.error(DiscordError.INVALID_ROLE);
            return;
        }
        if (r.managed())
        {
            reply.error(DiscordError.MISSING_PERMISSIONS); // a bot's role is neither given nor taken by hand
            return;
        }
        if (!RoleHierarchy.mayManage(g, r, 0, reply))
        {
            return;
        }
        final boolean has = Arrays.stream(m.roleIds()).anyMatch(id -> id == roleId);
        if (has == give)
        {
            reply.ok(204, (byte[])null);
            return;
        }
        final long[] roles = give ? Arrays.copyOf(m.roleIds(), m.roleIds().length + 1)
            : Arrays.stream(m.roleIds()).filter(id -> id != roleId).toArray();
        if (give)
        {
            roles[roles.length - 1] = roleId;
        }
        final org.agrona.collections.Long2ObjectHashMap<org.agrona.collections.LongHashSet> seen =
            ChannelEvents.restricted(g);
        StateLog.commit(owner, node, StateRecords.MEMBER_ROLES_SET,
            StateRecords.memberRolesSet(guildId, userId, roles));
        ChannelEvents.announceVisibility(owner, g, seen);
        audit.record(owner, g, reply, AuditLog.MEMBER_ROLE_UPDATE, userId, roleChanges(g, m.roleIds(), roles));
        final ObjectNode d = Entities.member(g.member(userId), node.accounts(), true);
        d.put("guild_id", Json.id(guildId));
        final Dispatch event = new Dispatch("GUILD_MEMBER_UPDATE", Json.bytes(d), null, Intents.GUILD_MEMBERS,
            guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            listsFollow(owner, g, userId);
            reply.ok(204, (byte[])null);
        });
    }

    /**
     * A member edit's {@code roles}: replaces the member's roles, journaled if they change (no answer, no event: the
     * edit answers with the member and sends one GUILD_MEMBER_UPDATE). MANAGE_ROLES; each role added or removed must
     * be below the caller's highest; {@code @everyone} is ignored, unknown roles are 10011.
     *
     * @return false after an error answer.
     */
    private boolean setRoles(final Shard owner, final Guild g, final Member m, final long[] wanted, final Reply reply)
    {
        if (!Permissions.has(Permissions.of(g, reply.userId()), Permissions.MANAGE_ROLES))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return false;
        }
        final long[] next = Arrays.stream(wanted).filter(id -> id != g.id()).distinct().toArray();
        for (final long id : next)
        {
            if (RoleHierarchy.role(g, id, reply) == null)
            {
                return false;
            }
        }
        final long[] changed = LongStream.concat(
            Arrays.stream(next).filter(id -> Arrays.stream(m.roleIds()).noneMatch(x -> x == id)),
            Arrays.stream(m.roleIds()).filter(id -> Arrays.stream(next).noneMatch(x -> x == id))).toArray();
        for (final long id : changed)
        {
            final Role r = g.role(id);
            if (r != null && r.managed())
            {
                reply.error(DiscordError.MISSING_PERMISSIONS); // a bot's role is neither given nor taken by hand
                return false;
            }
            if (!RoleHierarchy.mayManage(g, r, 0, reply))
            {
                return false;
            }
        }
        if (changed.length > 0)
        {
            final org.agrona.collections.Long2ObjectHashMap<org.agrona.collections.LongHashSet> seen =
                ChannelEvents.restricted(g);
            StateLog.commit(owner, node, StateRecords.MEMBER_ROLES_SET,
                StateRecords.memberRolesSet(g.id(), m.userId(), next));
            ChannelEvents.announceVisibility(owner, g, seen);
        }
        return true;
    }

    /**
     * A timeout (or lifting one): MODERATE_MEMBERS, a member below the caller, never an administrator or the owner
     * (50013).
     *
     * @return false after an error answer.
     */
    private static boolean mayTimeOut(final Guild g, final long userId, final long until, final Reply reply)
    {
        final Role everyone = g.role(g.id());
        long targetPerms = everyone == null ? 0 : everyone.permissions();
        for (final long id : g.member(userId).roleIds())
        {
            final Role r = g.role(id);
            targetPerms |= r == null ? 0 : r.permissions();
        }
        if (!Permissions.has(Permissions.of(g, reply.userId()), Permissions.MODERATE_MEMBERS)
            || !RoleHierarchy.outranks(g, reply.userId(), userId)
            || (until != 0 && (targetPerms & Permissions.ADMINISTRATOR) != 0))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return false;
        }
        return true;
    }

    /** @return the audit log's {@code $add} and {@code $remove} changes between two role sets. */
    private static ArrayNode roleChanges(final Guild g, final long[] before, final long[] after)
    {
        final ArrayNode changes = Json.array();
        final ArrayNode added = Json.array();
        final ArrayNode removed = Json.array();
        for (final long id : after)
        {
            if (Arrays.stream(before).noneMatch(x -> x == id))
            {
                added.addObject().put("id", Json.id(id)).put("name", g.role(id) == null ? "" : g.role(id).name());
            }
        }
        for (final long id : before)
        {
            if (Arrays.stream(after).noneMatch(x -> x == id))
            {
                removed.addObject().put("id", Json.id(id)).put("name", g.role(id) == null ? "" : g.role(id).name());
            }
        }
        if (!added.isEmpty())
        {
            changes.addObject().put("key", "$add").set("new_value", added);
        }
        if (!removed.isEmpty())
        {
            changes.addObject().put("key", "$remove").set("new_value", removed);
        }
        return changes;
    }

    private static Member member(final Guild g, final long userId, final Reply reply)
    {
        final Member m = g.member(userId);
        if (m == null)
        {
            reply.error(DiscordError.UNKNOWN_MEMBER);
        }
        return m;
    }

    /**
     * @param accounts    the node's accounts.
     * @param m           a member.
     * @param lowerPrefix a prefix in lower case.
     * @return whether the member's username or nickname starts with the prefix, ignoring case.
     */
    static boolean startsWith(final Accounts accounts, final Member m, final String lowerPrefix)
    {
        // compared in place (no lower-cased copy of every member's names per search of a large guild)
        final Account a = accounts.get(m.userId());
        return (a != null && a.username().regionMatches(true, 0, lowerPrefix, 0, lowerPrefix.length()))
            || (m.nick() != null && m.nick().regionMatches(true, 0, lowerPrefix, 0, lowerPrefix.length()));
    }
}
