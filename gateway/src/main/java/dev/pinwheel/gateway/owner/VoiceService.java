package dev.pinwheel.gateway.owner;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.voice.VoiceAdmission;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.node.GatewayContext;

/**
 * Voice signalling on the guild's <b>owner shard</b>: gateway op 4 (join, move, leave, self mute/deafen;
 * {@link OwnerCommands#VOICE_STATE} from {@link VoiceProxy}), the end of the session that joined
 * ({@link OwnerCommands#VOICE_SESSION_ENDED}), and what member and channel services do to voice (server
 * mute/deafen, moves, a deleted channel: {@link GuildVoice}, which this implements for the shard's own guilds). The
 * owner keeps the {@link VoiceStates} of the guilds it owns, checks
 * CONNECT/SPEAK, tells the voice server through {@link VoiceAdmission}, and dispatches
 * <pre>
 *   VOICE_STATE_UPDATE  ─▶ every session subscribed to the guild (GUILD_VOICE_STATES)
 *   VOICE_SERVER_UPDATE ─▶ the joining user only, AFTER the state update on the same FIFO path (JDA needs that order)
 * </pre>
 * One per shard; shard thread only.
 */
public final class VoiceService implements GuildVoice
{
    private static final Logger LOG = LoggerFactory.getLogger(VoiceService.class);
    /** Refused op 4 lines: at most 10 per 10 s, then a count. */
    private static final ThrottledLog REFUSALS = new ThrottledLog(LOG, Level.INFO, "refused op 4", 10, 10_000);

    private final GatewayContext context;
    private final VoiceStates states = new VoiceStates();

    /**
     * @param context the node: accounts for member bodies, and the voice server's admission interface, read at each
     *                use (the voice server is connected after the shards start).
     */
    public VoiceService(final GatewayContext context)
    {
        this.context = context;
    }

