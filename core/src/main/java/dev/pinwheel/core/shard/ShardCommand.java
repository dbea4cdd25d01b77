package dev.pinwheel.core.shard;

import org.agrona.ExpandableArrayBuffer;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * A pre-allocated slot of a shard's inbox ring: a task, a fanout hand-off of one encoded event, or a typed
 * command's bytes ({@link dev.pinwheel.core.command.CommandWriter}), copied into the slot's own buffer (allocated at
 * the slot's first command, grown to the largest it carried, then reused: no allocation per command).
 * Slots are reused: the consumer clears references after processing.
 */
final class ShardCommand
{
    static final int TASK = 1;
    static final int FANOUT = 2;
    static final int COMMAND = 3;

    int kind;
    ShardTask task;
    Dispatch dispatch;
    ExpandableArrayBuffer bytes;
    int length;

    /**
     * @param capacity bytes the command needs.
     * @return the slot's buffer, with room for them.
     */
    ExpandableArrayBuffer bytes(final int capacity)
    {
        if (bytes == null)
        {
            bytes = new ExpandableArrayBuffer(Math.max(256, capacity));
        }
        else if (bytes.capacity() < capacity)
        {
            bytes.checkLimit(capacity);
        }
        return bytes;
    }

    void clear()
    {
        kind = 0;
        task = null;
        dispatch = null;
        length = 0;
    }
}
