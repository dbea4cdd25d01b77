package dev.pinwheel.core.shard;

/**
 * Work sent to a shard: runs on that shard's thread with access to the state it owns.
 */
@FunctionalInterface
public interface ShardTask
{
    /**
     * @param shard the shard whose thread runs the task.
     */
    void run(Shard shard);
}
