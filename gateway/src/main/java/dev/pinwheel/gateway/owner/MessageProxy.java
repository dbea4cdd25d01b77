package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.gateway.codec.Mentions;

/**
 * Sends the message operations of a guild channel to the guild's owner as typed commands ({@link OwnerCommands}),
 * read back field by field, in this order, by {@link MessageService}. Runs on the shard holding the request (its
 * command writer); the answer comes back to {@code correlation} on this shard.
 */
public final class MessageProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public MessageProxy(final Shard shard)
    {
        this.shard = shard;
    }

    private int owner(final long guildId)
    {
        return shard.group().ownerOf(guildId);
    }

    /**
     * @param correlation  the waiting request.
     * @param userId       the author.
     * @param guildId      the channel's guild.
     * @param channelId    the channel.
     * @param content      text, validated (at most 2,000 characters).
     * @param tts          text-to-speech.
     * @param flags        message flags allowed on create.
     * @param nonce        the client's nonce, or null.
     * @param embedsJson   validated embeds as a JSON array, or null.
     * @param replyTo      the message replied to, or 0.
     * @param replyChannel its channel (0: this one).
     * @param failIfNotExists whether an unknown reply target is an error.
     * @param allowed      the validated allowed_mentions.
     */
    public void post(final long correlation, final long userId, final long guildId, final long channelId,
        final String content, final boolean tts, final int flags, final String nonce, final String embedsJson,
        final long replyTo, final long replyChannel, final boolean failIfNotExists, final Mentions.Allowed allowed)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MESSAGE_POST, correlation, userId)
            .putLong(guildId).putLong(channelId).putString(content).putBoolean(tts).putInt(flags).putString(nonce)
            .putString(embedsJson).putLong(replyTo).putLong(replyChannel).putBoolean(failIfNotExists)
            .putInt(allowed.mask()).putLongs(allowed.users()).putLongs(allowed.roles()));
    }

    /**
     * {@link #post(long, long, long, long, String, boolean, int, String, String, long, long, boolean,
     * Mentions.Allowed)} without allowed_mentions (Discord's default: everything written pings).
     */
    public void post(final long correlation, final long userId, final long guildId, final long channelId,
        final String content, final boolean tts, final int flags, final String nonce, final String embedsJson,
        final long replyTo, final long replyChannel, final boolean failIfNotExists)
    {
        post(correlation, userId, guildId, channelId, content, tts, flags, nonce, embedsJson, replyTo, replyChannel,
            failIfNotExists, Mentions.DEFAULT_ALLOWED);
    }

    /**
     * {@link #edit(long, long, long, long, long, String, String, Mentions.Allowed)} without allowed_mentions.
     */
    public void edit(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final String content, final String embedsJson)
    {
        edit(correlation, userId, guildId, channelId, messageId, content, embedsJson, Mentions.DEFAULT_ALLOWED);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the editor.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     * @param content     new text, or null to keep it.
     * @param embedsJson  new embeds as a JSON array ({@code []} removes them), or null to keep them.
     * @param allowed     the validated allowed_mentions (for new text).
     */
    public void edit(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final String content, final String embedsJson, final Mentions.Allowed allowed)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MESSAGE_EDIT, correlation, userId)
            .putLong(guildId).putLong(channelId).putLong(messageId).putString(content).putString(embedsJson)
            .putInt(allowed.mask()).putLongs(allowed.users()).putLongs(allowed.roles()));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who deletes.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     */
    public void delete(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId)
    {
        delete(correlation, userId, guildId, channelId, messageId, null);
    }

    /**
     * {@link #delete(long, long, long, long, long)} with the request's audit-log reason (or null).
     */
    public void delete(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MESSAGE_DELETE, correlation, userId,
            reason).putLong(guildId).putLong(channelId).putLong(messageId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who deletes.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageIds  2-100 distinct ids, checked.
     */
    public void bulkDelete(final long correlation, final long userId, final long guildId, final long channelId,
        final long[] messageIds)
    {
        bulkDelete(correlation, userId, guildId, channelId, messageIds, null);
    }

    /**
     * {@link #bulkDelete(long, long, long, long, long[])} with the request's audit-log reason (or null).
     */
    public void bulkDelete(final long correlation, final long userId, final long guildId, final long channelId,
        final long[] messageIds, final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MESSAGE_BULK_DELETE, correlation,
            userId, reason).putLong(guildId).putLong(channelId).putLongs(messageIds));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     */
    public void get(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MESSAGE_GET, correlation, userId)
            .putLong(guildId).putLong(channelId).putLong(messageId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param query       which page.
     * @param anchor      the before/after/around id.
     * @param limit       1-100.
     */
    public void history(final long correlation, final long userId, final long guildId, final long channelId,
        final HistoryQuery query, final long anchor, final int limit)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MESSAGE_HISTORY, correlation, userId)
            .putLong(guildId).putLong(channelId).putInt(query.ordinal()).putLong(anchor).putInt(limit));
    }
}
