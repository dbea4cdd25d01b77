package dev.pinwheel.storage;

import dev.pinwheel.core.routing.RoutingRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleRingPublisherTest
{
    @TempDir
    Path dataDir;

    private static void assertRing(final RoutingRing expected, final RingSnapshot actual)
    {
        assertEquals(expected.version(), actual.version());
        assertArrayEquals(expected.points(), actual.points());
        assertArrayEquals(expected.owners(), actual.owners());
    }

    @Test
    void readerSeesWhatWasPublishedAndLaterVersionsReplaceEarlierOnes()
    {
        try (ChronicleRingPublisher publisher = new ChronicleRingPublisher(dataDir);
             ChronicleRingReader reader = new ChronicleRingReader(dataDir))
        {
            assertTrue(Files.exists(dataDir.resolve("routing-ring.dat")));
            assertEquals(ChronicleRingReader.NOT_PUBLISHED, reader.version());
            assertNull(reader.read());
            assertNull(reader.readIfChanged(0));

            final RoutingRing v1 = RoutingRing.build(1, 1, 2, 4);
            publisher.publish(v1.version(), v1.points(), v1.owners());
            assertEquals(1, reader.version());
            assertRing(v1, reader.read());
            assertNull(reader.readIfChanged(1));

            final RoutingRing v2 = RoutingRing.build(2, 4, 16, RoutingRing.DEFAULT_VIRTUAL_NODES); // 8,192 points
            publisher.publish(v2.version(), v2.points(), v2.owners());
            assertRing(v2, reader.readIfChanged(1));

            final RoutingRing v3 = RoutingRing.build(3, 1, 1, 1);
            publisher.publish(v3.version(), v3.points(), v3.owners());
            assertRing(v3, reader.read());
            assertEquals(3, reader.version());
        }
        try (ChronicleRingReader restarted = new ChronicleRingReader(dataDir))
        {
            assertEquals(3, restarted.version());
            assertEquals(3, restarted.sequence());
            assertEquals(1, restarted.read().points().length);
        }
        // a restarted publisher goes on numbering where the last one stopped, so a poller's sequence stays valid
        try (ChronicleRingPublisher publisher = new ChronicleRingPublisher(dataDir);
             ChronicleRingReader reader = new ChronicleRingReader(dataDir))
        {
            final RoutingRing same = RoutingRing.build(3, 1, 1, 1);
            assertEquals(4, publisher.publish(same.version(), 7, 0b101, 3, 1, same.points(), same.owners()));
            final RingSnapshot ring = reader.readIfChanged(3);
            assertEquals(4, ring.sequence());
            assertEquals(7, ring.epoch());
            assertEquals(3, ring.nodes());
            assertTrue(ring.isLive(0) && !ring.isLive(1) && ring.isLive(2));
        }
    }

    /**
     * A reader (its own map handle, as in another process) polling while epochs are published back to back gets, every
     * time, one publication whole: the epoch's number, live nodes and ring always belong together.
     */
    @Test
    void aReaderNeverSeesHalfAnEpoch() throws Exception
    {
        final RoutingRing all = RoutingRing.buildLive(1, 0b111, 2, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RoutingRing twoOfThree = RoutingRing.buildLive(1, 0b101, 2, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final int publications = 400;
        try (ChronicleRingPublisher publisher = new ChronicleRingPublisher(dataDir);
             ChronicleRingReader reader = new ChronicleRingReader(dataDir))
        {
            final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread writer = Thread.ofPlatform().start(() ->
            {
                for (int e = 1; e <= publications; e++)
                {
                    final RoutingRing r = e % 2 == 0 ? twoOfThree : all;
                    publisher.publish(e, e, e % 2 == 0 ? 0b101 : 0b111, 3, 2, r.points(), r.owners());
                }
                done.set(true);
            });
            int seen = 0;
            long last = 0;
            while (!done.get() || seen == 0)
            {
                final RingSnapshot s = reader.read();
                if (s == null)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000L);
                    continue;
                }
                final RoutingRing expected = s.epoch() % 2 == 0 ? twoOfThree : all;
                assertEquals(s.epoch(), s.version());
                assertEquals(s.epoch(), s.sequence());
                assertEquals(s.epoch() % 2 == 0 ? 0b101 : 0b111, s.liveNodes());
                assertArrayEquals(expected.points(), s.points(), "epoch " + s.epoch());
                assertArrayEquals(expected.owners(), s.owners(), "epoch " + s.epoch());
                assertTrue(s.sequence() >= last, "sequences never go back");
                last = s.sequence();
                seen++;
            }
            writer.join(60_000);
            assertEquals(publications, reader.read().epoch());
            assertTrue(seen > 1, "read while publishing: " + seen);
        }
    }

    @Test
    void theLargestRingFitsAndLargerOnesAreRefused()
    {
        try (ChronicleRingPublisher publisher = new ChronicleRingPublisher(dataDir);
             ChronicleRingReader reader = new ChronicleRingReader(dataDir))
        {
            final int n = ChronicleRingPublisher.MAX_POINTS;
            final long[] points = new long[n];
            final int[] owners = new int[n];
            for (int i = 0; i < n; i++)
            {
                points[i] = (long)i << 20;
                owners[i] = i % 64;
            }
            publisher.publish(7, points, owners);
            publisher.publish(8, points, owners);
            final RingSnapshot ring = reader.read();
            assertEquals(8, ring.version());
            assertArrayEquals(points, ring.points());
            assertArrayEquals(owners, ring.owners());
            assertThrows(IllegalArgumentException.class, () -> publisher.publish(9, new long[n + 1], new int[n + 1]));
            assertThrows(IllegalArgumentException.class, () -> publisher.publish(9, new long[2], new int[3]));
            assertEquals(8, reader.version());
        }
    }
}
