package dev.pinwheel.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelConfig;
import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.Test;

/**
 * The read-size policy every connection uses: Netty's adaptive guesses (grow at once after a full read, shrink after
 * two small read loops in a row) and its read-loop rules, in one small handle per connection.
 */
class ReceiveSizesTest
{
    private final ChannelConfig config = new EmbeddedChannel().config();

    /** One read loop: each read asks for the guess and gets {@code got[i]} bytes. */
    private static void loop(final ReceiveSizes.Handle h, final ChannelConfig config, final int... got)
    {
        h.reset(config);
        for (final int n : got)
        {
            h.attemptedBytesRead(h.guess());
            h.lastBytesRead(n);
            h.incMessagesRead(1);
        }
        h.readComplete();
    }

    @Test
    void aFullReadGrowsTheGuessAtOnceAndSmallLoopsShrinkItStepByStep()
    {
        final ReceiveSizes.Handle h = (ReceiveSizes.Handle)new ReceiveSizes().newHandle();
        assertEquals(2_048, h.guess(), "Netty's first guess");
        loop(h, config, 2_048, 100);
        assertEquals(32_768, h.guess(), "a read that filled 2 KiB: 16 times larger");
        loop(h, config, 32_768, 32_768, 10);
        assertEquals(65_536, h.guess(), "never above 64 KiB");
        loop(h, config, 500);
        assertEquals(65_536, h.guess(), "one small loop changes nothing");
        loop(h, config, 500);
        assertEquals(32_768, h.guess(), "the second in a row halves it");
        loop(h, config, 20_000); // between half and the guess: no change, and the next small loop counts as a first
        loop(h, config, 500);
        assertEquals(32_768, h.guess());
        for (int i = 0; i < 40; i++)
        {
            loop(h, config, 10);
        }
        assertEquals(64, h.guess(), "down to 64 B at the least");
    }

    @Test
    void aReadLoopGoesOnWhileReadsFillTheirBuffersUpToTheMessageLimit()
    {
        final ReceiveSizes sizes = new ReceiveSizes();
        final ReceiveSizes.Handle h = (ReceiveSizes.Handle)sizes.newHandle();
        h.reset(config);
        assertFalse(h.continueReading(), "nothing read yet");
        h.attemptedBytesRead(h.guess());
        h.lastBytesRead(h.attemptedBytesRead());
        h.incMessagesRead(1);
        assertTrue(h.continueReading(), "a full read: more may wait");
        assertFalse(h.continueReading(() -> false), "the transport says nothing waits");
        h.attemptedBytesRead(h.guess());
        h.lastBytesRead(10);
        h.incMessagesRead(1);
        assertFalse(h.continueReading(), "a short read: the socket is drained");
        assertEquals(10, h.lastBytesRead());

        sizes.maxMessagesPerRead(2);
        h.reset(config);
        for (int i = 0; i < 2; i++)
        {
            h.attemptedBytesRead(h.guess());
            h.lastBytesRead(h.attemptedBytesRead());
            h.incMessagesRead(1);
        }
        assertFalse(h.continueReading(), "at most maxMessagesPerRead reads per loop");

        h.reset(config);
        h.attemptedBytesRead(h.guess());
        h.lastBytesRead(h.attemptedBytesRead());
        config.setAutoRead(false);
        assertFalse(h.continueReading(), "a channel that stopped reading");
    }
}
