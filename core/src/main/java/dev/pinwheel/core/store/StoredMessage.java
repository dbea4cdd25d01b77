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
 * @param extra                 the rest of the message as the API gave it, a JSON object text ({@code embeds},
 *                              {@code message_reference}), validated by the gateway; null when there is none.
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
    boolean pinned,
    String extra)
{
    /**
     * A version without extra fields.
     */
    public StoredMessage(final long id, final long channelId, final long guildId, final long authorId,
        final String content, final long editedTimestampMillis, final int flags, final boolean tts, final boolean pinned)
    {
        this(id, channelId, guildId, authorId, content, editedTimestampMillis, flags, tts, pinned, null);
    }

    /**
     * @param newContent   the edited text.
     * @param editedMillis when it was edited.
     * @return this message with new content and edited timestamp.
     */
    public StoredMessage withEdit(final String newContent, final long editedMillis)
    {
        return new StoredMessage(id, channelId, guildId, authorId, newContent, editedMillis, flags, tts, pinned,
            extra);
    }

    /**
     * @param newContent   the edited text.
     * @param newExtra     the edited extra fields (JSON object text, or null for none).
     * @param editedMillis when it was edited.
     * @return this message with new content, extra fields and edited timestamp.
     */
    public StoredMessage withEdit(final String newContent, final String newExtra, final long editedMillis)
    {
        return new StoredMessage(id, channelId, guildId, authorId, newContent, editedMillis, flags, tts, pinned,
            newExtra);
    }

    /**
     * @param newExtra the extra fields (JSON object text, or null for none).
     * @return this message with other extra fields; not an edit (content and edited timestamp unchanged), as
     *         for reactions.
     */
    public StoredMessage withExtra(final String newExtra)
    {
        return new StoredMessage(id, channelId, guildId, authorId, content, editedTimestampMillis, flags, tts, pinned,
            newExtra);
    }

    /**
     * @param pin whether the version is pinned.
     * @return this message pinned or unpinned (content and edited timestamp unchanged: pinning is not an edit).
     */
    public StoredMessage withPinned(final boolean pin)
    {
        return new StoredMessage(id, channelId, guildId, authorId, content, editedTimestampMillis, flags, tts, pin,
            extra);
    }
}
