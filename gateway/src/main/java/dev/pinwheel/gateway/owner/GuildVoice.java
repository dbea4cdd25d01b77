package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.shard.Shard;

/**
 * The voice side of a guild as its member and channel services see it, on the owner shard: who is connected where,
 * server mute/deafen, moves and disconnects. Each change goes the way of the member's own gateway op 4: the voice
 * server is told, VOICE_STATE_UPDATE goes to the guild (and, on a move, VOICE_SERVER_UPDATE to the member). The node's
 * implementation is the owner shard's own {@link VoiceService} ({@code GatewayShard#voice()}); tests keep their own
 * {@link VoiceStates}. Owner shard thread only.
 */
public interface GuildVoice
{
    /**
     * @param owner   the owner shard.
     * @param guildId the guild.
     * @param userId  a member.
     * @return the member's voice state, or null if not connected.
     */
    VoiceStates.VoiceState state(Shard owner, long guildId, long userId);

    /**
     * The state's server mute or deafen changed: tell the voice server and the guild.
     *
     * @param owner the owner shard.
     * @param g     the guild.
     * @param state the changed state.
     */
    void serverMuteChanged(Shard owner, Guild g, VoiceStates.VoiceState state);

    /**
     * Moves a connected member to another voice channel, or disconnects it, as its own op 4 would.
     *
     * @param owner     the owner shard.
     * @param guildId   the guild.
     * @param state     the member's state (connected).
     * @param channelId the voice channel to move to, or 0 to disconnect.
     */
    void move(Shard owner, long guildId, VoiceStates.VoiceState state, long channelId);

    /**
     * Disconnects everyone in a voice channel (it is being deleted).
     *
     * @param owner     the owner shard.
     * @param guildId   the guild.
     * @param channelId the channel.
     */
    void disconnectAll(Shard owner, long guildId, long channelId);
}
