package dev.pinwheel.core.shard;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * A pre-allocated slot of a shard's inbox ring. Either a task or a fanout hand-off of one encoded event.
 * Slots are reused: the consumer clears references after processing.
 */
final class ShardCommand
{
    static final int TASK = 1;
    static final int FANOUT = 2;

    int kind;
    ShardTask task;
    Dispatch dispatch;

    void clear()
    {
        kind = 0;
        task = null;
        dispatch = null;
    }
}
