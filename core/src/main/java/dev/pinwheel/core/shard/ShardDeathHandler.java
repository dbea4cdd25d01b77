package dev.pinwheel.core.shard;

/**
 * Told when a shard thread dies while the group is serving: a fatal failure ({@link ShardFaults#isFatal}) or any
 * {@link Throwable} that escaped the duty cycle. The shard has already stopped and closed its store on its own
 * thread. Core never ends the process itself: the composition root decides (the server logs and exits non-zero).
 * Called on the dying shard's thread, once per dead shard; it must not block for long (hand heavy work to another
 * thread).
 */
@FunctionalInterface
public interface ShardDeathHandler
{
    /**
     * @param shardId the shard whose thread died.
     * @param cause   what killed it.
     */
    void shardDied(int shardId, Throwable cause);
}
