package dev.pinwheel.gateway.owner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.voice.VoiceAdmission;
import dev.pinwheel.gateway.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.session.Intents;

/**
 * Voice signalling on the guild's <b>owner shard</b>: gateway op 4 (join, move, leave, self mute/deafen); server
 * mute/deafen and moves come through {@link MemberService} ({@link #guildVoice}). The owner keeps the guild's
 * {@link VoiceStates}, checks CONNECT/SPEAK, tells the voice server through {@link VoiceAdmission}, and dispatches
 * <pre>
 *   VOICE_STATE_UPDATE  ─▶ every session subscribed to the guild (GUILD_VOICE_STATES)
 *   VOICE_SERVER_UPDATE ─▶ the joining user only, AFTER the state update on the same FIFO path (JDA needs that order)
 * </pre>
 * Every method MUST run on the owner shard's thread.
 */
public final class VoiceOps
{
    private static final Logger LOG = LoggerFactory.getLogger(VoiceOps.class);
    /** Refused op 4 lines: at most 10 per 10 s, then a count. */
    private static final ThrottledLog REFUSALS = new ThrottledLog(LOG, Level.INFO, "refused op 4", 10, 10_000);

    private VoiceOps()
    {
    }

    /**
     * Gateway op 4 from {@code userId}'s session {@code sessionId}.
     */
    public static void voiceStateUpdate(final Shard owner, final GatewayContext ctx, final long guildId,
        final long channelId, final long userId, final String sessionId, final boolean selfMute,
        final boolean selfDeaf)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g == null || g.member(userId) == null)
        {
            return;
        }
        final VoiceStates states = ctx.voiceStates(owner.id());
        final VoiceAdmission voice = ctx.voice();
        VoiceStates.VoiceState vs = states.get(guildId, userId);
        if (channelId == 0)
        {
            if (vs != null)
            {
                states.remove(guildId, userId);
                vs.channelId = 0;
                voice.evict(guildId, userId);
                owner.publish(g, stateDispatch(ctx, g, vs));
            }
            return;
        }
        final GuildChannel c = g.channel(channelId);
        final long perms = Permissions.of(g, userId);
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
            && occupants(states, guildId, channelId) >= c.userLimit()
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
        owner.publish(g, stateDispatch(ctx, g, vs));
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

    /**
     * The main-gateway session that joined voice ended (closed, expired): the member leaves the channel,
     * unless a newer session of the same user has taken over the voice state.
     */
    public static void sessionEnded(final Shard owner, final GatewayContext ctx, final long guildId,
        final long userId, final String sessionId)
    {
        final VoiceStates.VoiceState vs = ctx.voiceStates(owner.id()).get(guildId, userId);
        if (vs != null && sessionId.equals(vs.sessionId))
        {
            voiceStateUpdate(owner, ctx, guildId, 0, userId, sessionId, false, false);
        }
    }

    private static int occupants(final VoiceStates states, final long guildId, final long channelId)
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

    static Dispatch stateDispatch(final GatewayContext ctx, final Guild g, final VoiceStates.VoiceState vs)
    {
        final ObjectNode d = stateJson(vs);
        d.put("guild_id", Json.id(g.id()));
        final ObjectNode member = Entities.member(g.member(vs.userId), ctx.node().accounts(), true);
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

    /**
     * @param ctx     context.
     * @param owner   owner shard.
     * @param guildId guild.
     * @return the guild's voice states for GUILD_CREATE (no guild_id, no member).
     */
    public static ArrayNode guildCreateStates(final GatewayContext ctx, final Shard owner, final long guildId)
    {
        final ArrayNode arr = Json.array();
        for (final VoiceStates.VoiceState vs : ctx.voiceStates(owner.id()).of(guildId))
        {
            arr.add(stateJson(vs));
        }
        return arr;
    }

    /**
     * The node's voice, as guild and member services use it ({@link GuildVoice}): the owner shard's voice states and
     * the voice server of {@code ctx}, changed the way op 4 changes them.
     *
     * @param ctx the node.
     * @return the voice of the node's guilds.
     */
    public static GuildVoice guildVoice(final GatewayContext ctx)
    {
        return new GuildVoice()
        {
            @Override
            public VoiceStates.VoiceState state(final Shard owner, final long guildId, final long userId)
            {
                return ctx.voiceStates(owner.id()).get(guildId, userId);
            }

            @Override
            public void serverMuteChanged(final Shard owner, final Guild g, final VoiceStates.VoiceState state)
            {
                ctx.voice().update(g.id(), state.userId, state.flags());
                owner.publish(g, stateDispatch(ctx, g, state));
            }

            @Override
            public void move(final Shard owner, final long guildId, final VoiceStates.VoiceState state,
                final long channelId)
            {
                voiceStateUpdate(owner, ctx, guildId, channelId, state.userId, state.sessionId, state.selfMute,
                    state.selfDeaf);
            }

            @Override
            public void disconnectAll(final Shard owner, final long guildId, final long channelId)
            {
                for (final VoiceStates.VoiceState vs : java.util.List.copyOf(ctx.voiceStates(owner.id()).of(guildId)))
                {
                    if (vs.channelId == channelId)
                    {
                        voiceStateUpdate(owner, ctx, guildId, 0, vs.userId, vs.sessionId, false, false);
                    }
                }
            }
        };
    }
}
