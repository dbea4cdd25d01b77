package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Catch-ups over a real link (nodes in one JVM, real shard threads, Aeron over UDP on 127.0.0.1, a 64 KiB term so
 * that the peer pushes back): a shard's journal of name claims goes to two peers at once, a bounded slice per duty
 * cycle, and what the shard sends them meanwhile — the release of the last name scanned, a new claim — reaches them
 * after the scan, once: each peer ends with the last name released (had the release overtaken the scan, the scanned
 * claim would have put it back). A peer that dies mid-scan ends the scan (abandoned), and the shard goes on serving.
 */
class NodeLinkCatchUpTest
{
    private static final int SLICE = 64;

    private final List<Node> nodes = new ArrayList<>();
    private Path dir;

    /** One node of one shard whose store is a list of state records. */
    private static final class Node
    {
        final ListStore store = new ListStore();
        final NodeState state = NodeState.create();
        final ShardGroup group;
        final NodeLink link;

        Node(final int id, final ClusterMembers members, final Path dir)
        {
            final RoutingTable routing = new RoutingTable(RoutingRing.build(1, members.size(), 1, 64),
                (v, p, o) -> { });
            group = new ShardGroup(id, 1, 1024, routing, shard -> store, (shard, thread) -> IoDriver.parking(),
                ThreadPlacement.unpinned(), null);
            link = new NodeLink(new NodeLinkContext().nodeId(id).members(members).aeronDir(dir.resolve("aeron-" + id))
                .termLength(64 * 1024).peerTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(1500)).catchUpSlice(SLICE,
                    64 << 10), 1, null);
            group.clusterLink(link);
            group.start(30, TimeUnit.SECONDS);
            link.advertiseHttp("127.0.0.1:" + (18_000 + id)); // not bound: only told to the peers
            link.start(group, state);
        }

