package dev.pinwheel.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RoutingRingTest
{
    @Test
    void spreadsKeysEvenlyOverShards()
    {
        final RoutingRing ring = RoutingRing.build(1, 1, 8, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final int[] counts = new int[8];
        for (long k = 0; k < 80_000; k++)
        {
            counts[ring.shardOf(k * 4_194_304L + 1234)]++;
        }
        for (final int c : counts)
        {
            assertTrue(c > 10_000 * 0.75 && c < 10_000 * 1.25, "within 25% of even: " + c);
        }
    }

    @Test
    void isDeterministicAcrossBuilds()
    {
        final RoutingRing a = RoutingRing.build(1, 1, 4, 64);
        final RoutingRing b = RoutingRing.build(2, 1, 4, 64);
        for (long k = 1; k < 10_000; k += 7)
        {
            assertEquals(a.owner(k), b.owner(k));
        }
    }

    @Test
    void addingAShardMovesOnlyAboutItsShareOfKeys()
    {
        final RoutingRing four = RoutingRing.build(1, 1, 4, 128);
        final RoutingRing five = RoutingRing.build(2, 1, 5, 128);
        int moved = 0;
        final int n = 50_000;
        for (long k = 0; k < n; k++)
        {
            if (four.shardOf(k) != five.shardOf(k))
            {
                moved++;
            }
        }
        assertTrue(moved < n * 0.35, "consistent hashing moves ~1/5 of keys, moved " + moved);
    }

    @Test
    void roundTripsThroughPublishedArrays()
    {
        final RoutingRing ring = RoutingRing.build(3, 2, 3, 16);
        final RoutingRing copy = RoutingRing.of(ring.version(), ring.points(), ring.owners(), 3);
        for (long k = 0; k < 1000; k++)
        {
            assertEquals(ring.owner(k), copy.owner(k));
            assertTrue(ring.nodeOf(k) < 2);
        }
    }

    @Test
    void tablePublishesEverySnapshot()
    {
        final AtomicLong published = new AtomicLong(-1);
        final RoutingTable table = new RoutingTable(RoutingRing.build(1, 1, 2, 8), (v, p, o) -> published.set(v));
        assertEquals(1, published.get());
        table.swap(RoutingRing.build(2, 1, 2, 8));
        assertEquals(2, published.get());
        assertEquals(2, table.ring().version());
    }

    @Test
    void aRingEpochWithoutANodeMovesOnlyThatNodesKeysAndItsReturnTakesExactlyThoseBack()
    {
        final RoutingRing all = RoutingRing.build(1, 3, 2, RoutingRing.DEFAULT_VIRTUAL_NODES);
        assertEquals(all.points().length, RoutingRing.buildLive(1, 0b111, 2, RoutingRing.DEFAULT_VIRTUAL_NODES)
            .points().length);
        final RoutingRing without1 = RoutingRing.buildLive(2, 0b101, 2, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RoutingRing back = RoutingRing.buildLive(3, 0b111, 2, RoutingRing.DEFAULT_VIRTUAL_NODES);
        int moved = 0;
        for (long k = 0; k < 30_000; k++)
        {
            final long key = k * 4_194_304L + 99;
            final int before = all.owner(key);
            final int after = without1.owner(key);
            if (before >>> 16 == 1)
            {
                moved++;
                assertTrue(after >>> 16 != 1, "a key of the dead node moves to a survivor");
            }
            else
            {
                assertEquals(before, after, "a survivor's key stays where it was");
            }
            assertEquals(before, back.owner(key), "the node's return restores the first ring");
        }
        assertTrue(moved > 30_000 / 3 * 0.75 && moved < 30_000 / 3 * 1.25, "about a third moved: " + moved);
    }

    @Test
    void theBucketedLookupFindsTheFirstPointAtOrAfterTheKeysHashAsABinarySearchDoes()
    {
        for (final RoutingRing ring : new RoutingRing[] {RoutingRing.build(1, 1, 1, 1), RoutingRing.build(1, 3, 2, 128),
            RoutingRing.build(1, 6, 4, 128), RoutingRing.buildLive(1, 0b1010, 3, 7)})
        {
            final long[] points = ring.points();
            final int[] owners = ring.owners();
            for (long k = 0; k < 50_000; k++)
            {
                final long key = k * 4_194_304L + 31 * k;
                final long h = RoutingRing.mix(key) & ~0xFFFF_FFFFL;
                int first = 0;
                while (first < points.length && points[first] < h)
                {
                    first++;
                }
                assertEquals(owners[first == points.length ? 0 : first], ring.owner(key), "key " + key);
            }
        }
    }
}
