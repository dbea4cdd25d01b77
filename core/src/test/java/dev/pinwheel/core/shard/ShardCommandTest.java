package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

/**
 * A ring slot keeps its command buffer for the next commands, unless a rare big command grew it beyond
 * {@link ShardCommand#MAX_RETAINED_BYTES}: then the slot lets it go once that command ran.
 */
class ShardCommandTest
{
    @Test
    void aSlotKeepsASmallBufferAndDropsABigOne()
    {
        final ShardCommand slot = new ShardCommand();
        final ExpandableArrayBuffer small = slot.bytes(100);
        slot.clear();
        assertSame(small, slot.bytes(200), "reused: no allocation per command");
        slot.clear();
        final ExpandableArrayBuffer big = slot.bytes(ShardCommand.MAX_RETAINED_BYTES * 4);
        assertTrue(big.capacity() >= ShardCommand.MAX_RETAINED_BYTES * 4);
        slot.clear();
        assertNull(slot.bytes, "released after the big command");
        assertNotNull(slot.bytes(10));
    }
}
