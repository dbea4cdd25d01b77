package dev.pinwheel.gateway.owner;

import java.security.SecureRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;

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
 * The invites of the guilds a shard owns: create one for a channel, read one, accept one (join the guild). Runs on
 * the owner shard of the invite's guild; each operation reads its command's fields in the order
 * {@link InviteProxy} wrote them and answers only through its {@link Reply}. Invites are journaled
 * (INVITE_CREATED) and kept in the node's directory, where the routes find an invite's guild by its code.
 */
public final class InviteService
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CODE_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final int CODE_LENGTH = 10;

    private final NodeState node;
    private final MemberJoins joins;

    /**
     * @param node  the node's directories (invites, accounts).
     * @param joins told when a user becomes a member.
     */
    public InviteService(final NodeState node, final MemberJoins joins)
    {
        this.node = node;
        this.joins = joins;
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
        final GuildChannel c = GuildAccess.channelWith(owner, guildId, channelId, Permissions.CREATE_INSTANT_INVITE,
            reply);
        if (c == null)
        {
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
            maxUses);
        StateLog.commit(owner, node, StateRecords.INVITE_CREATED, StateRecords.inviteCreated(invite));
        final byte[] body = Json.bytes(Entities.invite(invite, owner.guilds().get(guildId), c, node.accounts()));
        owner.afterCommit(() -> reply.ok(200, body));
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
                StateRecords.memberAdded(g.id(), userId, System.currentTimeMillis()));
            final ObjectNode d = Entities.member(g.member(userId), accounts, true);
            d.put("guild_id", Json.id(g.id()));
            final Dispatch memberAdd = new Dispatch("GUILD_MEMBER_ADD", Json.bytes(d), null, Intents.GUILD_MEMBERS,
                g.id(), 0, 0);
            owner.afterCommit(() ->
            {
                owner.publish(g, memberAdd);
                joins.joined(owner, userId, g.id());
            });
        }
        final ObjectNode body = Entities.invite(invite, g, c, accounts);
        body.set("new_member", Entities.member(g.member(userId), accounts, true));
        final byte[] joined = Json.bytes(body);
        owner.afterCommit(() -> reply.ok(200, joined));
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
