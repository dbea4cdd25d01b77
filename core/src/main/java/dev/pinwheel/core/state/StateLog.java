package dev.pinwheel.core.state;

import dev.pinwheel.core.shard.Shard;

/**
 * Commits a state change on its owner shard: append to the shard's journal (durable on return), then
 * apply to memory. Callers acknowledge only after {@link #commit} returned.
 */
public final class StateLog
{
    private StateLog()
    {
    }

    /**
     * @param shard   the owner shard (caller's thread).
     * @param node    node directories.
     * @param type    record type ({@link StateRecords}).
     * @param payload encoded record.
     */
    public static void commit(final Shard shard, final NodeState node, final int type, final byte[] payload)
    {
        shard.store().appendState(type, payload);
        StateRecords.apply(type, payload, shard.guilds(), node);
    }

    /**
     * Replays the shard's journal into memory. Runs on the shard thread before it serves.
     *
     * @param shard the shard.
     * @param node  node directories.
     * @return records replayed.
     */
    public static long recover(final Shard shard, final NodeState node)
    {
        return shard.store().recover((type, payload) -> StateRecords.apply(type, payload, shard.guilds(), node));
    }
}
