package dev.pinwheel.core.fanout;

import java.nio.charset.StandardCharsets;

/**
 * One gateway event, encoded once by the shard that produced it and shared, read-only, by every shard and
 * session that delivers it (Manifold: one hand-off per target shard, never one copy per recipient).
 * Receivers frame it per session by splicing the session's sequence number around {@link #data()}.
 */
public final class Dispatch
{
    private final String type;
    private final byte[] typeAscii;
    private final byte[] data;
    private final byte[] redactedData;
    private final int intent;
    private final long guildId;
    private final long authorId;
    private final long targetUserId;
    private final org.agrona.collections.LongHashSet audience;
    /** Users mentioned by the message it carries (sorted; they see its content without MESSAGE_CONTENT), or null. */
    private final long[] mentioned;
    /** A 256-bit filter of {@link #mentioned}: most recipients are ruled out by one bit test, not a search. */
    private final long[] filter;
    /** The message a MESSAGE_CREATE creates (what a shard delivering it notes, {@link #messageKey}), or 0. */
    private final long messageKey;
    /** Whether this is the event of a message written before, sent again ({@link #sentAgain}). */
    private final boolean again;

    /**
     * @param type         event name, e.g. {@code MESSAGE_CREATE}.
     * @param data         the encoded {@code d} (JSON bytes).
     * @param redactedData {@code d} without message content, for sessions lacking MESSAGE_CONTENT (null: same).
     * @param intent       the intent bit a session needs to receive it (0: always).
     * @param guildId      guild it belongs to (0: none).
     * @param authorId     user whose content it carries (they always see their own content), or 0.
     * @param targetUserId deliver only to this user's sessions (0: every subscribed session).
     */
    public Dispatch(
        final String type,
        final byte[] data,
        final byte[] redactedData,
        final int intent,
        final long guildId,
        final long authorId,
        final long targetUserId)
    {
        this(type, data, redactedData, intent, guildId, authorId, targetUserId, null);
    }

    /**
     * @param type         event name, e.g. {@code MESSAGE_CREATE}.
     * @param data         the encoded {@code d} (JSON bytes).
     * @param redactedData {@code d} without message content, for sessions lacking MESSAGE_CONTENT (null: same).
     * @param intent       the intent bit a session needs to receive it (0: always).
     * @param guildId      guild it belongs to (0: none).
     * @param authorId     user whose content it carries (they always see their own content), or 0.
     * @param targetUserId deliver only to this user's sessions (0: every subscribed session).
     * @param audience     the only users whose sessions receive it (the viewers of its channel; a snapshot never
     *                     modified after publication), or null for every subscribed session.
     */
    public Dispatch(
        final String type,
        final byte[] data,
        final byte[] redactedData,
        final int intent,
        final long guildId,
        final long authorId,
        final long targetUserId,
        final org.agrona.collections.LongHashSet audience)
    {
        this(type, data, redactedData, intent, guildId, authorId, targetUserId, audience, null, 0, false);
    }

    /**
     * @param type         event name, e.g. {@code MESSAGE_CREATE}.
     * @param data         the encoded {@code d} (JSON bytes).
     * @param redactedData {@code d} without message content, for sessions lacking MESSAGE_CONTENT (null: same).
     * @param intent       the intent bit a session needs to receive it (0: always).
     * @param guildId      guild it belongs to (0: none).
     * @param authorId     user whose content it carries (they always see their own content), or 0.
     * @param targetUserId deliver only to this user's sessions (0: every subscribed session).
     * @param audience     the only users whose sessions receive it, or null for every subscribed session.
     * @param mentioned    the users the message mentions, sorted ascending (they get {@link #data()} even without
     *                     MESSAGE_CONTENT, as on Discord), or null for none. Never modified after publication.
     * @param messageKey   the message a MESSAGE_CREATE creates, or 0 ({@link #messageKey}).
     * @param again        whether it is that message's event sent again ({@link #sentAgain}).
     */
    public Dispatch(
        final String type,
        final byte[] data,
        final byte[] redactedData,
        final int intent,
        final long guildId,
        final long authorId,
        final long targetUserId,
        final org.agrona.collections.LongHashSet audience,
        final long[] mentioned,
        final long messageKey,
        final boolean again)
    {
        this.messageKey = messageKey;
        this.again = again && messageKey != 0;
        this.mentioned = mentioned == null || mentioned.length == 0 ? null : mentioned;
        this.filter = this.mentioned == null ? null : new long[4];
        if (this.mentioned != null)
        {
            for (final long id : this.mentioned)
            {
                final int bit = filterBit(id);
                filter[bit >>> 6] |= 1L << bit;
            }
        }
        this.audience = audience;
        this.type = type;
        this.typeAscii = type.getBytes(StandardCharsets.US_ASCII);
        this.data = data;
        this.redactedData = redactedData;
        this.intent = intent;
        this.guildId = guildId;
        this.authorId = authorId;
        this.targetUserId = targetUserId;
    }

