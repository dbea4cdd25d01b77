package dev.pinwheel.storage;

import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of an {@link EmbeddedStoreFactory}: starts from {@link StorageConfiguration} (system properties), changed
 * with fluent setters, checked once by {@link #conclude()}.
 */
public final class EmbeddedStoreContext
{
    /** Most message versions whose index writes may wait. */
    public static final int MAX_DEFERRED_INDEX_WRITES = 1 << 16;

    private Path dataDir;
    private Durability durability = StorageConfiguration.durability();
    private int retentionDays = StorageConfiguration.retentionDays();
    private long indexEntries = StorageConfiguration.indexEntries();
    private boolean reuseCleanIndex = StorageConfiguration.reuseCleanIndex();
    private boolean reuseIndexAfterKill = StorageConfiguration.reuseIndexAfterKill();
    private int deferredIndexWrites = StorageConfiguration.deferredIndexWrites();
    private String bootId = BootId.current();
    private long minFreeBytes = StorageConfiguration.minFreeBytes();
    private long preallocateBytes = StorageConfiguration.preallocateBytes();
    private boolean refuseOnDamage = StorageConfiguration.refuseOnDamage();
    private TimeProvider clock = SystemTimeProvider.INSTANCE;
    private boolean concluded;

    /**
     * Checks the settings; the factory calls it.
     *
     * @return this.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public EmbeddedStoreContext conclude()
    {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(clock, "clock");
        if (retentionDays < 0)
        {
            throw new IllegalArgumentException(StorageConfiguration.RETENTION_DAYS_PROP_NAME + " must be >= 0: "
                + retentionDays);
        }
        if (indexEntries < 1024)
        {
            throw new IllegalArgumentException(StorageConfiguration.INDEX_ENTRIES_PROP_NAME + " must be >= 1024: "
                + indexEntries);
        }
        if (deferredIndexWrites < 0 || deferredIndexWrites > MAX_DEFERRED_INDEX_WRITES)
        {
            throw new IllegalArgumentException(StorageConfiguration.DEFERRED_INDEX_WRITES_PROP_NAME + " must be 0.."
                + MAX_DEFERRED_INDEX_WRITES + ": " + deferredIndexWrites);
        }
        if (minFreeBytes < 0)
        {
            throw new IllegalArgumentException(StorageConfiguration.MIN_FREE_BYTES_PROP_NAME + " must be >= 0: "
                + minFreeBytes);
        }
        if (preallocateBytes < (256 << 10))
        {
            throw new IllegalArgumentException(StorageConfiguration.PREALLOCATE_BYTES_PROP_NAME
                + " must be >= 262144 (an index block and a record): " + preallocateBytes);
        }
        concluded = true;
        return this;
    }

    /**
     * @return writes are refused while the filesystem has fewer free bytes.
     */
    public long minFreeBytes()
    {
        return minFreeBytes;
    }

    /**
     * @param value writes are refused while the filesystem has fewer free bytes (0: only when it is full).
     * @return this.
     */
    public EmbeddedStoreContext minFreeBytes(final long value)
    {
        minFreeBytes = value;
        return this;
    }

    /**
     * @return bytes of disk reserved ahead of each journal's appends.
     */
    public long preallocateBytes()
    {
        return preallocateBytes;
    }

    /**
     * @param value bytes of disk reserved ahead of each journal's appends.
     * @return this.
     */
    public EmbeddedStoreContext preallocateBytes(final long value)
    {
        preallocateBytes = value;
        return this;
    }

    /**
     * @return true if recovery refuses to start when it finds damaged records.
     */
    public boolean refuseOnDamage()
    {
        return refuseOnDamage;
    }

    /**
     * @param value true: recovery refuses to start when it finds damaged records; false: it reports and skips them.
     * @return this.
     */
    public EmbeddedStoreContext refuseOnDamage(final boolean value)
    {
        refuseOnDamage = value;
        return this;
    }

    /**
     * @return whether {@link #conclude()} ran.
     */
    public boolean isConcluded()
    {
        return concluded;
    }

    /**
     * @return the node's data directory.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @param value the node's data directory (created if missing).
     * @return this.
     */
    public EmbeddedStoreContext dataDir(final Path value)
    {
        dataDir = value;
        return this;
    }

    /**
     * @return how durable a write is when it is acknowledged.
     */
    public Durability durability()
    {
        return durability;
    }

    /**
     * @param value how durable a write is when it is acknowledged.
     * @return this.
     */
    public EmbeddedStoreContext durability(final Durability value)
    {
        durability = value;
        return this;
    }

    /**
     * @return days of message journal cycles kept, 0 = forever.
     */
    public int retentionDays()
    {
        return retentionDays;
    }

    /**
     * @param value days of message journal cycles kept (the current day included), 0 = forever.
     * @return this.
     */
    public EmbeddedStoreContext retentionDays(final int value)
    {
        retentionDays = value;
        return this;
    }

    /**
     * @return least number of messages each shard's index maps are sized for.
     */
    public long indexEntries()
    {
        return indexEntries;
    }

    /**
     * @param value least number of messages each shard's index maps are sized for.
     * @return this.
     */
    public EmbeddedStoreContext indexEntries(final long value)
    {
        indexEntries = value;
        return this;
    }

    /**
     * @return whether index files of a clean shutdown are reopened rather than rebuilt.
     */
    public boolean reuseCleanIndex()
    {
        return reuseCleanIndex;
    }

    /**
     * @param value whether index files of a clean shutdown are reopened rather than rebuilt.
     * @return this.
     */
    public EmbeddedStoreContext reuseCleanIndex(final boolean value)
    {
        reuseCleanIndex = value;
        return this;
    }

    /**
     * @return whether index files of a process that died on this boot are reopened at their recovery point.
     */
    public boolean reuseIndexAfterKill()
    {
        return reuseIndexAfterKill;
    }

    /**
     * @param value whether index files of a process that died on this boot are reopened at their recovery point
     *              rather than rebuilt.
     * @return this.
     */
    public EmbeddedStoreContext reuseIndexAfterKill(final boolean value)
    {
        reuseIndexAfterKill = value;
        return this;
    }

    /**
     * @return how many journaled message versions may wait for their index writes (0: indexed inside the append).
     */
    public int deferredIndexWrites()
    {
        return deferredIndexWrites;
    }

    /**
     * @param value how many journaled message versions may wait for their index writes (0: indexed inside the
     *              append), 0..{@value #MAX_DEFERRED_INDEX_WRITES}.
     * @return this.
     */
    public EmbeddedStoreContext deferredIndexWrites(final int value)
    {
        deferredIndexWrites = value;
        return this;
    }

    /**
     * @return the id of the machine's current boot ({@code /proc/sys/kernel/random/boot_id}), or null if unknown.
     */
    public String bootId()
    {
        return bootId;
    }

    /**
     * @param value the id of the machine's current boot (tests: another value is a machine that restarted); null: the
     *              boot is unknown and indexes are never reused after a kill.
     * @return this.
     */
    public EmbeddedStoreContext bootId(final String value)
    {
        bootId = value;
        return this;
    }

    /**
     * @return the clock the journals roll by.
     */
    public TimeProvider clock()
    {
        return clock;
    }

    /**
     * @param value the clock the journals roll by (tests move it across days).
     * @return this.
     */
    public EmbeddedStoreContext clock(final TimeProvider value)
    {
        clock = value;
        return this;
    }
}
