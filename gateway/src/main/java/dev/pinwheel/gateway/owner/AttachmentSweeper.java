package dev.pinwheel.gateway.owner;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.gateway.node.FileStore;

/**
 * The file store's mark-and-sweep, run at start and every {@code pinwheel.files.sweep-interval-s} on the store's own
 * thread ({@code pinwheel-files}, never a shard thread; a small timer thread only queues it there):
 * <pre>
 *   pinwheel-files: links without metadata and blobs nobody links ─▶ unlinked here
 *                   each attachment old enough ─ batched by its guild's owner ─▶ Check task ─▶ owner shard
 *   owner shard:    no live message names it ─▶ ATTACHMENTS_UNBOUND ─ after commit ─▶ pinwheel-files: unlink
 * </pre>
 * "Old enough": stored by an earlier process (nothing of it can still be on its way to a commit), or by this one more
 * than {@code pinwheel.files.orphan-grace-s} ago. The owners decide (the bindings and the messages are theirs), so a
 * file of an acknowledged message is never swept. Files stored before their owner's key (the guild, or a DM's channel)
 * was recorded in the metadata, or owned by another node, are left alone.
 */
public final class AttachmentSweeper implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AttachmentSweeper.class);
    /** Attachments asked about in one task. */
    private static final int BATCH = 256;

    private final FileStore files;
    private final ShardGroup group;
    private final NodeState node;
    private final long startedMillis;
    private final ScheduledExecutorService timer;
    private final AtomicLong sweeps = new AtomicLong();
    private final AtomicLong asked = new AtomicLong();

    /**
     * Starts the timer: a first sweep at once, then one per period.
     *
     * @param files         the node's file store.
     * @param group         the node's shards (recovered).
     * @param node          the node's state.
     * @param startedMillis when this process started (before any of its uploads).
     */
    public AttachmentSweeper(final FileStore files, final ShardGroup group, final NodeState node,
        final long startedMillis)
    {
        this.files = files;
        this.group = group;
        this.node = node;
        this.startedMillis = startedMillis;
        this.timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("pinwheel-files-sweep").daemon(true).unstarted(r));
        timer.scheduleAtFixedRate(this::sweepSoon, 0, files.config().sweepIntervalSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Queues a sweep on the file store's thread now (tests, and the timer).
     *
     * @return false if the store's queue is full (the next period tries again).
     */
    public boolean sweepSoon()
    {
        return files.submit(this::sweep);
    }

    /** @return sweeps completed on the store's thread. */
    public long sweeps()
    {
        return sweeps.get();
    }

    /** @return attachments the owners were asked about, over all sweeps. */
    public long asked()
    {
        return asked.get();
    }

    private void sweep()
    {
        try
        {
            final int blobs = files.dropUnlinkedBlobs();
            if (blobs > 0)
            {
                LOG.info("file sweep: removed {} blobs no attachment or image links", blobs);
            }
            final long[] ids = files.attachmentIds();
            final long graceCutoff = System.currentTimeMillis() - files.config().orphanGraceSeconds() * 1000;
            final long[][] guilds = new long[group.shardCount()][BATCH];
            final long[][] batch = new long[group.shardCount()][BATCH];
            final int[] n = new int[group.shardCount()];
            for (final long id : ids)
            {
                final long stored = SnowflakeIds.timestampMillis(id);
                if (stored >= startedMillis && stored >= graceCutoff)
                {
                    continue; // this process's, and maybe still on its way to its owner
                }
                final FileStore.Attachment a = files.attachment(id);
                if (a == null || a.guildId() <= 0)
                {
                    continue;
                }
                final int route = group.ownerOf(a.guildId());
                if (ShardRoute.remote(route, group.nodeId()))
                {
                    continue;
                }
                final int shard = ShardRoute.shard(route);
                guilds[shard][n[shard]] = a.guildId();
                batch[shard][n[shard]++] = id;
                if (n[shard] == BATCH)
                {
                    ask(shard, guilds[shard], batch[shard], BATCH);
                    n[shard] = 0;
                }
            }
            for (int s = 0; s < n.length; s++)
            {
                if (n[s] > 0)
                {
                    ask(s, guilds[s], batch[s], n[s]);
                }
            }
            sweeps.incrementAndGet();
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("file sweep failed (tried again next period): {}", ex.toString());
        }
    }

    private void ask(final int shard, final long[] guildIds, final long[] attachmentIds, final int count)
    {
        if (group.send(shard, AttachmentOwnership.check(node, files, Arrays.copyOf(guildIds, count),
            Arrays.copyOf(attachmentIds, count))))
        {
            asked.addAndGet(count);
        }
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
    }
}
