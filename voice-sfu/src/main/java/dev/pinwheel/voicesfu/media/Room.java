package dev.pinwheel.voicesfu.media;

import java.util.Arrays;

/**
 * The members of one voice channel. The member array is copy-on-write: the control plane replaces it on
 * join/leave, media loops iterate a snapshot without locks or allocation.
 */
public final class Room
{
    private static final VoiceMember[] EMPTY = new VoiceMember[0];
    private final long guildId;
    private final long channelId;
    private volatile VoiceMember[] members = EMPTY;

    /**
     * @param guildId   guild.
     * @param channelId voice channel.
     */
    public Room(final long guildId, final long channelId)
    {
        this.guildId = guildId;
        this.channelId = channelId;
    }

    public long guildId()
    {
        return guildId;
    }

    public long channelId()
    {
        return channelId;
    }

    /**
     * @return the current members (do not modify).
     */
    public VoiceMember[] members()
    {
        return members;
    }

    /**
     * Control plane only.
     *
     * @param m member to add.
     */
    public void add(final VoiceMember m)
    {
        final VoiceMember[] cur = members;
        final VoiceMember[] next = Arrays.copyOf(cur, cur.length + 1);
        next[cur.length] = m;
        members = next;
        m.room(this);
    }

    /**
     * Control plane only.
     *
     * @param m member to remove.
     * @return whether it was there.
     */
    public boolean remove(final VoiceMember m)
    {
        final VoiceMember[] cur = members;
        for (int i = 0; i < cur.length; i++)
        {
            if (cur[i] == m)
            {
                final VoiceMember[] next = new VoiceMember[cur.length - 1];
                System.arraycopy(cur, 0, next, 0, i);
                System.arraycopy(cur, i + 1, next, i, cur.length - i - 1);
                members = next;
                return true;
            }
        }
        return false;
    }
}
