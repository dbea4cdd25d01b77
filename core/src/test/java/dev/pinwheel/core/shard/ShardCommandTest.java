package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

/**
 * A ring slot holds a command buffer only while its command is in flight: the shard gives it back to its
 * {@link CommandBuffers} once the command ran, the next command (through any slot) takes it again; a buffer grown beyond
 * {@link CommandBuffers#MAX_RETAINED_BYTES} by a rare big command is dropped, and at most {@link CommandBuffers#SPARE}
 * are kept.
 */
class ShardCommandTest
{
    @Test
    void aSlotHoldsItsBufferOnlyWhileItsCommandIsInFlight()
    {
        final CommandBuffers buffers = new CommandBuffers(null);
        final ShardCommand slot = new ShardCommand();
        final ShardCommand other = new ShardCommand();
        final ExpandableArrayBuffer small = slot.bytes(100, buffers);
        slot.clear(buffers);
        assertNull(slot.bytes, "an idle slot holds no buffer");
        assertEquals(1, buffers.spares());
        assertSame(small, other.bytes(200, buffers), "reused by the next command, whatever its slot");
        other.clear(buffers);
        final ExpandableArrayBuffer big = slot.bytes(CommandBuffers.MAX_RETAINED_BYTES * 4, buffers);
        assertTrue(big.capacity() >= CommandBuffers.MAX_RETAINED_BYTES * 4);
        slot.clear(buffers);
        assertEquals(0, buffers.spares(), "the grown buffer was dropped after the big command");
        assertNotSame(big, slot.bytes(10, buffers));
    }

    @Test
    void atMostSpareBuffersAreKept()
    {
        final CommandBuffers buffers = new CommandBuffers(null);
        final ExpandableArrayBuffer[] inFlight = new ExpandableArrayBuffer[CommandBuffers.SPARE + 100];
        for (int i = 0; i < inFlight.length; i++)
        {
            inFlight[i] = buffers.take(64);
        }
        for (final ExpandableArrayBuffer b : inFlight)
        {
            buffers.giveBack(b);
        }
        assertEquals(CommandBuffers.SPARE, buffers.spares());
    }
}
