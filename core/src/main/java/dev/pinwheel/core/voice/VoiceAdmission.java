package dev.pinwheel.core.voice;

/**
 * What the main gateway tells the voice server (the SFU) about voice states. The guild's owner shard decides
 * (permissions, channel, mute/deafen) and calls these methods; the voice server only trusts what arrives here.
 * Implementations must be cheap and non-blocking: they hand the change to the voice server's own thread and
 * return. Calls for one guild come from one thread (its owner shard) in order.
 */
public interface VoiceAdmission
{
    /** No voice server configured: nobody is admitted, and {@link #endpoint()} is null. */
    VoiceAdmission NONE = new VoiceAdmission()
    {
        @Override
        public String admit(final long guildId, final long channelId, final long userId, final String sessionId,
            final int flags)
        {
            return null;
        }

        @Override
        public void update(final long guildId, final long userId, final int flags)
        {
        }

        @Override
        public void evict(final long guildId, final long userId)
        {
        }

        @Override
        public String endpoint()
        {
            return null;
        }
    };

    /** Flag: the user muted themself. */
    int SELF_MUTE = 1;
    /** Flag: the user deafened themself. */
    int SELF_DEAF = 1 << 1;
    /** Flag: a moderator muted the user (server mute). */
    int MUTE = 1 << 2;
    /** Flag: a moderator deafened the user (server deafen). */
    int DEAF = 1 << 3;
    /** Flag: the user lacks SPEAK in the channel. */
    int NO_SPEAK = 1 << 4;

    /**
     * Admits (or moves) a user's gateway session into a voice channel.
     *
     * @param guildId   guild.
     * @param channelId voice channel.
     * @param userId    user.
     * @param sessionId the user's main-gateway session id (the voice IDENTIFY must repeat it).
     * @param flags     {@link #SELF_MUTE} and friends.
     * @return the token for VOICE_SERVER_UPDATE, or null if no voice server runs.
     */
    String admit(long guildId, long channelId, long userId, String sessionId, int flags);

    /**
     * @param guildId guild.
     * @param userId  user.
     * @param flags   new flags (mute/deafen changes).
     */
    void update(long guildId, long userId, int flags);

    /**
     * The user left voice in the guild (or was disconnected): drop the media session.
     *
     * @param guildId guild.
     * @param userId  user.
     */
    void evict(long guildId, long userId);

    /**
     * @return {@code host:port} of the voice gateway for VOICE_SERVER_UPDATE, or null.
     */
    String endpoint();
}
