package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * The gathered frames are byte for byte the frames {@link DispatchFrame#writeFrames} copies (the framing every other
 * path uses): for content and redacted sessions, sequences crossing a digit, payloads of every WebSocket length form,
 * events of several types in one batch, an arena that fills and starts over; the shared bytes are copied once per
 * shard, not per recipient; and the iovec list the gateway hands to {@code writev} reads back from a real pipe as
 * those frames.
 */
class FrameGatherTest
{
    private static final long USER = 7;

    @Test
    void gathersTheSameBytesTheCopyingFramerWrites()
    {
        final SplittableRandom random = new SplittableRandom(14);
        final FrameGather gather = new FrameGather(4096); // small: the arena fills and starts over many times
        final Dispatch[] ring = new Dispatch[32];
        final int mask = ring.length - 1;
        long seq = 0;
        for (int round = 0; round < 400; round++)
        {
            final int frames = 1 + random.nextInt(FrameGather.MAX_FRAMES);
            for (int i = 0; i < frames; i++)
            {
                ring[(int)(++seq & mask)] = randomDispatch(random);
            }
            if (round == 200)
            {
                seq = 99_990; // sequences crossing 100000 (a digit longer)
                for (long s = seq - frames + 1; s <= seq; s++)
                {
                    ring[(int)(s & mask)] = randomDispatch(random);
                }
            }
            final boolean seesContent = random.nextBoolean();
            final long from = seq - frames + 1;
            final int total = gather.gather(ring, mask, from, seq, USER, seesContent);
            assertEquals(DispatchFrame.framesLength(ring, mask, from, seq, USER, seesContent), total, "round " + round);
            assertArrayEquals(copied(ring, mask, from, seq, seesContent), gathered(gather, 0), "round " + round);
            assertEquals(2 * frames, gather.iovCount());
        }
    }

    /**
     * A stretch of a guild's log is gathered in place: its indexes are log positions, its frames numbered from the
     * session's own sequence. The same bytes as the copying framer writes for those events at those sequences in a
     * ring of the session's own (the oracle numbers by index, as before), for sequences of 1 to 12 digits (the word
     * stores of up to 8 digits and the path past them) and heads of every length form.
     */
    @Test
    void aLogStretchIsNumberedFromTheSessionsOwnSequence()
    {
        final SplittableRandom random = new SplittableRandom(15);
        final FrameGather gather = new FrameGather(8192);
        final Dispatch[] log = new Dispatch[64];
        final Dispatch[] own = new Dispatch[32];
        for (int round = 0; round < 2_000; round++)
        {
            final int frames = 1 + random.nextInt(FrameGather.MAX_FRAMES);
            final long firstPos = random.nextLong(1_000_000);
            final long digits = 1 + random.nextInt(12);
            final long firstSeq = Math.max(1, (long)Math.pow(10, digits - 1) - random.nextInt(frames + 2));
            for (int i = 0; i < frames; i++)
            {
                final Dispatch d = random.nextInt(8) == 0 ? dispatch("GUILD_MEMBER_UPDATE_" + "X".repeat(
                    random.nextInt(40)), 20 + random.nextInt(200)) : randomDispatch(random);
                log[(int)((firstPos + i) & 63)] = d;
                own[(int)((firstSeq + i) & 31)] = d;
            }
            final boolean seesContent = random.nextBoolean();
            final long lastPos = firstPos + frames - 1;
            final long lastSeq = firstSeq + frames - 1;
            final int total = gather.gather(log, 63, firstPos, lastPos, firstSeq, USER, seesContent);
            assertEquals(DispatchFrame.framesLength(own, 31, firstSeq, lastSeq, USER, seesContent), total,
                "round " + round);
            assertArrayEquals(copied(own, 31, firstSeq, lastSeq, seesContent), gathered(gather, 0), "round " + round);
        }
    }

