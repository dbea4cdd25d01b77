package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoreFactory;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.io.Closeable;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.table.AbstractTSQueueLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Opens the embedded stores of a node: one Chronicle Queue journal per shard under a data directory.
 * <pre>
 *   &lt;dataDir&gt;/shard-0/journal/20260612F.cq4      one file per day (roll cycle FAST_DAILY, UTC midnight)
 *   &lt;dataDir&gt;/shard-0/journal/metadata.cq4t     Chronicle's directory listing and write lock
 *   &lt;dataDir&gt;/shard-1/journal/...
 *   &lt;dataDir&gt;/routing-ring.dat                 the published routing ring ({@link ChronicleRingPublisher})
 * </pre>
 * A shard's store may be open once at a time. {@link #open(int)} is a control-plane call (it maps files, and the
 * first call in a JVM loads Chronicle); it is thread-safe. Closing the factory closes every store still open.
 */
public final class EmbeddedStoreFactory implements StoreFactory
{
    /**
     * Roll cycle of every journal: one file per day; 4,096 × 4,096 index entries × {@link #INDEX_SPACING} records
     * ≈ 268 million records per shard per day at most.
     */
    static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;

    /**
     * Records between two entries of Chronicle's index (FAST_DAILY's default is 256). A random read
     * ({@code moveToIndex}) scans at most this many headers forward from the nearest indexed record.
     */
    static final int INDEX_SPACING = 16;

    /** Chronicle's key of a queue's write lock in {@code metadata.cq4t} ({@code TableStoreWriteLock.LOCK_KEY}). */
    static final String WRITE_LOCK_KEY = "chronicle.write.lock";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStoreFactory.class);

    private final Path dataDir;
    private final Durability durability;
    private final TimeProvider clock;
    private final Map<Integer, ChronicleShardStore> open = new HashMap<>();
    private boolean closed;

    /**
     * Journals roll by the system clock.
     *
     * @param dataDir    the node's data directory (created if missing).
     * @param durability how durable a write is when it returns.
     */
    public EmbeddedStoreFactory(final Path dataDir, final Durability durability)
    {
        this(dataDir, durability, SystemTimeProvider.INSTANCE);
    }

    /**
     * @param dataDir    the node's data directory (created if missing).
     * @param durability how durable a write is when it returns.
     * @param clock      the clock the journals roll by (tests move it across days).
     */
    public EmbeddedStoreFactory(final Path dataDir, final Durability durability, final TimeProvider clock)
    {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.durability = Objects.requireNonNull(durability, "durability");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @return the node's data directory.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return how durable a write is when it returns.
     */
    public Durability durability()
    {
        return durability;
    }

    /**
     * @param shardId the shard.
     * @return {@code <dataDir>/shard-<id>/journal}.
     */
    public Path journalDir(final int shardId)
    {
        return dataDir.resolve("shard-" + shardId).resolve("journal");
    }

    /**
     * Opens (creating if needed) the shard's journal. Call {@link ChronicleShardStore#recover} before serving.
     *
     * @param shardId the shard, &ge; 0.
     * @return the shard's store, open, not yet recovered.
     * @throws IllegalStateException if the shard's store is already open or the factory is closed.
     */
    @Override
    public synchronized ChronicleShardStore open(final int shardId)
    {
        if (shardId < 0)
        {
            throw new IllegalArgumentException("shardId must be >= 0: " + shardId);
        }
        if (closed)
        {
            throw new IllegalStateException("factory closed");
        }
        if (open.containsKey(shardId))
        {
            throw new IllegalStateException("store of shard " + shardId + " is already open");
        }
        final Path dir = journalDir(shardId);
        final SingleChronicleQueue queue = journalBuilder(dir, durability, clock).build();
        final ChronicleShardStore store;
        try
        {
            releaseLockOfEarlierSelf(queue, dir);
            store = new ChronicleShardStore(shardId, dir, queue, durability, () -> forget(shardId));
        }
        catch (final RuntimeException | Error ex)
        {
            queue.close();
            throw ex;
        }
        open.put(shardId, store);
        return store;
    }

    /**
     * Closes every store still open. Stores are closed on the calling thread: call it after the shard threads
     * stopped.
     */
    @Override
    public void close()
    {
        final List<ChronicleShardStore> stores;
        synchronized (this)
        {
            closed = true;
            stores = new ArrayList<>(open.values());
        }
        RuntimeException failure = null;
        for (final ChronicleShardStore store : stores)
        {
            try
            {
                store.close();
            }
            catch (final RuntimeException ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * The one place a journal queue is configured (tests open raw queues on a journal through it too).
     *
     * @param dir        the journal directory.
     * @param durability write durability.
     * @param clock      the roll clock.
     * @return a builder for the journal's queue.
     */
    static SingleChronicleQueueBuilder journalBuilder(
        final Path dir, final Durability durability, final TimeProvider clock)
    {
        return SingleChronicleQueueBuilder.binary(dir)
            .rollCycle(ROLL_CYCLE)
            .indexSpacing(INDEX_SPACING)
            .timeProvider(clock)
            .checkInterrupts(false)
            .syncMode(durability == Durability.SYNC ? SyncMode.SYNC : SyncMode.NONE);
    }

    /**
     * Chronicle releases, when a journal is opened, a write lock left by a dead process (killed in the middle of a
     * write), but only if that process's pid is not alive. A restarted server that got the same pid (pid 1 in a
     * container) would find the lock "held by itself", wait {@code timeoutMS} at its first write and then fail.
     * Nothing in this process can hold the lock of a journal that this factory is only now opening, so a lock
     * carrying our pid is stale: release it.
     *
     * @param queue the journal just built.
     * @param dir   its directory (for the log).
     */
    static void releaseLockOfEarlierSelf(final SingleChronicleQueue queue, final Path dir)
    {
        final LongValue lock = queue.metaStore().doWithExclusiveLock(table -> table.acquireValueFor(WRITE_LOCK_KEY));
        try
        {
            final long holder = lock.getVolatileValue();
            if (holder != AbstractTSQueueLock.UNLOCKED && (int)holder == Jvm.getProcessId() &&
                lock.compareAndSwapValue(holder, AbstractTSQueueLock.UNLOCKED))
            {
                LOG.warn("released the write lock of journal {}: left by an earlier process with our pid {}",
                    dir, Jvm.getProcessId());
            }
        }
        finally
        {
            Closeable.closeQuietly(lock);
        }
    }

    private synchronized void forget(final int shardId)
    {
        open.remove(shardId);
    }
}
