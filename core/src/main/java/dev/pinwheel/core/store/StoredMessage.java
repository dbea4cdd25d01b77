package dev.pinwheel.core.store;

/**
 * One version of a chat message as the store keeps it. Ids are snowflakes, so id order is time order.
 *
 * @param id                    message snowflake.
 * @param channelId             channel snowflake.
 * @param guildId               guild snowflake (0 for a direct message).
 * @param authorId              user snowflake of the author.
 * @param content               message text (UTF-8, at most 2000 characters).
 * @param editedTimestampMillis epoch millis of the latest edit, 0 if never edited.
 * @param flags                 Discord message flags.
 * @param tts                   text-to-speech flag.
 * @param pinned                pinned flag.
 */
public record StoredMessage(
    long id,
    long channelId,
    long guildId,
    long authorId,
    String content,
    long editedTimestampMillis,
    int flags,
    boolean tts,
    boolean pinned)
{
    /**
     * @param newContent   the edited text.
     * @param editedMillis when it was edited.
     * @return this message with new content and edited timestamp.
     */
    public StoredMessage withEdit(final String newContent, final long editedMillis)
    {
        return new StoredMessage(id, channelId, guildId, authorId, newContent, editedMillis, flags, tts, pinned);
    }

    /**
     * @param pin whether the version is pinned.
     * @return this message pinned or unpinned (content and edited timestamp unchanged: pinning is not an edit).
     */
    public StoredMessage withPinned(final boolean pin)
    {
        return new StoredMessage(id, channelId, guildId, authorId, content, editedTimestampMillis, flags, tts, pin);
    }
}