        void close()
        {
            try
            {
                group.close();
            }
            finally
            {
                link.close();
            }
        }
    }

    /** The state journal as a list: a cursor is the index of the next record. Its shard's thread only. */
    private static final class ListStore extends TestStore
    {
        final List<Object[]> records = new ArrayList<>();
        int largestSlice;

        @Override
        public void appendState(final int type, final byte[] payload)
        {
            records.add(new Object[] {type, payload});
        }

        @Override
        public long stateJournalEnd()
        {
            return records.size();
        }

        @Override
        public long scanState(final long from, final long until, final int maxRecords, final int maxBytes,
            final dev.pinwheel.core.store.StateRecordHandler handler)
        {
            int i = (int)from;
            int read = 0;
            while (i < until && read < maxRecords)
            {
                handler.onStateRecord((Integer)records.get(i)[0], (byte[])records.get(i)[1]);
                i++;
                read++;
            }
            largestSlice = Math.max(largestSlice, read);
            return i < until ? i : ShardStore.STATE_SCAN_DONE;
        }
    }

    private void startNodes(final int count) throws Exception
    {
        final ClusterMembers members = LoopbackMembers.free(count);
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "pinwheel-catch-up-test-");
        for (int i = 0; i < count; i++)
        {
            nodes.add(new Node(i, members, dir));
        }
        for (final Node n : nodes)
        {
            assertTrue(n.link.awaitPeers(20_000), "peers connected");
        }
    }

    @AfterEach
    void stop()
    {
        try
        {
            for (final Node n : nodes)
            {
                if (n != null)
                {
                    n.close();
                }
            }
        }
        finally
        {
            if (dir != null)
            {
                org.agrona.IoUtil.delete(dir.toFile(), true);
            }
        }
    }

    private static void onShard(final ShardGroup group, final java.util.function.Consumer<Shard> f)
        throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        assertTrue(group.send(0, s ->
        {
            f.accept(s);
            done.countDown();
        }));
        assertTrue(done.await(30, TimeUnit.SECONDS), "the shard ran a task");
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private static void journal(final ListStore store, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            store.appendState(StateRecords.NAME_CLAIMED, StateRecords.nameClaim("n-" + i, i + 1));
        }
    }

    @Test
    void twoPeersCatchUpInSlicesAndGetWhatTheShardSendsMeanwhileAfterOnce() throws Exception
    {
        startNodes(3);
        final Node a = nodes.get(0);
        final int n = 3000;
        final String last = "n-" + (n - 1);
        final byte[] release = StateRecords.nameClaim(last, n);
        final byte[] late = StateRecords.nameClaim("late", 7);
        onShard(a.group, shard ->
        {
            journal(a.store, n);
            assertTrue(a.link.beginCatchUp(0, 1, a.store));
            assertTrue(a.link.beginCatchUp(0, 2, a.store));
            // journaled after the scans began, each broadcast live as StateLog does once durable
            a.store.appendState(StateRecords.NAME_RELEASED, release);
            a.link.offerState(0, StateRecords.NAME_RELEASED, release);
            a.store.appendState(StateRecords.NAME_CLAIMED, late);
            a.link.offerState(0, StateRecords.NAME_CLAIMED, late);
        });
        for (final int peer : new int[] {1, 2})
        {
            final NodeState state = nodes.get(peer).state;
            await(() -> state.accounts().holderOf("late") == 7, "node " + peer + " got the records sent after");
            for (int i = 0; i < n - 1; i++)
            {
                assertEquals(i + 1, state.accounts().holderOf("n-" + i), "node " + peer + ": n-" + i);
            }
            assertEquals(-1, state.accounts().holderOf(last), "node " + peer + ": the release journaled after the "
                + "scan began reached it after the scanned claim");
        }
        await(() -> a.link.counter("catch_up_completed") == 2, "both catch-ups complete");
        assertEquals(2L * n, a.link.counter("catch_up_records"), "each scanned record sent once to each peer");
        assertEquals(0, a.link.counter("catch_up_abandoned"));
        assertTrue(a.link.counter("catch_up_slices") >= 2L * n / SLICE, "slices: " + a.link.counter(
            "catch_up_slices"));
        assertEquals(SLICE, a.store.largestSlice, "no slice reads more than its bound");
        assertEquals(2L * n + 4 + 2, a.link.counter("sent"),
            "the scans' records, the 4 live frames and each scan's CATCH_UP_DONE, each once");
        for (final int peer : new int[] {1, 2})
        {
            final NodeLink link = nodes.get(peer).link;
            await(() -> link.caughtUp(dev.pinwheel.core.routing.ShardRoute.of(0, 0)),
                "node " + peer + " caught up by node 0's shard (CATCH_UP_DONE behind its records)");
        }
        assertTrue(a.link.counter("retried") >= 4, "the live frames waited behind the scans");
        // each catch-up request told its asker's HTTP address (files are fetched from the node that holds them)
        for (int k = 0; k < nodes.size(); k++)
        {
            final NodeLink link = nodes.get(k).link;
            for (int peer = 0; peer < nodes.size(); peer++)
            {
                final int p = peer;
                if (peer == k)
                {
                    assertEquals(null, link.httpAddress(peer), "this node's own");
                    continue;
                }
                await(() -> ("127.0.0.1:" + (18_000 + p)).equals(link.httpAddress(p)),
                    "node " + k + " knows node " + peer + "'s HTTP address");
            }
        }
    }

    @Test
    void aPeerThatDiesMidScanEndsItAndTheShardGoesOn() throws Exception
    {
        startNodes(2);
        final Node a = nodes.get(0);
        final int n = 50_000; // ~3 MB of frames: far more than a dead peer's window takes
        onShard(a.group, shard -> journal(a.store, n));
        final Node b = nodes.set(1, null);
        onShard(a.group, shard -> assertTrue(a.link.beginCatchUp(0, 1, a.store)));
        await(() -> a.link.counter("catch_up_records") > 0, "the scan to begin sending");
        b.close();
        await(() -> a.link.counter("catch_up_abandoned") == 1, "the scan abandoned when the peer is gone");
        assertEquals(0, a.link.counter("catch_up_completed"));
        assertTrue(a.link.counter("catch_up_records") < n, "it stopped: " + a.link.counter("catch_up_records"));
        onShard(a.group, shard -> assertTrue(!a.link.hasPending(0), "nothing left waiting on the shard"));
    }
}
