package dev.pinwheel.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * During a ring epoch's handover only the keys whose owner changed are refused ({@link RoutingRing#MOVING}); the others
 * keep their owner. With epochs that did not settle in between, a key is served only when its owner held it in every
 * one of them ({@link RoutingRing#inHandover(RoutingRing, int, int)}: the ring over the union of their live nodes and
 * the nodes live in all of them), checked here against the rings of each epoch built one by one.
 */
class RoutingRingHandoverTest
{
    private static final int SHARDS = 2;
    private static final int VN = RoutingRing.DEFAULT_VIRTUAL_NODES;

    @Test
    void aLostNodeMovesOnlyItsOwnKeysAndEveryOtherKeyKeepsBeingRouted()
    {
        final RoutingRing all = RoutingRing.buildLive(1, 0b111, SHARDS, VN);
        final RoutingRing without1 = RoutingRing.buildLive(2, 0b101, SHARDS, VN);
        // settled at epoch 1 (all three), epoch 2 loses node 1: union = intersection ∪ … = {0,1,2}, common = {0,2}
        final RoutingRing handover = without1.inHandover(RoutingRing.buildLive(0, 0b111, SHARDS, VN), 0, 0b101);
        final SplittableRandom random = new SplittableRandom(12);
        int moving = 0;
        int served = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final long key = random.nextLong(1L << 40, 1L << 60);
            final boolean moves = all.owner(key) != without1.owner(key);
            assertEquals(moves, all.nodeOf(key) == 1, "only node 1's keys change owner");
            if (moves)
            {
                assertEquals(RoutingRing.MOVING, handover.route(key));
                moving++;
            }
            else
            {
                assertEquals(without1.owner(key), handover.route(key));
                served++;
            }
            // once node 0 and 2 loaded what they gained, nothing is refused
            assertEquals(without1.owner(key), without1.inHandover(all, 0b101, 0b101).route(key));
        }
        assertTrue(moving > 4_000 && served > 10_000, moving + " moving, " + served + " served");
    }

    @Test
    void aNodeThatRejoinsGetsItsKeysBackAndNoOtherKeyIsRefused()
    {
        final RoutingRing without1 = RoutingRing.buildLive(2, 0b101, SHARDS, VN);
        final RoutingRing all = RoutingRing.buildLive(3, 0b111, SHARDS, VN);
        // settled at epoch 2 ({0,2}), epoch 3 has node 1 back: union {0,1,2}, common {0,2}
        final RoutingRing handover = all.inHandover(RoutingRing.buildLive(0, 0b111, SHARDS, VN), 0, 0b101);
        final SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 20_000; i++)
        {
            final long key = random.nextLong(1L << 40, 1L << 60);
            assertEquals(all.nodeOf(key) == 1 ? RoutingRing.MOVING : all.owner(key), handover.route(key));
        }
    }

    @Test
    void aKeyIsServedOnlyIfItsOwnerHeldItInEveryEpochSinceTheLastSettledOne()
    {
        final SplittableRandom random = new SplittableRandom(14);
        for (int trial = 0; trial < 200; trial++)
        {
            // a settled epoch, then 1..4 epochs that did not settle, each with a random non-empty set of 5 nodes
            final int epochs = 2 + random.nextInt(4);
            final RoutingRing[] rings = new RoutingRing[epochs];
            int union = 0;
            int common = -1;
            for (int e = 0; e < epochs; e++)
            {
                final int live = 1 + random.nextInt(31);
                rings[e] = RoutingRing.buildLive(e + 1, live, SHARDS, VN);
                union |= live;
                common &= live;
            }
            final RoutingRing current = rings[epochs - 1];
            final RoutingRing handover = common == 0 ? current.inHandover(RoutingRing.EMPTY, 0, 0)
                : current.inHandover(RoutingRing.buildLive(0, union, SHARDS, VN), 0, common);
            for (int i = 0; i < 500; i++)
            {
                final long key = random.nextLong(1L << 40, 1L << 60);
                boolean held = true;
                for (final RoutingRing r : rings)
                {
                    held &= r.owner(key) == current.owner(key);
                }
                assertEquals(held ? current.owner(key) : RoutingRing.MOVING, handover.route(key),
                    "trial " + trial + " key " + key);
            }
        }
    }

    @Test
    void beforeAnyEpochSettledEveryKeyIsMoving()
    {
        final RoutingRing ring = RoutingRing.buildLive(1, 0b111, SHARDS, VN).inHandover(RoutingRing.EMPTY, 0, 0);
        assertEquals(RoutingRing.MOVING, ring.route(42));
        assertEquals(RoutingRing.MOVING, ring.route(1L << 50));
    }
}
