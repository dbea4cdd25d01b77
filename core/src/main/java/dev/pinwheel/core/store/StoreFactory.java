package dev.pinwheel.core.store;

/**
 * Opens the stores of a node: one {@link ShardStore} per shard. Implemented by the storage module
 * (embedded Chronicle Queue journal by default).
 */
public interface StoreFactory extends AutoCloseable
{
    /**
     * @param shardId the shard, 0..shards-1.
     * @return the shard's store (opened, not yet recovered).
     */
    ShardStore open(int shardId);

    @Override
    default void close()
    {
    }
}
