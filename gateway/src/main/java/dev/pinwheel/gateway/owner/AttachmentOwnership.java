package dev.pinwheel.gateway.owner;

import java.util.Arrays;

import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.guild.AttachmentBindings;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.ReadPendingException;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.node.FileStore;

/**
 * One owner shard's side of the file store's reference count: which acknowledged message names each attachment.
 * <pre>
 *   post/edit with files   ATTACHMENTS_BOUND (guild, channel, message, ids) ─ same commit as the message
 *   delete (message, bulk, ban, channel, guild, edit drop, refused upload)
 *        └─ after commit: Unbind task on this shard ─ ATTACHMENTS_UNBOUND ─ after commit ─▶ pinwheel-files: unlink
 *   sweep (pinwheel-files, at start and periodically) ─ Check task ─▶ owner: bound to a live message that still
 *        names it?  no ─▶ Unbind as above
 * </pre>
 * A file the owner never bound was never acknowledged (a crash between the file's fsync and the message's commit,
 * the sweep only asks about those written before this process started or older than the grace period); a binding
 * whose message, channel or guild is gone, or whose message no longer names the file, is stale (a crash between the
 * commit and the unlink, journal retention). A file of a still-acknowledged message is never released: the binding
 * and the message are read on the owner's thread, which is the only writer of both. A file never bound to a guild
 * this shard does not hold (deleted, or not loaded yet) is left alone, and so is one whose message read failed: the
 * sweep only releases what it can prove dead. With a remote store (Cassandra) the sweep's question prefetches its
 * messages and is parked until they are in memory, as any owner command that reads. Shard-confined.
 */
public final class AttachmentOwnership implements FileReleases
{
    private static final Logger LOG = LoggerFactory.getLogger(AttachmentOwnership.class);

    private final Shard shard;
    private final NodeState node;
    private final FileStore files;

    /**
     * @param shard the owner shard.
     * @param node  the node's state.
     * @param files the node's file store.
     */
    public AttachmentOwnership(final Shard shard, final NodeState node, final FileStore files)
    {
        this.shard = shard;
        this.node = node;
        this.files = files;
    }

    @Override
    public void bind(final Shard owner, final long guildId, final long channelId, final long messageId,
        final long[] attachmentIds)
    {
        if (attachmentIds.length > 0)
        {
            StateLog.commit(owner, node, StateRecords.ATTACHMENTS_BOUND,
                StateRecords.attachmentsBound(guildId, channelId, messageId, attachmentIds));
        }
    }

    /**
     * On this shard's thread (often inside another change's acknowledgement): the unbinding is journaled by a task
     * of its own, run in a later duty cycle, then the files go.
     */
    @Override
    public void release(final long[] attachmentIds)
    {
        if (attachmentIds.length == 0)
        {
            return;
        }
        final long[] ids = attachmentIds.clone();
        if (!shard.group().send(shard.id(), new Unbind(ids, node, files)))
        {
            // the inbox is full: forget the bindings in memory and let the files go; a restart's sweep finds the
            // journaled binding stale (its message is gone) and unbinds it then
            shard.guilds().attachments().unbind(ids);
            unlink(files, ids);
        }
    }

    /**
     * Releases what a channel's or a guild's deletion drops, once that deletion is committed.
     *
     * @param owner     this shard.
     * @param files     where released attachments go.
     * @param guildId   guild.
     * @param channelId the deleted channel, or 0 for the whole guild.
     */
    public static void dropAfterCommit(final Shard owner, final FileReleases files, final long guildId,
        final long channelId)
    {
        final long[] ids = owner.guilds().attachments().in(guildId, channelId);
        if (ids.length > 0)
        {
            owner.afterCommit(() -> files.release(ids));
        }
    }

    private static void unlink(final FileStore files, final long[] ids)
    {
        if (!files.submit(() ->
        {
            for (final long id : ids)
            {
                files.release(id);
            }
        }))
        {
            LOG.warn("file store queue full: {} released attachments left for the next sweep", ids.length);
        }
    }

    /**
     * The sweep's question, asked of the owner of every guild in it (the file store's thread sends it).
     *
     * @param node          the node's state.
     * @param files         the node's file store.
     * @param guildIds      each attachment's guild.
     * @param attachmentIds the attachments.
     * @return the task.
     */
    public static ShardTask check(final NodeState node, final FileStore files, final long[] guildIds,
        final long[] attachmentIds)
    {
        return new Check(guildIds, attachmentIds, node, files);
    }

