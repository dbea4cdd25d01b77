package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Mentions;
import dev.pinwheel.core.store.HistoryQuery;

/**
 * Sends the direct-message operations as typed commands ({@link OwnerCommands} 110-116), read back in this order by
 * {@link DmService}. Opening goes to the owner of the user pair ({@link #pairKey}: one writer per pair, so opening
 * twice from anywhere gives one channel); everything else goes to the owner of the channel id, which journals its
 * messages. Runs on the shard holding the request.
 */
public final class DmProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public DmProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * The routing key of a pair of users, the same whichever comes first: {@link Directory#pairId} (the lower id and
     * the higher id mixed into one long; the routing ring hashes it further). Only opening routes by it: a DM
     * channel, once open, is found by its id (the node's directory maps a pair to its channel whichever shard opened
     * it).
     *
     * @param a a user.
     * @param b another.
     * @return the pair's key.
     */
    public static long pairKey(final long a, final long b)
    {
        return Directory.pairId(a, b);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who opens it.
     * @param recipient   the other user (checked: exists, may be messaged).
     */
    public void open(final long correlation, final long userId, final long recipient)
    {
        shard.send(shard.group().ownerOf(pairKey(userId, recipient)), OwnerCommands.request(shard,
            OwnerCommands.DM_OPEN, correlation, userId).putLong(recipient));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      one of its users.
     * @param channelId   the DM channel.
     */
    public void channel(final long correlation, final long userId, final long channelId)
    {
        shard.send(shard.group().ownerOf(channelId), OwnerCommands.request(shard, OwnerCommands.DM_CHANNEL_GET,
            correlation, userId).putLong(channelId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the author, one of its users.
     * @param channelId   the DM channel.
     * @param content     text, validated.
     * @param tts         text-to-speech.
     * @param nonce       the client's nonce, or null.
     * @param embedsJson  validated embeds as a JSON array, or null.
     */
    public void post(final long correlation, final long userId, final long channelId, final String content,
        final boolean tts, final String nonce, final String embedsJson)
    {
        post(correlation, userId, channelId, content, tts, nonce, embedsJson, Mentions.DEFAULT_ALLOWED);
    }

    /**
     * {@link #post(long, long, long, String, boolean, String, String)} with the request's allowed_mentions.
     */
    public void post(final long correlation, final long userId, final long channelId, final String content,
        final boolean tts, final String nonce, final String embedsJson, final Mentions.Allowed allowed)
    {
        shard.send(shard.group().ownerOf(channelId), OwnerCommands.request(shard, OwnerCommands.DM_MESSAGE_POST,
            correlation, userId).putLong(channelId).putString(content).putBoolean(tts).putString(nonce)
            .putString(embedsJson).putInt(allowed.mask()).putLongs(allowed.users()).putLongs(allowed.roles()));
    }

    /**
     * {@link #post} with files already stored durably, sent from the file store's thread (no shard): the owner
     * answers the request's origin shard.
     *
     * @param group           the node's shards.
     * @param origin          the shard holding the request (its address).
     * @param correlation     the waiting request.
     * @param userId          the author, one of its users.
     * @param channelId       the DM channel.
     * @param content         text, validated.
     * @param tts             text-to-speech.
     * @param nonce           the client's nonce, or null.
     * @param embedsJson      validated embeds as a JSON array, or null.
     * @param allowed         the validated allowed_mentions.
     * @param attachmentsJson the message's attachment objects as a JSON array.
     * @return false if the owner's inbox is full (the caller answers the request).
     */
    public static boolean postWithFiles(final dev.pinwheel.core.shard.ShardGroup group, final int origin,
        final long correlation, final long userId, final long channelId, final String content, final boolean tts,
        final String nonce, final String embedsJson, final Mentions.Allowed allowed, final String attachmentsJson)
    {
        return group.send(group.ownerOf(channelId), OwnerCommands.request(origin, OwnerCommands.DM_MESSAGE_POST_FILES,
            correlation, userId).putLong(channelId).putString(content).putBoolean(tts).putString(nonce)
            .putString(embedsJson).putInt(allowed.mask()).putLongs(allowed.users()).putLongs(allowed.roles())
            .putString(attachmentsJson));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the editor (the author only).
     * @param channelId   the DM channel.
     * @param messageId   the message.
     * @param content     new text (at most 2,000 characters), or null to keep it.
     */
    public void edit(final long correlation, final long userId, final long channelId, final long messageId,
        final String content)
    {
        edit(correlation, userId, channelId, messageId, content, Mentions.DEFAULT_ALLOWED);
    }

    /**
     * {@link #edit(long, long, long, long, String)} with the request's allowed_mentions.
     */
    public void edit(final long correlation, final long userId, final long channelId, final long messageId,
        final String content, final Mentions.Allowed allowed)
    {
        shard.send(shard.group().ownerOf(channelId), OwnerCommands.request(shard, OwnerCommands.DM_MESSAGE_EDIT,
            correlation, userId).putLong(channelId).putLong(messageId).putString(content).putInt(allowed.mask())
            .putLongs(allowed.users()).putLongs(allowed.roles()));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who deletes (the author only).
     * @param channelId   the DM channel.
     * @param messageId   the message.
     */
    public void delete(final long correlation, final long userId, final long channelId, final long messageId)
    {
        shard.send(shard.group().ownerOf(channelId), OwnerCommands.request(shard, OwnerCommands.DM_MESSAGE_DELETE,
            correlation, userId).putLong(channelId).putLong(messageId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param channelId   the DM channel.
     * @param messageId   the message.
     */
    public void get(final long correlation, final long userId, final long channelId, final long messageId)
    {
        shard.send(shard.group().ownerOf(channelId), OwnerCommands.request(shard, OwnerCommands.DM_MESSAGE_GET,
            correlation, userId).putLong(channelId).putLong(messageId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param channelId   the DM channel.
     * @param query       LATEST or BEFORE.
     * @param anchor      the before id (0 for the latest).
     * @param limit       1-100.
     */
    public void history(final long correlation, final long userId, final long channelId, final HistoryQuery query,
        final long anchor, final int limit)
    {
        shard.send(shard.group().ownerOf(channelId), OwnerCommands.request(shard, OwnerCommands.DM_MESSAGE_HISTORY,
            correlation, userId).putLong(channelId).putInt(query.ordinal()).putLong(anchor).putInt(limit));
    }
}
