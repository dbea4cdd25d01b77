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
    /**
     * A slot keeps a buffer up to this size for its next commands; a bigger one is released after use. A typical
     * command (a message post, a subscription) fits; a GUILD_CREATE on its way to a session's shard (≈ 1.3 KB for a
     * small guild) does not, so a connect storm no longer leaves one such buffer in every slot it passed through
     * (issue 14: ≈ 1.8 KB per session in the capacity probe; at most 64 Ki slots × 1 KiB per shard instead of × 4 KiB).
     */
    static final int MAX_RETAINED_BYTES = 1024;

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
