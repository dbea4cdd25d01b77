package dev.pinwheel.core.shard;

import org.agrona.ExpandableArrayBuffer;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * A pre-allocated slot of a shard's inbox ring: a task, a fanout hand-off of one encoded event, or a typed
 * command's bytes ({@link dev.pinwheel.core.command.CommandWriter}), copied into a buffer the producer takes from the
 * shard's {@link CommandBuffers} and the shard gives back once the command ran (no allocation per command, and no
 * buffer held by an idle slot). Slots are reused: the consumer clears references after processing.
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
     * @param buffers  the shard's buffers.
     * @return a buffer for this slot's command, with room for them.
     */
    ExpandableArrayBuffer bytes(final int capacity, final CommandBuffers buffers)
    {
        bytes = buffers.take(capacity);
        return bytes;
    }

    /**
     * @param buffers the shard's buffers, which get this slot's buffer back.
     */
    void clear(final CommandBuffers buffers)
    {
        kind = 0;
        task = null;
        dispatch = null;
        length = 0;
        if (bytes != null)
        {
            buffers.giveBack(bytes);
            bytes = null;
        }
    }
}
