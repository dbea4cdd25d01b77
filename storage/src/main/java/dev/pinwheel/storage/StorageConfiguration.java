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

    private StorageConfiguration()
    {
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
     * @return {@value #REUSE_CLEAN_INDEX_PROP_NAME}, or {@value #REUSE_CLEAN_INDEX_DEFAULT}.
     */
    public static boolean reuseCleanIndex()
    {
        final String value = System.getProperty(REUSE_CLEAN_INDEX_PROP_NAME);
        return value == null ? REUSE_CLEAN_INDEX_DEFAULT : Boolean.parseBoolean(value.trim());
    }
}
