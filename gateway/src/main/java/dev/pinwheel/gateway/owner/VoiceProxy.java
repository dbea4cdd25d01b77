package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends a session's voice signalling to the guild's owner as typed commands ({@link OwnerCommands#VOICE_STATE},
 * {@link OwnerCommands#VOICE_SESSION_ENDED}), read back in this order by {@link VoiceService}. Runs on the session's
 * shard (its command writer); the owner answers with events to the guild.
 */
public final class VoiceProxy
{
    private final Shard shard;

    /**
     * @param shard the session's shard (this thread).
     */
    public VoiceProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * Op 4.
     *
     * @param guildId   the guild.
     * @param channelId the voice channel, 0 to leave.
     * @param userId    the session's user.
     * @param sessionId the session.
     * @param selfMute  self mute.
     * @param selfDeaf  self deafen.
     */
    public void stateUpdate(final long guildId, final long channelId, final long userId, final String sessionId,
        final boolean selfMute, final boolean selfDeaf)
    {
        shard.send(shard.group().ownerOf(guildId), shard.commandWriter().begin(OwnerCommands.VOICE_STATE)
            .putLong(guildId).putLong(channelId).putLong(userId).putString(sessionId).putBoolean(selfMute)
            .putBoolean(selfDeaf).putInt(shard.address()));
    }

    /**
     * The session that joined voice in the guild ended.
     *
     * @param guildId   the guild.
     * @param userId    the session's user.
     * @param sessionId the session.
     */
    public void sessionEnded(final long guildId, final long userId, final String sessionId)
    {
        shard.send(shard.group().ownerOf(guildId), shard.commandWriter().begin(OwnerCommands.VOICE_SESSION_ENDED)
            .putLong(guildId).putLong(userId).putString(sessionId));
    }
}
