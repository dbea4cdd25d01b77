package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.codec.Intents;

/**
 * {@code PATCH /guilds/{id}/members/{user}} on the guild's <b>owner shard</b>: one request may set the nickname,
 * the roles ({@link RoleOps}) and the voice state (server mute/deafen, move/disconnect: {@link VoiceService}); the
 * reply is the member, and one GUILD_MEMBER_UPDATE goes out after the commit. Every method MUST run on the owner
 * shard's thread.
 */
public final class MemberOps
{
    private MemberOps()
    {
    }

    /**
     * {@code PATCH /guilds/{id}/members/{user}} with {@code mute} and/or {@code deaf} (null: unchanged) and
     * {@code channel_id} ({@code moveTo}: null unchanged, 0 disconnect, else move; needs MOVE_MEMBERS) and
     * {@code nick} (null unchanged, "" cleared; CHANGE_NICKNAME for oneself, MANAGE_NICKNAMES for others; journaled)
     * and {@code roles} (null unchanged; the whole set, see {@link RoleOps}).
     */
    public static void modifyMember(final Shard owner, final GatewayContext ctx, final VoiceService voice,
        final long guildId,
        final long userId, final Boolean mute, final Boolean deaf, final Long moveTo, final String nick,
        final long[] roles, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g == null || g.member(ex.userId()) == null)
        {
            ex.error(owner, g == null ? 404 : 403, g == null ? 10004 : 50001, g == null ? "Unknown Guild"
                : "Missing Access");
            return;
        }
        final Member m = g.member(userId);
        if (m == null)
        {
            ex.error(owner, 404, 10007, "Unknown Member");
            return;
        }
        final long perms = Permissions.of(g, ex.userId());
        if ((mute != null && !Permissions.has(perms, Permissions.MUTE_MEMBERS))
            || (deaf != null && !Permissions.has(perms, Permissions.DEAFEN_MEMBERS))
            || (moveTo != null && !Permissions.has(perms, Permissions.MOVE_MEMBERS)))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return;
        }
        if (nick != null && !Permissions.has(perms, userId == ex.userId() ? Permissions.CHANGE_NICKNAME
            : Permissions.MANAGE_NICKNAMES))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return;
        }
        final VoiceStates.VoiceState vs = voice.state(guildId, userId);
        if (vs == null && (mute != null || deaf != null || moveTo != null))
        {
            ex.error(owner, 400, 40032, "Target user is not connected to voice.");
            return;
        }
        if (moveTo != null && moveTo > 0)
        {
            final GuildChannel target = g.channel(moveTo);
            if (target == null)
            {
                ex.error(owner, 404, 10003, "Unknown Channel");
                return;
            }
            if (target.type() != GuildChannel.VOICE)
            {
                ex.error(owner, 400, 50024, "Cannot execute action on this channel type");
                return;
            }
            if (!Permissions.has(perms, Permissions.VIEW_CHANNEL | Permissions.CONNECT))
            {
                ex.error(owner, 403, 50013, "Missing Permissions");
                return;
            }
        }
        if (roles != null && !RoleOps.setRoles(owner, ctx, g, userId, roles, ex))
        {
            return;
        }
        Member current = g.member(userId);
        if (nick != null && !nick.equals(m.nick() == null ? "" : m.nick()))
        {
            StateLog.commit(owner, ctx.node(), StateRecords.MEMBER_NICK_CHANGED,
                StateRecords.memberNickChanged(guildId, userId, nick.isEmpty() ? null : nick));
            current = g.member(userId);
        }
        final ObjectNode body = Entities.member(current, ctx.node().accounts(), true);
        if (vs != null)
        {
            if (mute != null)
            {
                vs.mute = mute;
            }
            if (deaf != null)
            {
                vs.deaf = deaf;
            }
            body.put("mute", vs.mute);
            body.put("deaf", vs.deaf);
            if (mute != null || deaf != null)
            {
                voice.serverStateChanged(owner, g, vs);
            }
        }
        if (moveTo != null && vs != null && moveTo != vs.channelId)
        {
            // the same path as the member's own op 4: state update to the guild, then (on a move) the voice
            // server update to the member, whose client reconnects its voice session to the new room
            voice.stateUpdate(owner, guildId, moveTo, userId, vs.sessionId, vs.selfMute, vs.selfDeaf);
        }
        final ObjectNode upd = body.deepCopy();
        upd.put("guild_id", Json.id(guildId));
        final Dispatch update = new Dispatch("GUILD_MEMBER_UPDATE", Json.bytes(upd), null, Intents.GUILD_MEMBERS,
            guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, update);
            ex.reply(owner, 200, body);
        });
    }
}
