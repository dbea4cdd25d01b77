package dev.pinwheel.storage;

/**
 * How a shard's index maps came back when its store was opened ({@link ShardIndexes}).
 */
public enum IndexRecovery
{
    /** Reopened after a clean stop: they hold every journal record. */
    REUSED_CLEAN,
    /**
     * Reopened after the process died on the same boot, at their recovery point: the records after it are replayed,
     * the ones before it are verified in the background.
     */
    REUSED_AT_RECOVERY_POINT,
    /** Deleted and rebuilt from the whole journal, every record verified before serving. */
    REBUILT
}
