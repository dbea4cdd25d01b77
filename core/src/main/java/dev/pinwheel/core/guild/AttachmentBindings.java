package dev.pinwheel.core.guild;

import java.util.Arrays;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Which live message each attachment of one shard's guilds belongs to: the owners' side of the file store's reference
 * count. A message that names files journals {@code ATTACHMENTS_BOUND} (guild, channel, message, ids) in the same
 * commit as the message itself, so a restart rebuilds exactly the bindings of acknowledged messages; a delete (of the
 * message, its channel, its guild, or a file dropped by an edit) journals {@code ATTACHMENTS_UNBOUND} before the file
 * goes. A file with no binding was never acknowledged (a crash between its fsync and the message's commit); a binding
 * whose message is gone (deleted, expired by retention) is stale: the file store's sweep asks the owner about both.
 * Shard-confined; touched only on posts and deletes with files, never per fanout.
 */
public final class AttachmentBindings
{
    /**
     * Where an attachment is used.
     *
     * @param guildId   its guild.
     * @param channelId its channel.
     * @param messageId the message naming it.
     */
    public record Binding(long guildId, long channelId, long messageId)
    {
    }

    private final Long2ObjectHashMap<Binding> byAttachment = new Long2ObjectHashMap<>();

    /**
     * @param guildId       guild.
     * @param channelId     channel.
     * @param messageId     message.
     * @param attachmentIds its new attachments.
     */
    public void bind(final long guildId, final long channelId, final long messageId, final long[] attachmentIds)
    {
        final Binding b = new Binding(guildId, channelId, messageId);
        for (final long id : attachmentIds)
        {
            byAttachment.put(id, b);
        }
    }

    /**
     * @param attachmentIds attachments no message names any more.
     */
    public void unbind(final long[] attachmentIds)
    {
        for (final long id : attachmentIds)
        {
            byAttachment.remove(id);
        }
    }

    /**
     * @param attachmentId an attachment.
     * @return where it is used, or null if no acknowledged message of this shard names it.
     */
    public Binding get(final long attachmentId)
    {
        return byAttachment.get(attachmentId);
    }

    /**
     * @param guildId   guild.
     * @param channelId channel, or 0 for every channel of the guild.
     * @return the attachments bound to messages there (a channel or guild that is being deleted).
     */
    public long[] in(final long guildId, final long channelId)
    {
        long[] out = new long[8];
        int n = 0;
        final Long2ObjectHashMap<Binding>.EntryIterator it = byAttachment.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final Binding b = it.getValue();
            if (b.guildId() == guildId && (channelId == 0 || b.channelId() == channelId))
            {
                if (n == out.length)
                {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = it.getLongKey();
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * @return attachments bound.
     */
    public int size()
    {
        return byAttachment.size();
    }
}
