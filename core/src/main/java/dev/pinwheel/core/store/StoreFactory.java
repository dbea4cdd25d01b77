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

    /**
     * @return where message files are kept for every node of a cluster (a remote store), or null: the files stay on
     *         the disk of the node that owns their guild.
     */
    default SharedFiles sharedFiles()
    {
        return null;
    }

    @Override
    default void close()
    {
    }
}