    /**
     * @param type event name.
     * @param data encoded {@code d}.
     * @return a dispatch every session receives.
     */
    public static Dispatch of(final String type, final byte[] data)
    {
        return new Dispatch(type, data, null, 0, 0, 0, 0);
    }

    /**
     * @return the event name.
     */
    public String type()
    {
        return type;
    }

    /**
     * @return the event name as ASCII bytes (shared; do not modify).
     */
    public byte[] typeAscii()
    {
        return typeAscii;
    }

    /**
     * @return the encoded {@code d} (shared; do not modify).
     */
    public byte[] data()
    {
        return data;
    }

    /**
     * @return {@code d} without message content, or null when every session gets {@link #data()} (shared; do not
     *         modify). To copy a dispatch as it is (into a command).
     */
    public byte[] redactedData()
    {
        return redactedData;
    }

    /**
     * @param userId        the receiving session's user.
     * @param seesContent   whether the session holds the MESSAGE_CONTENT intent.
     * @return the {@code d} this session may see.
     */
    public byte[] dataFor(final long userId, final boolean seesContent)
    {
        if (redactedData == null || seesContent || userId == authorId)
        {
            return data;
        }
        return mentioned != null && mayBeMentioned(userId) && java.util.Arrays.binarySearch(mentioned, userId) >= 0
            ? data : redactedData;
    }

    /**
     * @return the intent bit needed, or 0.
     */
    public int intent()
    {
        return intent;
    }

    /**
     * @return guild id or 0.
     */
    public long guildId()
    {
        return guildId;
    }

    /**
     * @return author id or 0.
     */
    public long authorId()
    {
        return authorId;
    }

    /**
     * @return the only user to deliver to, or 0.
     */
    public long targetUserId()
    {
        return targetUserId;
    }

    /**
     * @return the users who may receive it (read-only), or null for everyone subscribed.
     */
    public org.agrona.collections.LongHashSet audience()
    {
        return audience;
    }

    /**
     * @param viewers the users who may receive it (a snapshot, never modified), or null for everyone.
     * @return this event for that audience (the same bytes).
     */
    public Dispatch withAudience(final org.agrona.collections.LongHashSet viewers)
    {
        return viewers == audience ? this : new Dispatch(type, data, redactedData, intent, guildId, authorId,
            targetUserId, viewers, mentioned, messageKey, again);
    }

    /**
     * @return the id of the message this MESSAGE_CREATE creates, or 0 for any other event. A shard that delivers a
     *         keyed event notes its key, so that the same event {@link #sentAgain} is delivered there at most once.
     */
    public long messageKey()
    {
        return messageKey;
    }

    /**
     * @return whether this is the event of a message written before, sent again: its owner answered a post sent again
     *         with the message the first try wrote, whose owner may have died before its event left. A shard that
     *         delivered the key already skips it; one that never did delivers it.
     */
    public boolean again()
    {
        return again;
    }

    /**
     * @return this event, the same bytes, marked as sent again ({@link #again}); itself when it has no key.
     */
    public Dispatch sentAgain()
    {
        return messageKey == 0 || again ? this : new Dispatch(type, data, redactedData, intent, guildId, authorId,
            targetUserId, audience, mentioned, messageKey, true);
    }

    private static int filterBit(final long id)
    {
        return (int)(id ^ id >>> 12 ^ id >>> 22 ^ id >>> 37) & 255; // snowflakes: increment, process, time bits
    }

    private boolean mayBeMentioned(final long userId)
    {
        final int bit = filterBit(userId);
        return (filter[bit >>> 6] & 1L << bit) != 0;
    }

    /**
     * @return the users mentioned (sorted, read-only), or null for none.
     */
    public long[] mentioned()
    {
        return mentioned;
    }

    @Override
    public String toString()
    {
        return "Dispatch{" + type + ", guild=" + guildId + ", " + data.length + " B}";
    }
}
