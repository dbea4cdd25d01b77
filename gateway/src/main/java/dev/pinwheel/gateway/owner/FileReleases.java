package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * What an owner tells the node's file store about a message's files: {@link #bind} when a message naming new files is
 * journaled (in the same commit), {@link #release} once a change that drops attachments is committed (a deleted
 * message, channel or guild, an edit that removed files, a refused upload): those attachments are no longer
 * referenced, their bytes may go. Implemented per shard by {@link AttachmentOwnership}; file work runs on the
 * store's own thread.
 */
@FunctionalInterface
public interface FileReleases
{
    /** Releases nothing (nodes and tests without a file store). */
    FileReleases NONE = ids -> { };

    /**
     * @param attachmentIds attachments no message refers to any more.
     */
    void release(long[] attachmentIds);

    /**
     * Journals which message new attachments belong to ({@code ATTACHMENTS_BOUND}), on the owner, before the message
     * itself is appended: an acknowledged message's files are always bound. Nothing by default.
     *
     * @param owner         this shard.
     * @param guildId       guild.
     * @param channelId     channel.
     * @param messageId     the message.
     * @param attachmentIds its new attachments.
     */
    default void bind(final Shard owner, final long guildId, final long channelId, final long messageId,
        final long[] attachmentIds)
    {
    }
}