    /** Whether an acknowledged message still names the attachment; false also when no message ever did. */
    private static boolean live(final Shard owner, final NodeState node, final long attachmentId)
    {
        final AttachmentBindings.Binding b = owner.guilds().attachments().get(attachmentId);
        if (b == null)
        {
            return false;
        }
        final Guild g = owner.guilds().get(b.guildId());
        final boolean dm = b.guildId() == b.channelId(); // a DM's files are bound under its channel
        if (dm ? node.directory().dmUsers(b.channelId()) == null : g == null || g.channel(b.channelId()) == null)
        {
            return false;
        }
        final StoredMessage m = owner.store().message(b.channelId(), b.messageId());
        return m != null && Arrays.stream(Attachments.ids(m.extra())).anyMatch(id -> id == attachmentId);
    }

    /** Journals the unbinding of attachments (grouped by guild, the records' scope), then unlinks their files. */
    private record Unbind(long[] ids, NodeState node, FileStore files) implements ShardTask
    {
        @Override
        public void run(final Shard owner)
        {
            final AttachmentBindings table = owner.guilds().attachments();
            final Long2ObjectHashMap<long[]> byGuild = new Long2ObjectHashMap<>();
            for (final long id : ids)
            {
                final AttachmentBindings.Binding b = table.get(id);
                if (b != null)
                {
                    final long[] old = byGuild.get(b.guildId());
                    final long[] grown = old == null ? new long[1] : Arrays.copyOf(old, old.length + 1);
                    grown[grown.length - 1] = id;
                    byGuild.put(b.guildId(), grown);
                }
            }
            try
            {
                byGuild.forEach((guildId, guildIds) -> StateLog.commit(owner, node,
                    StateRecords.ATTACHMENTS_UNBOUND, StateRecords.attachmentsUnbound(guildId, guildIds)));
            }
            catch (final RuntimeException ex)
            {
                // the deletions that dropped these files are committed already: the files go; the bindings stay
                // journaled and a later sweep finds them stale
                LOG.warn("shard {}: could not journal the release of {} attachments: {}", owner.id(), ids.length,
                    ex.toString());
                table.unbind(ids);
                unlink(files, ids);
                return;
            }
            owner.afterCommit(() -> unlink(files, ids));
        }
    }

    /** The sweep's question about some attachments: those no live message names are released. */
    private record Check(long[] guildIds, long[] attachmentIds, NodeState node, FileStore files) implements ShardTask
    {
        @Override
        public void run(final Shard owner)
        {
            prefetch(owner);
            long[] dead = new long[attachmentIds.length];
            int n = 0;
            for (int i = 0; i < attachmentIds.length; i++)
            {
                if (owner.group().ownerOf(guildIds[i]) != owner.id())
                {
                    continue; // the ring moved: not this shard's to judge
                }
                if (owner.guilds().attachments().get(attachmentIds[i]) == null
                    && owner.guilds().get(guildIds[i]) == null && node.directory().dmUsers(guildIds[i]) == null)
                {
                    continue; // never bound, and the guild is not (or not yet) here: not ours to judge
                }
                try
                {
                    if (!live(owner, node, attachmentIds[i]))
                    {
                        dead[n++] = attachmentIds[i];
                    }
                }
                catch (final ReadPendingException pending)
                {
                    throw pending; // a remote store fetches it: the shard runs this task again once it is in memory
                }
                catch (final RuntimeException ex)
                {
                    // a read that failed: unknown, kept until the next sweep
                }
            }
            if (n > 0)
            {
                dead = Arrays.copyOf(dead, n);
                LOG.info("shard {}: the file sweep releases {} attachments no live message names", owner.id(), n);
                new Unbind(dead, node, files).run(owner);
            }
        }

        /** Every message read first, by channel: a remote store fetches them together (then this task runs again). */
        private void prefetch(final Shard owner)
        {
            final Long2ObjectHashMap<long[]> byChannel = new Long2ObjectHashMap<>();
            for (final long id : attachmentIds)
            {
                final AttachmentBindings.Binding b = owner.guilds().attachments().get(id);
                if (b != null)
                {
                    final long[] old = byChannel.get(b.channelId());
                    final long[] grown = old == null ? new long[1] : Arrays.copyOf(old, old.length + 1);
                    grown[grown.length - 1] = b.messageId();
                    byChannel.put(b.channelId(), grown);
                }
            }
            byChannel.forEach((channelId, messageIds) -> owner.store().prefetch(channelId, messageIds));
        }
    }
}
