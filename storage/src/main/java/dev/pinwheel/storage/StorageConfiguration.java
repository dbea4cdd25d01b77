package dev.pinwheel.storage;

import java.util.Locale;

/**
 * The embedded store's settings as system properties ({@code pinwheel.storage.<name>}): the names, the defaults and
 * the static getters that read them. {@link EmbeddedStoreContext} starts from these values.
 * <pre>
 * | key                                  | default | meaning                                                  |
 * |--------------------------------------|---------|----------------------------------------------------------|
 * | pinwheel.storage.durability          | os      | os: survives kill -9; sync: msync per batch (power loss) |
 * | pinwheel.storage.retention-days      | 0       | message journal days kept (0 = forever)                  |
 * | pinwheel.storage.index-entries       | 1048576 | least message entries each shard's index is sized for    |
 * | pinwheel.storage.reuse-clean-index   | true    | reopen the index files after a clean shutdown            |
 * | pinwheel.storage.reuse-index-after-kill | true  | after a killed process (same boot): reopen the index files |
 * |                                      |         | at their recovery point, verify the journal in background  |
 * | pinwheel.storage.min-free-bytes      | 128 MiB | writes are refused (507) while the disk has less free     |
 * | pinwheel.storage.preallocate-bytes   | 8 MiB   | disk reserved ahead of each journal's appends            |
 * | pinwheel.storage.on-damage           | skip    | skip: serve without damaged records; refuse: do not start |
 * | pinwheel.storage.deferred-index-writes | 256   | message versions journaled but not yet indexed, at most  |
 * |                                      |         | (indexed when the shard idles or reads); 0: at once      |
 * </pre>
 */
public final class StorageConfiguration
{
    /** Durability of acknowledged writes: {@code os} or {@code sync}. */
    public static final String DURABILITY_PROP_NAME = "pinwheel.storage.durability";
    /** Default durability. */
    public static final Durability DURABILITY_DEFAULT = Durability.OS;

    /** Days of message journal cycles to keep; 0 keeps everything. */
    public static final String RETENTION_DAYS_PROP_NAME = "pinwheel.storage.retention-days";
    /** Default retention: forever. */
    public static final int RETENTION_DAYS_DEFAULT = 0;

    /** Least number of messages each shard's index maps are sized for (they grow beyond it). */
    public static final String INDEX_ENTRIES_PROP_NAME = "pinwheel.storage.index-entries";
    /** Default index sizing. */
    public static final long INDEX_ENTRIES_DEFAULT = 1L << 20;

    /** Whether index files left by a clean shutdown are reopened instead of rebuilt from the journal. */
    public static final String REUSE_CLEAN_INDEX_PROP_NAME = "pinwheel.storage.reuse-clean-index";
    /** Default: reuse. */
    public static final boolean REUSE_CLEAN_INDEX_DEFAULT = true;

    /**
     * Whether index files left by a process that died (kill -9, a JVM crash) on the same boot are reopened at their
     * recovery point (the records after it replayed, the ones before it verified in the background after the shard
     * serves) instead of rebuilt from the journal before serving.
     */
    public static final String REUSE_INDEX_AFTER_KILL_PROP_NAME = "pinwheel.storage.reuse-index-after-kill";
    /** Default: reuse. */
    public static final boolean REUSE_INDEX_AFTER_KILL_DEFAULT = true;

    /**
     * How many message versions may be journaled (acknowledged) before their index writes run: the Chronicle Map
     * updates then run after the shard published the event, when it idles, before any read of the indexes, or when
     * this many are waiting. 0 indexes each version inside its append.
     */
    public static final String DEFERRED_INDEX_WRITES_PROP_NAME = "pinwheel.storage.deferred-index-writes";
    /** Default: 256 versions. */
    public static final int DEFERRED_INDEX_WRITES_DEFAULT = 256;

    /** Writes are refused while the data directory's filesystem has fewer free bytes than this. */
    public static final String MIN_FREE_BYTES_PROP_NAME = "pinwheel.storage.min-free-bytes";
    /** Default reserve: 128 MiB. */
    public static final long MIN_FREE_BYTES_DEFAULT = 128L << 20;

