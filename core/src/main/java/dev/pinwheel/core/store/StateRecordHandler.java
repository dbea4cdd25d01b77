package dev.pinwheel.core.store;

/**
 * Receives the opaque state records of a shard's journal, in append order, during recovery.
 */
@FunctionalInterface
public interface StateRecordHandler
{
    /**
     * @param type    the record type the writer gave to {@link ShardStore#appendState(int, byte[])}.
     * @param payload the record's bytes (owned by the callee after the call).
     */
    void onStateRecord(int type, byte[] payload);
}