    /** The digits of every number below 10^8 the flush writes as one word: all below 10^6, then random ones. */
    @Test
    void aWordHoldsTheDigitsOfAnyNumberBelowTenToTheEight()
    {
        final SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < 2_000_000; i++)
        {
            final long v = i < 1_000_000 ? i
                : i < 1_000_010 ? 99_999_999 - (i - 1_000_000)
                : random.nextLong(100_000_000);
            final String expected = Long.toString(v);
            final long word = FrameGather.digitWord(v, expected.length());
            final byte[] bytes = new byte[8];
            for (int k = 0; k < 8; k++)
            {
                bytes[k] = (byte)(word >>> (k << 3));
            }
            assertEquals(expected, new String(bytes, 0, expected.length(), StandardCharsets.US_ASCII), "of " + v);
            if (expected.length() < 8)
            {
                assertEquals(0, word >>> (expected.length() << 3), "nothing after the digits of " + v);
            }
        }
    }

    @Test
    void theSharedBytesAreCopiedOncePerShardNotPerRecipient()
    {
        final FrameGather gather = new FrameGather();
        final Dispatch d = dispatch("MESSAGE_CREATE", 450);
        final Dispatch[] ring = new Dispatch[4];
        ring[1] = d;
        gather.gather(ring, 3, 1, 1, USER, true);
        final int used = gather.arenaUsed();
        for (int session = 0; session < 1000; session++)
        {
            assertTrue(gather.gather(ring, 3, 1, 1, USER + session, true) > 450);
        }
        assertEquals(used, gather.arenaUsed(), "1,000 recipients of one event: the event's bytes copied once");
    }

    @Test
    void aFullCorkOfDistinctEventsIsCopiedOncePerShardNotPerRecipient()
    {
        // a duty cycle that took as many posts as one write holds: every session gets the same distinct events
        final FrameGather gather = new FrameGather();
        final Dispatch[] ring = new Dispatch[2 * FrameGather.MAX_FRAMES];
        final int mask = ring.length - 1;
        for (int i = 1; i <= FrameGather.MAX_FRAMES; i++)
        {
            ring[i] = dispatch("MESSAGE_CREATE", 450);
        }
        gather.gather(ring, mask, 1, FrameGather.MAX_FRAMES, USER, true);
        final int used = gather.arenaUsed();
        for (int session = 0; session < 1000; session++)
        {
            gather.gather(ring, mask, 1, FrameGather.MAX_FRAMES, USER + session, true);
            assertEquals(used, gather.arenaUsed(), "session " + session + ": each event's bytes copied once");
        }
        assertArrayEquals(copied(ring, mask, 1, FrameGather.MAX_FRAMES, true), gathered(gather, 0));
    }

    @Test
    void refusesWhatItDoesNotGather()
    {
        final FrameGather gather = new FrameGather(1024);
        final Dispatch[] ring = new Dispatch[32];
        for (int i = 0; i < ring.length; i++)
        {
            ring[i] = dispatch("MESSAGE_CREATE", 10);
        }
        assertEquals(-1, gather.gather(ring, 31, 1, FrameGather.MAX_FRAMES + 1, USER, true), "more than the cork");
        ring[5] = dispatch("GUILD_CREATE", FrameGather.MAX_PIECE + 1);
        assertEquals(-1, gather.gather(ring, 31, 3, 6, USER, true), "a body above the largest piece");
        ring[5] = dispatch("GUILD_CREATE", 70_000); // larger than the arena: it grows
        final int total = gather.gather(ring, 31, 3, 6, USER, true);
        assertEquals(DispatchFrame.framesLength(ring, 31, 3, 6, USER, true), total);
        assertArrayEquals(copied(ring, 31, 3, 6, true), gathered(gather, 0));
        final byte[] whole = copied(ring, 31, 3, 6, true);
        final byte[] tail = gathered(gather, 10_000); // what a partial write of 10,000 bytes leaves
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, 10_000, whole.length), tail);
    }

    @Test
    void theIovecListWritesTheFramesThroughARealPipe() throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "native transport (Linux)");
        final FileDescriptor[] pipe = FileDescriptor.pipe();
        try
        {
            final Dispatch[] ring = new Dispatch[8];
            ring[1] = dispatch("MESSAGE_CREATE", 450);
            ring[2] = dispatch("TYPING_START", 60);
            ring[3] = ring[1];
            final FrameGather gather = new FrameGather();
            final int total = gather.gather(ring, 7, 1, 3, USER, false);
            assertEquals(total, pipe[1].writevAddresses(gather.iovAddress(), gather.iovCount()));
            final ByteBuffer in = ByteBuffer.allocateDirect(total);
            int read = 0;
            for (int i = 0; i < 100 && read < total; i++)
            {
                read += pipe[0].read(in, read, total);
            }
            assertEquals(total, read);
            final byte[] wire = new byte[total];
            in.get(0, wire);
            assertArrayEquals(copied(ring, 7, 1, 3, false), wire);
        }
        finally
        {
            pipe[0].close();
            pipe[1].close();
        }
    }

    private static Dispatch randomDispatch(final SplittableRandom random)
    {
        final int kind = random.nextInt(10);
        final int size = kind < 6 ? random.nextInt(600) : kind < 9 ? 100 + random.nextInt(70_000) : 120;
        final byte[] data = body(size, random.nextInt(26));
        final byte[] redacted = random.nextBoolean() ? body(size / 2, 3) : null;
        final String type = kind == 9 ? "TYPING_START" : kind % 2 == 0 ? "MESSAGE_CREATE" : "MESSAGE_UPDATE";
        return new Dispatch(type, data, redacted, 0, 1, random.nextBoolean() ? USER : 9, 0);
    }

    private static Dispatch dispatch(final String type, final int size)
    {
        return new Dispatch(type, body(size, 1), body(Math.max(2, size / 3), 2), 0, 1, 9, 0);
    }

    private static byte[] body(final int size, final int letter)
    {
        final StringBuilder b = new StringBuilder("{\"x\":\"");
        while (b.length() < size - 2)
        {
            b.append((char)('a' + letter));
        }
        return b.append("\"}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] copied(final Dispatch[] ring, final int mask, final long from, final long to,
        final boolean seesContent)
    {
        final ByteBuf buf = Unpooled.buffer(DispatchFrame.framesLength(ring, mask, from, to, USER, seesContent));
        DispatchFrame.writeFrames(buf, ring, mask, from, to, USER, seesContent);
        final byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    private static byte[] gathered(final FrameGather gather, final int skip)
    {
        final ByteBuf buf = Unpooled.buffer(gather.size() - skip);
        gather.copyTo(buf, skip);
        final byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }
}
