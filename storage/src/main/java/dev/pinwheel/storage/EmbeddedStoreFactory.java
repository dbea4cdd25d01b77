package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoreFactory;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.io.Closeable;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
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
 * Opens the embedded stores of a node: per shard, two Chronicle Queue journals and the off-heap indexes.
 * <pre>
 *   &lt;dataDir&gt;/shard-0/state/20260612F.cq4       state records (guilds, channels, members, accounts...): never expire
 *   &lt;dataDir&gt;/shard-0/messages/20260612F.cq4    message versions and tombstones, one file per UTC day; retention
 *   &lt;dataDir&gt;/shard-0/index/*.cm                Chronicle Map indexes of the messages (see {@link ShardIndexes})
 *   &lt;dataDir&gt;/shard-1/...
 *   &lt;dataDir&gt;/routing-ring.dat                 the published routing ring ({@link ChronicleRingPublisher})
 * </pre>
 * A data directory written by the first layout (one {@code shard-N/journal} holding both kinds of record) is split
 * into the two journals the first time its shard is opened ({@link LegacyJournal}).
 * <p>
 * The factory holds the data directory's {@link DataDirectoryLock} from construction to {@link #close()}: a second
 * process (or factory) on the same directory fails at once, naming the holder's pid.
 * <p>
 * A shard's store may be open once at a time. {@link #open(int)} is a control-plane call (it maps files, and the
 * first call in a JVM loads Chronicle); it is thread-safe. Closing the factory closes every store still open.
 */
public final class EmbeddedStoreFactory implements StoreFactory
{
    /** Chronicle's key of a queue's write lock in {@code metadata.cq4t} ({@code TableStoreWriteLock.LOCK_KEY}). */
    static final String WRITE_LOCK_KEY = "chronicle.write.lock";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStoreFactory.class);

    private final EmbeddedStoreContext context;
    private final DataDirectoryLock lock;
    private final StorageHousekeeper housekeeper;
    private final Map<Integer, ChronicleShardStore> open = new HashMap<>();
    private boolean closed;

    /**
     * Journals roll by the system clock; other settings come from {@link StorageConfiguration}.
     *
     * @param dataDir    the node's data directory (created if missing).
     * @param durability how durable a write is when it is acknowledged.
     */
    public EmbeddedStoreFactory(final Path dataDir, final Durability durability)
    {
        this(new EmbeddedStoreContext().dataDir(dataDir).durability(durability));
    }

    /**
     * @param dataDir    the node's data directory (created if missing).
     * @param durability how durable a write is when it is acknowledged.
     * @param clock      the clock the journals roll by (tests move it across days).
     */
    public EmbeddedStoreFactory(final Path dataDir, final Durability durability, final TimeProvider clock)
    {
        this(new EmbeddedStoreContext().dataDir(dataDir).durability(durability).clock(clock));
    }

    /**
     * @param context the settings (concluded here).
     */
    public EmbeddedStoreFactory(final EmbeddedStoreContext context)
    {
        this.context = Objects.requireNonNull(context, "context").conclude();
        this.lock = DataDirectoryLock.acquire(this.context.dataDir());
        this.housekeeper = new StorageHousekeeper(this.context.dataDir(), this.context.minFreeBytes());
    }

    /**
     * @return the node's data directory.
     */
    public Path dataDir()
    {
        return context.dataDir();
    }

    /**
     * @return how durable a write is when it is acknowledged.
     */
    public Durability durability()
    {
        return context.durability();
    }

    /**
     * @return the settings.
     */
    public EmbeddedStoreContext context()
    {
        return context;
    }

    /**
     * @param shardId the shard.
     * @return {@code <dataDir>/shard-<id>}.
     */
    public Path shardDir(final int shardId)
    {
        return context.dataDir().resolve("shard-" + shardId);
    }

    /**
     * @param shardId the shard.
     * @return {@code <dataDir>/shard-<id>/messages}, the message journal.
     */
    public Path journalDir(final int shardId)
    {
        return shardDir(shardId).resolve("messages");
    }

    /**
     * @param shardId the shard.
     * @return {@code <dataDir>/shard-<id>/state}, the state journal.
     */
    public Path stateJournalDir(final int shardId)
    {
        return shardDir(shardId).resolve("state");
    }

    /**
     * @param shardId the shard.
     * @return {@code <dataDir>/shard-<id>/index}, the index files.
     */
    public Path indexDir(final int shardId)
    {
        return shardDir(shardId).resolve("index");
    }

    /**
     * Opens (creating if needed) the shard's journals and indexes. Call {@link ChronicleShardStore#recover} before
     * serving.
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
        final boolean groupCommit = context.durability() == Durability.SYNC;
        LegacyJournal.splitIfPresent(shardDir(shardId), context.clock());
        Journal state = null;
        Journal messages = null;
        ShardIndexes indexes = null;
        final ChronicleShardStore store;
        try
        {
            state = new Journal("state", stateJournalDir(shardId), context.clock(), 0, groupCommit, housekeeper,
                context.preallocateBytes());
            messages = new Journal("messages", journalDir(shardId), context.clock(), context.retentionDays(),
                groupCommit, housekeeper, context.preallocateBytes());
            indexes = ShardIndexes.open(indexDir(shardId), messages, context);
            store = new ChronicleShardStore(shardId, shardDir(shardId), state, messages, indexes,
                context.durability(), context.refuseOnDamage(), context.deferredIndexWrites(), () -> forget(shardId));
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(indexes);
            closeQuietly(messages);
            closeQuietly(state);
            throw ex;
        }
        open.put(shardId, store);
        return store;
    }

    /**
     * Closes every store still open, then releases the data directory. Stores are closed on the calling thread: call
     * it after the shard threads stopped.
     */
    @Override
    public void close()
    {
        final List<ChronicleShardStore> stores;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
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
        housekeeper.close();
        lock.close();
        if (failure != null)
        {
            throw failure;
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ex)
            {
                LOG.warn("cannot close after a failed open", ex);
            }
        }
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
