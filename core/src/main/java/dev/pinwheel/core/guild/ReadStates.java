package dev.pinwheel.core.guild;

import java.util.Arrays;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The read states of the users one shard owns (the routing ring, as for guilds): per user and channel the last
 * message acknowledged and the mentions since, as Discord's {@code read_state} entries show them. Changed only
 * through the journal's state records ({@code READ_STATE_ACK}, {@code READ_STATE_MENTION}), so a restart rebuilds
 * exactly what was served.
 * <pre>
 *   user ─▶ channel ─▶ Entry { lastMessageId, mentions: ids of the mentioning messages after it (sorted) }
 *   ack(m)      lastMessageId = m; mentions ≤ m dropped (an ack of an older message marks newer ones unread again)
 *   mention(m)  counted only when m is after lastMessageId; one message counts once
 * </pre>
 * A channel keeps at most {@link #MAX_KEPT} mention ids; older ones beyond that are only counted (and dropped by
 * any ack that covers the oldest id kept). Shard-confined.
 */
public final class ReadStates
{
    /** Mention ids kept per channel; more are only counted. */
    public static final int MAX_KEPT = 1024;

    private final Long2ObjectHashMap<User> users = new Long2ObjectHashMap<>();

    /** One user's read states. */
    public static final class User
    {
        private final Long2ObjectHashMap<Entry> channels = new Long2ObjectHashMap<>();
        private long version;

        /**
         * @return the entries, by channel (read-only use).
         */
        public Long2ObjectHashMap<Entry> channels()
        {
            return channels;
        }

        /**
         * @return how many changes this user's read states have seen (Discord's {@code version}).
         */
        public long version()
        {
            return version;
        }
    }

    /** One channel's read state. */
    public static final class Entry
    {
        private long lastMessageId;
        private long[] mentions = new long[0];
        private int kept;
        private int overflow;

        /**
         * @return the last message acknowledged (0: none).
         */
        public long lastMessageId()
        {
            return lastMessageId;
        }

        /**
         * @return the mentions after it.
         */
        public int mentionCount()
        {
            return kept + overflow;
        }

        void ack(final long messageId)
        {
            lastMessageId = messageId;
            int drop = 0;
            while (drop < kept && mentions[drop] <= messageId)
            {
                drop++;
            }
            if (drop > 0)
            {
                overflow = 0; // the ack covers the oldest kept mention, so every older (only counted) one too
                System.arraycopy(mentions, drop, mentions, 0, kept - drop);
                kept -= drop;
            }
        }

        void mention(final long messageId)
        {
            if (messageId <= lastMessageId)
            {
                return;
            }
            final int at = Arrays.binarySearch(mentions, 0, kept, messageId);
            if (at >= 0)
            {
                return;
            }
            final int insert = -at - 1;
            if (kept == mentions.length)
            {
                if (kept == MAX_KEPT)
                {
                    if (insert == 0)
                    {
                        overflow++;
                        return;
                    }
                    // forget the oldest id, keep counting it
                    System.arraycopy(mentions, 1, mentions, 0, insert - 1);
                    mentions[insert - 1] = messageId;
                    overflow++;
                    return;
                }
                mentions = Arrays.copyOf(mentions, Math.min(MAX_KEPT, Math.max(4, kept * 2)));
            }
            System.arraycopy(mentions, insert, mentions, insert + 1, kept - insert);
            mentions[insert] = messageId;
            kept++;
        }
    }

    /**
     * @param userId    the user.
     * @param channelId the channel.
     * @param messageId the message read up to.
     */
    public void ack(final long userId, final long channelId, final long messageId)
    {
        final User u = users.computeIfAbsent(userId, k -> new User());
        u.channels.computeIfAbsent(channelId, k -> new Entry()).ack(messageId);
        u.version++;
    }

    /**
     * @param userId    the user mentioned.
     * @param channelId the channel.
     * @param messageId the mentioning message.
     */
    public void mention(final long userId, final long channelId, final long messageId)
    {
        final User u = users.computeIfAbsent(userId, k -> new User());
        u.channels.computeIfAbsent(channelId, k -> new Entry()).mention(messageId);
        u.version++;
    }

    /**
     * @param userId a user.
     * @return their read states, or null when they have none.
     */
    public User of(final long userId)
    {
        return users.get(userId);
    }

    /**
     * @param userId    a user.
     * @param channelId a channel.
     * @return the entry, or null.
     */
    public Entry entry(final long userId, final long channelId)
    {
        final User u = users.get(userId);
        return u == null ? null : u.channels.get(channelId);
    }
}
