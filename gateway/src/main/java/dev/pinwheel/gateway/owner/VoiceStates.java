package dev.pinwheel.gateway.owner;

import java.util.Collection;

import org.agrona.collections.Long2ObjectHashMap;

import dev.pinwheel.core.voice.VoiceAdmission;

/**
 * The voice states of the guilds one shard owns: {@code guild → user → VoiceState}. Voice states are
 * ephemeral (Discord forgets them on a restart too), so they live here and not in the journal.
 * NOT thread-safe: confined to the owner shard's thread, like the guilds themselves.
 */
public final class VoiceStates
{
    private final Long2ObjectHashMap<Long2ObjectHashMap<VoiceState>> byGuild = new Long2ObjectHashMap<>();

    /** One user's voice state in one guild. */
    public static final class VoiceState
    {
        final long userId;
        long channelId;
        String sessionId;
        /** The shard holding the session (in a cluster: of which node), -1 if not known. */
        int route = -1;
        boolean selfMute;
        boolean selfDeaf;
        boolean mute;
        boolean deaf;
        boolean noSpeak;

        VoiceState(final long userId)
        {
            this.userId = userId;
        }

        /**
         * @return the flags handed to the voice server.
         */
        int flags()
        {
            return (selfMute ? VoiceAdmission.SELF_MUTE : 0) | (selfDeaf ? VoiceAdmission.SELF_DEAF : 0)
                | (mute ? VoiceAdmission.MUTE : 0) | (deaf ? VoiceAdmission.DEAF : 0)
                | (noSpeak ? VoiceAdmission.NO_SPEAK : 0);
        }
    }

    VoiceState get(final long guildId, final long userId)
    {
        final Long2ObjectHashMap<VoiceState> m = byGuild.get(guildId);
        return m == null ? null : m.get(userId);
    }

    VoiceState getOrCreate(final long guildId, final long userId)
    {
        return byGuild.computeIfAbsent(guildId, k -> new Long2ObjectHashMap<>())
            .computeIfAbsent(userId, VoiceState::new);
    }

    void remove(final long guildId, final long userId)
    {
        final Long2ObjectHashMap<VoiceState> m = byGuild.get(guildId);
        if (m != null)
        {
            m.remove(userId);
            if (m.isEmpty())
            {
                byGuild.remove(guildId);
            }
        }
    }

    /**
     * @param guildId guild.
     * @return its voice states (live view; owner thread only).
     */
    Collection<VoiceState> of(final long guildId)
    {
        final Long2ObjectHashMap<VoiceState> m = byGuild.get(guildId);
        return m == null ? java.util.List.of() : m.values();
    }

    /**
     * @return the guilds with voice states (a copy; owner thread only).
     */
    long[] guilds()
    {
        return byGuild.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * @param guildId guild.
     * @return how many users are in a voice channel of the guild.
     */
    public int count(final long guildId)
    {
        final Long2ObjectHashMap<VoiceState> m = byGuild.get(guildId);
        return m == null ? 0 : m.size();
    }
}
