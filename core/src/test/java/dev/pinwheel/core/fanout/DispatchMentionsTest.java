package dev.pinwheel.core.fanout;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * A session without MESSAGE_CONTENT gets the full {@code d} exactly when its user is mentioned (or wrote it), the
 * redacted one otherwise — checked against a plain lookup for random snowflake-like ids, so the dispatch's filter
 * never rules out someone mentioned.
 */
class DispatchMentionsTest
{
    private static final byte[] FULL = {'f'};
    private static final byte[] REDACTED = {'r'};

    @Test
    void theMentionedAndTheAuthorGetTheFullBody()
    {
        final Random random = new Random(3);
        for (int round = 0; round < 200; round++)
        {
            final long[] mentioned = new long[1 + random.nextInt(150)];
            for (int i = 0; i < mentioned.length; i++)
            {
                mentioned[i] = (random.nextLong() >>> 1) | 1L << 40;
            }
            Arrays.sort(mentioned);
            final Dispatch d = new Dispatch("MESSAGE_CREATE", FULL, REDACTED, 1, 1, 42, 0, null, mentioned, 0,
                false);
            for (final long u : mentioned)
            {
                assertSame(FULL, d.dataFor(u, false));
                assertSame(FULL, d.withAudience(null).dataFor(u, false), "kept by withAudience");
            }
            for (int i = 0; i < 1000; i++)
            {
                final long u = (random.nextLong() >>> 1) | 1L << 40;
                assertSame(Arrays.binarySearch(mentioned, u) >= 0 ? FULL : REDACTED, d.dataFor(u, false));
                assertSame(FULL, d.dataFor(u, true));
            }
            assertSame(FULL, d.dataFor(42, false), "the author");
        }
        assertSame(REDACTED, new Dispatch("MESSAGE_CREATE", FULL, REDACTED, 1, 1, 42, 0).dataFor(7, false));
    }
}
