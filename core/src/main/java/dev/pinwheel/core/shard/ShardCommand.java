package dev.pinwheel.core.shard;

import org.agrona.ExpandableArrayBuffer;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * A pre-allocated slot of a shard's inbox ring: a task, a fanout hand-off of one encoded event, or a typed
 * command's bytes ({@link dev.pinwheel.core.command.CommandWriter}), copied into the slot's own buffer (allocated at
 * the slot's first command, grown to the largest it carried, then reused: no allocation per command). A buffer grown
 * beyond {@link #MAX_RETAINED_BYTES} by a rare big command (a guild's GUILD_CREATE travelling to a session's shard) is
 * dropped once that command ran, so that a 64 Ki-slot ring does not end up holding the biggest command's size in every
 * slot it ever passed through. Slots are reused: the consumer clears references after processing.
 */
final class ShardCommand
{
    static final int TASK = 1;
    static final int FANOUT = 2;
    static final int COMMAND = 3;
    /** A slot keeps a buffer up to this size for its next commands; a bigger one is released after use. */
    static final int MAX_RETAINED_BYTES = 4096;

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
        if (bytes != null && bytes.capacity() > MAX_RETAINED_BYTES)
        {
            bytes = null;
        }
    }
}
