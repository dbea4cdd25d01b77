package dev.pinwheel.gateway.owner;

import java.security.SecureRandom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
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
 * The invites of the guilds a shard owns: create one for a channel, read one, accept one (join the guild), list a
 * guild's or a channel's, delete one. Runs on the owner shard of the invite's guild; each operation reads its
 * command's fields in the order {@link InviteProxy} wrote them and answers only through its {@link Reply}. Invites
 * are journaled (INVITE_CREATED, INVITE_USED per join, INVITE_DELETED) and kept in the node's directory, where the
 * routes find an invite's guild by its code; their uses are counted on the owner (the guild's single writer), so
 * {@code max_uses} holds exactly: the join that takes the last use deletes the invite, later ones get 10006.
 * INVITE_CREATE and INVITE_DELETE go to the members who may manage channels (GUILD_INVITES).
 */
public final class InviteService
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CODE_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final int CODE_LENGTH = 10;

    private final NodeState node;
    private final MemberJoins joins;
    private final AuditLog audit;

    /**
     * @param node  the node's directories (invites, accounts).
     * @param joins told when a user becomes a member.
     * @param audit the guilds' audit logs (invites created and deleted).
     */
    public InviteService(final NodeState node, final MemberJoins joins, final AuditLog audit)
    {
        this.node = node;
        this.joins = joins;
        this.audit = audit;
    }

    /**
     * {@link OwnerCommands#INVITE_CREATE}: guild, channel, max age, max uses (CREATE_INSTANT_INVITE). A fresh random
     * code; 200 with the invite once durable.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void create(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final int maxAge = command.getInt();
        final int maxUses = command.getInt();
        final boolean temporary = command.getBoolean();
        final GuildChannel c = GuildAccess.channelWith(owner, guildId, channelId, Permissions.CREATE_INSTANT_INVITE,
            reply);
        if (c == null)
        {
            return;
        }
        if (node.directory().inviteCount(guildId) >= Guild.MAX_INVITES && !makeRoom(owner, guildId))
        {
            reply.error(DiscordError.MAX_INVITES);
            return;
        }
        String code;
        do
        {
            final StringBuilder sb = new StringBuilder(CODE_LENGTH);
            for (int i = 0; i < CODE_LENGTH; i++)
            {
                sb.append(CODE_CHARS.charAt(RANDOM.nextInt(CODE_CHARS.length())));
            }
            code = sb.toString();
        }
        while (node.directory().invite(code) != null);
        final Invite invite = new Invite(code, guildId, channelId, reply.userId(), System.currentTimeMillis(), maxAge,
            maxUses, temporary);
        StateLog.commit(owner, node, StateRecords.INVITE_CREATED, StateRecords.inviteCreated(invite));
        final Guild g = owner.guilds().get(guildId);
        final ObjectNode created = Entities.invite(invite, g, c, node.accounts());
        final byte[] body = Json.bytes(created);
        final ObjectNode d = Json.object();
        d.put("channel_id", Json.id(channelId));
        d.put("code", code);
        d.set("created_at", created.get("created_at"));
        d.put("guild_id", Json.id(guildId));
        d.set("inviter", created.get("inviter"));
        d.put("max_age", maxAge);
        d.put("max_uses", maxUses);
        d.put("temporary", temporary);
        d.put("uses", 0);
        final byte[] event = Json.bytes(d);
        audit.record(owner, g, reply, AuditLog.INVITE_CREATE, 0, inviteChanges(invite), null);
        owner.afterCommit(() ->
        {
            reply.ok(200, body);
            Audience.publish(owner, g, Permissions.MANAGE_CHANNELS, "INVITE_CREATE", event, Intents.GUILD_INVITES);
        });
    }

    /**
     * {@link OwnerCommands#INVITE_GET}: guild, code. Anyone may read a live invite.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final Invite invite = node.directory().invite(command.getString());
        final Guild g = invite == null || invite.guildId() != guildId ? null : owner.guilds().get(guildId);
        final GuildChannel c = live(invite, g, reply);
        if (c != null)
        {
            reply.ok(200, Entities.invite(invite, g, c, node.accounts()));
        }
    }

    /**
     * {@link OwnerCommands#INVITE_JOIN}: guild, code. Joins the caller to the invite's guild (if not a member yet:
     * MEMBER_ADDED journaled, GUILD_MEMBER_ADD to the guild, the caller's sessions subscribe); 200 with the invite
     * and {@code new_member}.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void join(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final Invite invite = node.directory().invite(command.getString());
        final Guild g = invite == null || invite.guildId() != guildId ? null : owner.guilds().get(guildId);
        final GuildChannel c = live(invite, g, reply);
        if (c == null)
        {
            return;
        }
        final long userId = reply.userId();
        final Accounts accounts = node.accounts();
        if (g.ban(userId) != null)
        {
            reply.error(DiscordError.USER_BANNED);
            return;
        }
        if (g.member(userId) == null)
        {
            StateLog.commit(owner, node, StateRecords.MEMBER_ADDED,
                StateRecords.memberAdded(g.id(), userId, System.currentTimeMillis(), invite.temporary()));
            final ObjectNode d = Entities.member(g.member(userId), accounts, true);
            d.put("guild_id", Json.id(g.id()));
            final Dispatch memberAdd = new Dispatch("GUILD_MEMBER_ADD", Json.bytes(d), null, Intents.GUILD_MEMBERS,
                g.id(), 0, 0);
            owner.afterCommit(() ->
            {
                owner.publish(g, memberAdd);
                joins.joined(owner, userId, g.id());
            });
            // one more use: the owner is the single writer of the count, so two joins racing for the last use are
            // applied one after the other and the second finds the invite gone (10006)
            StateLog.commit(owner, node, StateRecords.INVITE_USED, StateRecords.inviteCode(g.id(), invite.code()));
            if (invite.maxUses() > 0 && g.inviteUses(invite.code()) >= invite.maxUses())
            {
                delete(owner, g, invite);
            }
        }
        final ObjectNode body = Entities.invite(invite, g, c, accounts);
        body.set("new_member", Entities.member(g.member(userId), accounts, true));
        final byte[] joined = Json.bytes(body);
        owner.afterCommit(() -> reply.ok(200, joined));
    }

    /**
     * {@link OwnerCommands#INVITE_LIST}: guild, channel (0: the whole guild). MANAGE_GUILD for the guild's,
     * MANAGE_CHANNELS for a channel's; with their uses. Oldest first.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final Guild g = channelId == 0 ? GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_GUILD, reply)
            : GuildAccess.channelWith(owner, guildId, channelId, Permissions.MANAGE_CHANNELS, reply) == null ? null
            : owner.guilds().get(guildId);
        if (g == null)
        {
            return;
        }
        final long now = System.currentTimeMillis();
        final ArrayNode arr = Json.array();
        node.directory().invitesOf(guildId).stream()
            .filter(i -> (channelId == 0 || i.channelId() == channelId) && !i.expired(now) && g.channel(i.channelId())
                != null)
            .forEach(i -> arr.add(Entities.invite(i, g, g.channel(i.channelId()), node.accounts())));
        reply.ok(200, arr);
    }

    /**
     * {@link OwnerCommands#INVITE_DELETE}: guild, code. MANAGE_CHANNELS (or MANAGE_GUILD); 200 with the invite,
     * INVITE_DELETE to those who may manage channels; 10006 for no such invite.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void revoke(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final Invite invite = node.directory().invite(command.getString());
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        if (g == null)
        {
            return;
        }
        final GuildChannel c = invite == null || invite.guildId() != guildId ? null : g.channel(invite.channelId());
        if (c == null)
        {
            reply.error(DiscordError.UNKNOWN_INVITE);
            return;
        }
        final long perms = Permissions.of(g, reply.userId());
        if (!Permissions.has(perms, Permissions.MANAGE_CHANNELS) && !Permissions.has(perms, Permissions.MANAGE_GUILD))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return;
        }
        final byte[] body = Json.bytes(Entities.invite(invite, g, c, node.accounts()));
        delete(owner, g, invite);
        audit.record(owner, g, reply, AuditLog.INVITE_DELETE, 0, inviteChanges(invite), null);
        owner.afterCommit(() -> reply.ok(200, body));
    }

    /**
     * A guild at {@link Guild#MAX_INVITES}: its expired invites are deleted (journaled, INVITE_DELETE to those who may
     * manage channels), as they would otherwise count for ever.
     *
     * @return whether there is room for one more now.
     */
    private boolean makeRoom(final Shard owner, final long guildId)
    {
        final Guild g = owner.guilds().get(guildId);
        final long now = System.currentTimeMillis();
        int left = 0;
        for (final Invite i : node.directory().invitesOf(guildId))
        {
            if (i.expired(now))
            {
                delete(owner, g, i);
            }
            else
            {
                left++;
            }
        }
        return left < Guild.MAX_INVITES;
    }

    /** Deletes an invite (journaled) and tells those who may manage channels, after the commit. */
    private void delete(final Shard owner, final Guild g, final Invite invite)
    {
        StateLog.commit(owner, node, StateRecords.INVITE_DELETED, StateRecords.inviteCode(g.id(), invite.code()));
        final ObjectNode d = Json.object();
        d.put("channel_id", Json.id(invite.channelId()));
        d.put("guild_id", Json.id(g.id()));
        d.put("code", invite.code());
        final byte[] event = Json.bytes(d);
        owner.afterCommit(() -> Audience.publish(owner, g, Permissions.MANAGE_CHANNELS, "INVITE_DELETE", event,
            Intents.GUILD_INVITES));
    }

    private static ArrayNode inviteChanges(final Invite i)
    {
        final ArrayNode changes = Json.array();
        AuditLog.change(changes, "code", null, TextNode.valueOf(i.code()));
        AuditLog.change(changes, "channel_id", null, TextNode.valueOf(Json.id(i.channelId())));
        AuditLog.change(changes, "inviter_id", null, TextNode.valueOf(Json.id(i.inviterId())));
        AuditLog.change(changes, "max_uses", null, IntNode.valueOf(i.maxUses()));
        AuditLog.change(changes, "max_age", null, IntNode.valueOf(i.maxAgeSeconds()));
        AuditLog.change(changes, "temporary", null, BooleanNode.valueOf(i.temporary()));
        return changes;
    }

    /**
     * @return the invite's channel, or null after answering 10006 (no such invite here, guild or channel gone,
     *         expired).
     */
    private static GuildChannel live(final Invite invite, final Guild g, final Reply reply)
    {
        final GuildChannel c = g == null ? null : g.channel(invite.channelId());
        if (c == null || invite.expired(System.currentTimeMillis()))
        {
            reply.error(DiscordError.UNKNOWN_INVITE);
            return null;
        }
        return c;
    }
}