    /**
     * {@link OwnerCommands#VOICE_STATE}: guild, channel, user, session id, self mute, self deaf.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void onStateUpdate(final Shard owner, final CommandReader command)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long userId = command.getLong();
        final String sessionId = command.getString();
        final boolean selfMute = command.getBoolean();
        final boolean selfDeaf = command.getBoolean();
        final int route = command.getInt();
        stateUpdate(owner, guildId, channelId, userId, sessionId, selfMute, selfDeaf);
        final VoiceStates.VoiceState vs = states.get(guildId, userId);
        if (vs != null && sessionId.equals(vs.sessionId))
        {
            vs.route = route;
        }
    }

    /**
     * Another node's sessions are gone (it was found unreachable, or started again): the members whose voice session
     * was one of them leave their channels, as when a session ends (VOICE_STATE_UPDATE with no channel, the voice
     * server lets them go). Before, a member whose gateway node was killed stayed in the channel for good.
     *
     * @param owner this shard.
     * @param node  the node.
     * @return members who left a channel.
     */
    public int nodeGone(final Shard owner, final int node)
    {
        int n = 0;
        for (final long guildId : states.guilds())
        {
            for (final VoiceStates.VoiceState vs : new java.util.ArrayList<>(states.of(guildId)))
            {
                if (dev.pinwheel.core.routing.ShardRoute.onNode(vs.route, node))
                {
                    stateUpdate(owner, guildId, 0, vs.userId, vs.sessionId, false, false);
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * {@link OwnerCommands#VOICE_SESSION_ENDED}: guild, user, session id. The member leaves the channel, unless a
     * newer session of the same user has taken over the voice state.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void onSessionEnded(final Shard owner, final CommandReader command)
    {
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final String sessionId = command.getString();
        final VoiceStates.VoiceState vs = states.get(guildId, userId);
        if (vs != null && sessionId.equals(vs.sessionId))
        {
            stateUpdate(owner, guildId, 0, userId, sessionId, false, false);
        }
    }

    /**
     * A voice state change of {@code userId}'s session {@code sessionId}: gateway op 4, or a move by someone with
     * MOVE_MEMBERS (the same path: the state update to the guild, then, on a join or move, the voice server update to
     * the member, whose client connects its voice session to the new room).
     *
     * @param owner     this shard.
     * @param guildId   the guild.
     * @param channelId the voice channel, 0 to leave.
     * @param userId    the member.
     * @param sessionId the member's gateway session.
     * @param selfMute  self mute.
     * @param selfDeaf  self deafen.
     */
    public void stateUpdate(final Shard owner, final long guildId, final long channelId, final long userId,
        final String sessionId, final boolean selfMute, final boolean selfDeaf)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g == null || g.member(userId) == null)
        {
            return;
        }
        final VoiceAdmission voice = context.voice();
        VoiceStates.VoiceState vs = states.get(guildId, userId);
        if (channelId == 0)
        {
            if (vs != null)
            {
                states.remove(guildId, userId);
                vs.channelId = 0;
                voice.evict(guildId, userId);
                owner.publish(g, stateDispatch(g, vs));
            }
            return;
        }
        final GuildChannel c = g.channel(channelId);
        final long perms = c == null ? 0 : Permissions.in(g, userId, c);
        if (c == null || c.type() != GuildChannel.VOICE
            || !Permissions.has(perms, Permissions.VIEW_CHANNEL | Permissions.CONNECT))
        {
            // Discord answers nothing either (clients check first); the operator gets a line (rate-limited: a
            // client can send op 4 as often as it likes)
            if (REFUSALS.admit())
            {
                LOG.info("op 4 refused: user {} guild {} channel {}: {}", userId, guildId, channelId,
                    c == null || c.type() != GuildChannel.VOICE ? "not a voice channel" : "missing CONNECT");
            }
            return;
        }
        if (c.userLimit() > 0 && (vs == null || vs.channelId != channelId)
            && occupants(guildId, channelId) >= c.userLimit()
            && !Permissions.has(perms, Permissions.MOVE_MEMBERS))
        {
            if (REFUSALS.admit())
            {
                LOG.info("op 4 refused: user {} guild {} channel {}: channel full ({} users)", userId, guildId,
                    channelId, c.userLimit());
            }
            return;
        }
        final boolean joinOrMove = vs == null || vs.channelId != channelId || !sessionId.equals(vs.sessionId);
        if (vs == null)
        {
            vs = states.getOrCreate(guildId, userId);
        }
        vs.channelId = channelId;
        vs.sessionId = sessionId;
        vs.selfMute = selfMute;
        vs.selfDeaf = selfDeaf;
        vs.noSpeak = !Permissions.has(perms, Permissions.SPEAK);
        owner.publish(g, stateDispatch(g, vs));
        if (!joinOrMove)
        {
            voice.update(guildId, userId, vs.flags());
            return;
        }
        final String token = voice.admit(guildId, channelId, userId, sessionId, vs.flags());
        final ObjectNode d = Json.object();
        d.put("token", token);
        d.put("guild_id", Json.id(guildId));
        if (token == null)
        {
            d.putNull("endpoint");
        }
        else
        {
            d.put("endpoint", voice.endpoint());
        }
        owner.publish(g, new Dispatch("VOICE_SERVER_UPDATE", Json.bytes(d), null, 0, guildId, 0, userId));
    }

    @Override
    public VoiceStates.VoiceState state(final Shard owner, final long guildId, final long userId)
    {
        return states.get(guildId, userId);
    }

    /**
     * The server mute or deafen of a member in voice changed (by someone with MUTE_MEMBERS / DEAFEN_MEMBERS): the
     * voice server applies it, the guild gets the VOICE_STATE_UPDATE.
     */
    @Override
    public void serverMuteChanged(final Shard owner, final Guild g, final VoiceStates.VoiceState state)
    {
        context.voice().update(g.id(), state.userId, state.flags());
        owner.publish(g, stateDispatch(g, state));
    }

    /**
     * A move by someone with MOVE_MEMBERS, or a disconnect: the same path as the member's own op 4.
     */
    @Override
    public void move(final Shard owner, final long guildId, final VoiceStates.VoiceState state, final long channelId)
    {
        stateUpdate(owner, guildId, channelId, state.userId, state.sessionId, state.selfMute, state.selfDeaf);
    }

    /**
     * A voice channel is being deleted: whoever is in it leaves it (VOICE_STATE_UPDATE with channel_id null).
     */
    @Override
    public void disconnectAll(final Shard owner, final long guildId, final long channelId)
    {
        final List<VoiceStates.VoiceState> inside = new ArrayList<>();
        for (final VoiceStates.VoiceState vs : states.of(guildId))
        {
            if (vs.channelId == channelId)
            {
                inside.add(vs);
            }
        }
        for (final VoiceStates.VoiceState vs : inside)
        {
            stateUpdate(owner, guildId, 0, vs.userId, vs.sessionId, false, false);
        }
    }

    /**
     * @param guildId a guild this shard owns.
     * @return the guild's voice states for GUILD_CREATE (no guild_id, no member).
     */
    public ArrayNode guildCreateStates(final long guildId)
    {
        final ArrayNode arr = Json.array();
        for (final VoiceStates.VoiceState vs : states.of(guildId))
        {
            arr.add(stateJson(vs));
        }
        return arr;
    }

    private int occupants(final long guildId, final long channelId)
    {
        int n = 0;
        for (final VoiceStates.VoiceState vs : states.of(guildId))
        {
            if (vs.channelId == channelId)
            {
                n++;
            }
        }
        return n;
    }

    private Dispatch stateDispatch(final Guild g, final VoiceStates.VoiceState vs)
    {
        final ObjectNode d = stateJson(vs);
        d.put("guild_id", Json.id(g.id()));
        final ObjectNode member = Entities.member(g.member(vs.userId), context.node().accounts(), true);
        member.put("mute", vs.mute);
        member.put("deaf", vs.deaf);
        d.set("member", member);
        return new Dispatch("VOICE_STATE_UPDATE", Json.bytes(d), null, Intents.GUILD_VOICE_STATES, g.id(), 0, 0);
    }

    private static ObjectNode stateJson(final VoiceStates.VoiceState vs)
    {
        final ObjectNode d = Json.object();
        if (vs.channelId == 0)
        {
            d.putNull("channel_id");
        }
        else
        {
            d.put("channel_id", Json.id(vs.channelId));
        }
        d.put("user_id", Json.id(vs.userId));
        d.put("session_id", vs.sessionId);
        d.put("deaf", vs.deaf);
        d.put("mute", vs.mute);
        d.put("self_deaf", vs.selfDeaf);
        d.put("self_mute", vs.selfMute);
        d.put("self_video", false);
        d.put("suppress", false);
        d.putNull("request_to_speak_timestamp");
        return d;
    }
}