    /** Disk blocks reserved ahead of each journal's appends (and for tomorrow's file). */
    public static final String PREALLOCATE_BYTES_PROP_NAME = "pinwheel.storage.preallocate-bytes";
    /** Default: 8 MiB. */
    public static final long PREALLOCATE_BYTES_DEFAULT = 8L << 20;

    /** What recovery does with damaged journal records: {@code skip} (report them, serve the rest) or
     * {@code refuse} (report them and do not start). */
    public static final String ON_DAMAGE_PROP_NAME = "pinwheel.storage.on-damage";
    /** Default: skip. */
    public static final String ON_DAMAGE_DEFAULT = "skip";

    private StorageConfiguration()
    {
    }

    /**
     * @return {@value #MIN_FREE_BYTES_PROP_NAME}, or {@value #MIN_FREE_BYTES_DEFAULT}.
     */
    public static long minFreeBytes()
    {
        return Long.getLong(MIN_FREE_BYTES_PROP_NAME, MIN_FREE_BYTES_DEFAULT);
    }

    /**
     * @return {@value #PREALLOCATE_BYTES_PROP_NAME}, or {@value #PREALLOCATE_BYTES_DEFAULT}.
     */
    public static long preallocateBytes()
    {
        return Long.getLong(PREALLOCATE_BYTES_PROP_NAME, PREALLOCATE_BYTES_DEFAULT);
    }

    /**
     * @return true if {@value #ON_DAMAGE_PROP_NAME} is {@code refuse}.
     */
    public static boolean refuseOnDamage()
    {
        final String value = System.getProperty(ON_DAMAGE_PROP_NAME, ON_DAMAGE_DEFAULT).trim().toLowerCase(Locale.ROOT);
        if (!value.equals("skip") && !value.equals("refuse"))
        {
            throw new IllegalArgumentException(ON_DAMAGE_PROP_NAME + " must be skip or refuse: " + value);
        }
        return value.equals("refuse");
    }

    /**
     * @return {@value #DURABILITY_PROP_NAME}, or {@link #DURABILITY_DEFAULT}.
     */
    public static Durability durability()
    {
        final String value = System.getProperty(DURABILITY_PROP_NAME);
        return value == null ? DURABILITY_DEFAULT : Durability.valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    /**
     * @return {@value #RETENTION_DAYS_PROP_NAME}, or {@value #RETENTION_DAYS_DEFAULT}.
     */
    public static int retentionDays()
    {
        return Integer.getInteger(RETENTION_DAYS_PROP_NAME, RETENTION_DAYS_DEFAULT);
    }

    /**
     * @return {@value #INDEX_ENTRIES_PROP_NAME}, or {@value #INDEX_ENTRIES_DEFAULT}.
     */
    public static long indexEntries()
    {
        return Long.getLong(INDEX_ENTRIES_PROP_NAME, INDEX_ENTRIES_DEFAULT);
    }

    /**
     * @return {@value #REUSE_INDEX_AFTER_KILL_PROP_NAME}, or {@value #REUSE_INDEX_AFTER_KILL_DEFAULT}.
     */
    public static boolean reuseIndexAfterKill()
    {
        final String value = System.getProperty(REUSE_INDEX_AFTER_KILL_PROP_NAME);
        return value == null ? REUSE_INDEX_AFTER_KILL_DEFAULT : Boolean.parseBoolean(value.trim());
    }

    /**
     * @return {@value #DEFERRED_INDEX_WRITES_PROP_NAME}, or {@value #DEFERRED_INDEX_WRITES_DEFAULT}.
     */
    public static int deferredIndexWrites()
    {
        return Integer.getInteger(DEFERRED_INDEX_WRITES_PROP_NAME, DEFERRED_INDEX_WRITES_DEFAULT);
    }

    /**
     * @return {@value #REUSE_CLEAN_INDEX_PROP_NAME}, or {@value #REUSE_CLEAN_INDEX_DEFAULT}.
     */
    public static boolean reuseCleanIndex()
    {
        final String value = System.getProperty(REUSE_CLEAN_INDEX_PROP_NAME);
        return value == null ? REUSE_CLEAN_INDEX_DEFAULT : Boolean.parseBoolean(value.trim());
    }
}
