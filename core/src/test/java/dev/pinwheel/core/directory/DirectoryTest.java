package dev.pinwheel.core.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * The directory's long-keyed lookups: application commands by (application, guild), direct-message channels by
 * user pair in either order, exact for pairs that share a user; written by one thread while others read; and the
 * pair's routing key.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirectoryTest
{
    @Test
    void commandsAreKeptPerApplicationAndGuild()
    {
        final Directory d = new Directory();
        assertEquals("[]", d.commands(1, 0));
        d.putCommands(1, 0, "[global]");
        d.putCommands(1, 9, "[guild 9]");
        d.putCommands(2, 9, "[app 2]");
        assertEquals("[global]", d.commands(1, 0));
        assertEquals("[guild 9]", d.commands(1, 9));
        assertEquals("[app 2]", d.commands(2, 9));
        assertEquals("[]", d.commands(2, 0));
        d.putCommands(1, 9, "[replaced]");
        assertEquals("[replaced]", d.commands(1, 9));
    }

    @Test
    void aPairFindsItsChannelInEitherOrderAndPairsSharingAUserAreApart()
    {
        final Directory d = new Directory();
        d.putDm(100, 5, 7);
        d.putDm(101, 9, 5);
        d.putDm(102, 7, 9);
        assertEquals(100, d.dmBetween(5, 7));
        assertEquals(100, d.dmBetween(7, 5));
        assertEquals(101, d.dmBetween(5, 9));
        assertEquals(102, d.dmBetween(9, 7));
        assertEquals(0, d.dmBetween(5, 8));
        assertEquals(0, d.dmBetween(8, 8));
        assertEquals(5, d.dmUsers(100)[0]);
    }

    @Test
    void readersSeeWhatAWriterAddedWhileTheyRead() throws Exception
    {
        final Directory d = new Directory();
        final int pairs = 20_000;
        final CountDownLatch written = new CountDownLatch(1);
        final Thread writer = Thread.ofPlatform().start(() ->
        {
            for (int i = 1; i <= pairs; i++)
            {
                d.putDm(1_000_000 + i, i % 50, 100 + i); // 50 users, each in many pairs
                d.putCommands(i % 10, i, "[" + i + "]");
            }
            written.countDown();
        });
        final AtomicLong wrong = new AtomicLong();
        final Thread reader = Thread.ofPlatform().start(() ->
        {
            while (written.getCount() > 0)
            {
                final long c = d.dmBetween(7, 107);
                if (c != 0 && c != 1_000_007)
                {
                    wrong.set(c);
                }
            }
        });
        assertTrue(written.await(20, TimeUnit.SECONDS));
        writer.join();
        reader.join();
        assertEquals(0, wrong.get(), "a reader saw another pair's channel");
        for (int i = 1; i <= pairs; i++)
        {
            assertEquals(1_000_000 + i, d.dmBetween(100 + i, i % 50));
            assertEquals("[" + i + "]", d.commands(i % 10, i));
        }
    }

    @Test
    void aPairsRoutingKeyIsSymmetricAndSpreadsPairsOverShards()
    {
        assertEquals(Directory.pairId(3, 4), Directory.pairId(4, 3));
        assertNotEquals(Directory.pairId(3, 4), Directory.pairId(3, 5));
        final RoutingRing ring = RoutingRing.build(1, 1, 4, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final int[] perShard = new int[4];
        final Set<Long> keys = new HashSet<>();
        for (long a = 1; a <= 100; a++)
        {
            for (long b = a + 1; b <= 101; b++)
            {
                final long snowflakeA = a << 22 | 7;
                final long snowflakeB = b << 22 | 7;
                keys.add(Directory.pairId(snowflakeA, snowflakeB));
                perShard[ring.shardOf(Directory.pairId(snowflakeA, snowflakeB))]++;
            }
        }
        assertEquals(5050, keys.size(), "no two of these pairs share a key");
        for (final int n : perShard)
        {
            assertTrue(n > 5050 / 4 / 2, "pairs per shard: " + java.util.Arrays.toString(perShard));
        }
    }
}
