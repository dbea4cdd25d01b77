package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.NodeUnavailableException;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Three nodes in one JVM, each with real shard threads and its own Aeron media driver, linked over UDP on 127.0.0.1:
 * typed commands to a remote owner and the replies back, in order; events once per interested shard of each node;
 * back-pressure held and retried in order; a dead node refused at once.
 */
class NodeLinkTest
{
    private static final int SHARDS = 2;
    private static final int ECHO = 200;
    private static final int ECHO_REPLY = 201;

    private final List<Node> nodes = new ArrayList<>();
    private Path dir;

    /** One node: its shards, its link, what its shards received. */
    private static final class Node implements CommandHandler
    {
        final ShardGroup group;
        final NodeLink link;
        final ConcurrentLinkedQueue<long[]> echoes = new ConcurrentLinkedQueue<>(); // {from route, seq}
        final ConcurrentLinkedQueue<long[]> replies = new ConcurrentLinkedQueue<>(); // {shard, seq}
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        volatile CountDownLatch gate;
        /** Holds this node's shard in the first reply it handles: the replies behind it back up to their sender. */
        volatile CountDownLatch replyGate;

        Node(final int id, final ClusterMembers members, final Path dir, final int ringSize, final int termLength)
        {
            this(id, members, dir, ringSize, termLength, 65_536);
        }

        Node(final int id, final ClusterMembers members, final Path dir, final int ringSize, final int termLength,
            final int maxPending)
        {
            this(id, members, dir, ringSize, termLength, maxPending, -1, (l, g) -> { });
        }

        /**
         * @param startHoldMs the link's start hold (-1: its default).
         * @param beforeStart what is set on the link (given the node's shards) before it starts.
         */
        Node(final int id, final ClusterMembers members, final Path dir, final int ringSize, final int termLength,
            final int maxPending, final long startHoldMs,
            final java.util.function.BiConsumer<NodeLink, ShardGroup> beforeStart)
        {
            final RoutingTable routing = new RoutingTable(RoutingRing.build(1, members.size(), SHARDS, 64),
                (v, p, o) -> { });
            group = new ShardGroup(id, SHARDS, ringSize, routing, shard -> new TestStore(),
                (shard, thread) -> IoDriver.parking(), ThreadPlacement.unpinned(), null);
            link = new NodeLink(new NodeLinkContext().nodeId(id).members(members).aeronDir(dir.resolve("aeron-" + id))
                .termLength(termLength).peerTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(1500)).maxPending(maxPending)
                .startHoldNanos(TimeUnit.MILLISECONDS.toNanos(startHoldMs)), SHARDS, null);
            group.clusterLink(link);
            for (int i = 0; i < SHARDS; i++)
            {
                group.shard(i).commandHandler(this);
            }
            group.start(30, TimeUnit.SECONDS);
            beforeStart.accept(link, group);
            link.start(group, null);
        }

        @Override
        public void onCommand(final Shard shard, final CommandReader command)
        {
            if (command.type() == ECHO)
            {
                final int from = command.getInt();
                final long seq = command.getLong();
                final CountDownLatch g = gate;
                if (g != null)
                {
                    try
                    {
                        g.await(30, TimeUnit.SECONDS); // a slow owner: its ring fills behind it
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
                echoes.add(new long[] {from, seq});
                shard.answer(from, shard.commandWriter().begin(ECHO_REPLY).putLong(seq));
            }
            else if (command.type() == ECHO_REPLY)
            {
                final CountDownLatch g = replyGate;
                if (g != null)
                {
                    try
                    {
                        g.await(30, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
                replies.add(new long[] {shard.id(), command.getLong()});
            }
        }

        @Override
        public void failed(final Shard shard, final CommandReader command, final Throwable cause)
        {
            failures.add(cause);
        }

        void close()
        {
            try
            {
                group.close();
            }
            finally
            {
                link.close(); // its media driver's directory goes even if a shard did not stop
            }
        }
    }

    /** A session that records the events it is handed. */
    private static final class Recorder extends SessionEndpoint
    {
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

        @Override
        public long userId()
        {
            return 1;
        }

        @Override
        public void dispatch(final Dispatch dispatch)
        {
            seen.add(new String(dispatch.data(), java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void flush()
        {
        }
    }

    private void startNodes(final int count, final int ringSize, final int termLength) throws Exception
    {
        final int[] maxPending = new int[count];
        java.util.Arrays.fill(maxPending, 65_536);
        startNodes(count, ringSize, termLength, maxPending);
    }

    private void startNodes(final int count, final int ringSize, final int termLength, final int[] maxPending)
        throws Exception
    {
        final ClusterMembers members = LoopbackMembers.free(count);
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "pinwheel-link-test-");
        for (int i = 0; i < count; i++)
        {
            nodes.add(new Node(i, members, dir, ringSize, termLength, maxPending[i]));
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
                n.close();
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

    /** A key whose owner is the given node (and that node's shard). */
    private static long keyOwnedBy(final ShardGroup group, final int node)
    {
        for (long key = 1; ; key++)
        {
            if (group.routing().ring().nodeOf(key) == node)
            {
                return key;
            }
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        await(condition, () -> what);
    }

    private static void await(final BooleanSupplier condition, final java.util.function.Supplier<String> what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, () -> "timed out waiting for " + what.get());
            Thread.sleep(5);
        }
    }

    private static void onShard(final ShardGroup group, final int shard, final java.util.function.Consumer<Shard> f)
        throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        assertTrue(group.send(shard, s ->
        {
            f.accept(s);
            done.countDown();
        }));
        assertTrue(done.await(30, TimeUnit.SECONDS));
    }

    @Test
    void commandsReachTheRemoteOwnerInOrderAndRepliesComeBackToTheOrigin() throws Exception
    {
        startNodes(3, 1024, 1 << 20);
        final Node a = nodes.get(0);
        final Node b = nodes.get(1);
        final long key = keyOwnedBy(a.group, 1);
        final int owner = a.group.ownerOf(key);
        assertTrue(ShardRoute.clustered(owner) && ShardRoute.node(owner) == 1, "owner of the key is node 1");
        final int n = 5000;
        onShard(a.group, 1, shard ->
        {
            for (int i = 0; i < n; i++)
            {
                shard.send(shard.group().ownerOf(key), shard.commandWriter().begin(ECHO).putInt(shard.address())
                    .putLong(i));
            }
        });
        await(() -> a.replies.size() == n, "all replies");
        long expect = 0;
        for (final long[] e : b.echoes)
        {
            assertEquals(ShardRoute.of(0, 1), (int)e[0], "origin route");
            assertEquals(expect++, e[1], "owner saw the commands in the order they were sent");
        }
        expect = 0;
        for (final long[] r : a.replies)
        {
            assertEquals(1, r[0], "the reply came back to the origin shard");
            assertEquals(expect++, r[1], "replies in order");
        }
        assertEquals(0, nodes.get(2).echoes.size(), "node 2 saw nothing");
        assertTrue(a.link.counter("sent") >= n);
    }

    @Test
    void anEventReachesEachInterestedShardOfEachNodeOnceInOrder() throws Exception
    {
        startNodes(3, 1024, 1 << 20);
        final Node owner = nodes.get(1);
        final long guildId = keyOwnedBy(owner.group, 1);
        final int ownerShard = owner.group.routing().ring().shardOf(guildId);
        // sessions following the guild: node 0 shard 1, node 2 shards 0 and 1, and the owner node's other shard
        final Recorder[] recorders = {new Recorder(), new Recorder(), new Recorder(), new Recorder()};
        final int[][] where = {{0, 1}, {2, 0}, {2, 1}, {1, 1 - ownerShard}};
        for (int i = 0; i < where.length; i++)
        {
            final Recorder r = recorders[i];
            onShard(nodes.get(where[i][0]).group, where[i][1], s -> s.sessions().subscribe(guildId, r));
        }
        // a session on node 0's shard 0, which the guild does not count as interested: the frames to node 0 name
        // shard 1 only (the owner encodes each event once and writes each node's shards into that copy's header)
        final Recorder bystander = new Recorder();
        onShard(nodes.get(0).group, 0, s -> s.sessions().subscribe(guildId, bystander));
        final int n = 2000;
        onShard(owner.group, ownerShard, s ->
        {
            final Guild g = new Guild(guildId, "g", 1);
            s.guilds().put(g);
            for (final int[] w : where)
            {
                g.addInterest(ShardRoute.of(w[0], w[1]));
            }
            for (int i = 0; i < n; i++)
            {
                s.publish(g, new Dispatch("MESSAGE_CREATE", ("{\"n\":" + i + "}").getBytes(), null, 0, guildId, 0, 0));
            }
        });
        for (final Recorder r : recorders)
        {
            await(() -> r.seen.size() >= n, "every event");
        }
        for (final Recorder r : recorders)
        {
            int i = 0;
            for (final String s : r.seen)
            {
                assertEquals("{\"n\":" + i++ + "}", s, "per-guild order, each event once");
            }
            assertEquals(n, i);
        }
        assertEquals(0, bystander.seen.size(), "node 0's frames name only its interested shard");
        // one message per (event, node): node 0 and node 2 each got n frames, though node 2 has two shards
        assertEquals(2L * n, owner.link.counter("sent"));
    }

    @Test
    void backPressureIsHeldAndRetriedInOrderAndNothingIsLost() throws Exception
    {
        startNodes(2, 64, 64 * 1024); // a tiny ring on the owner and a 64 KiB term: the stream fills fast
        final Node a = nodes.get(0);
        final Node b = nodes.get(1);
        final long key = keyOwnedBy(a.group, 1);
        b.gate = new CountDownLatch(1);
        final int n = 3000;
        final byte[] pad = new byte[512];
        onShard(a.group, 0, shard ->
        {
            for (int i = 0; i < n; i++)
            {
                shard.send(shard.group().ownerOf(key), shard.commandWriter().begin(ECHO).putInt(shard.address())
                    .putLong(i).putBytes(pad));
            }
        });
        final CountDownLatch gate = b.gate;
        try
        {
            await(() -> b.link.counter("receiver_ring_full") > 0, "the receiver to hold a message for the full ring");
            await(() -> a.link.counter("back_pressured") > 0, "the sender to be pushed back");
        }
        finally
        {
            b.gate = null;
            gate.countDown();
        }
        await(() -> a.replies.size() == n, "every command and reply");
        long expect = 0;
        for (final long[] e : b.echoes)
        {
            assertEquals(expect++, e[1], "in order through the back-pressure");
        }
        assertEquals(0, a.link.counter("queue_full"));
        assertTrue(a.link.counter("retried") > 0, "held frames were retried");
        assertTrue(a.failures.isEmpty(), "nothing refused: " + a.failures);
    }

    /**
     * The asking node stalls (its shard held in a reply) while its requests are answered: the answers back up into
     * the owner's queue for it, far past {@code maxPending}, and are all delivered, in order, once it goes on. Before,
     * an answer past the limit was refused like any command: the owner had done the work (journaled a message) and the
     * client waited 30 s for a 504, then retried it.
     */
    @Test
    void answersAreHeldPastTheQueueLimitNotRefused() throws Exception
    {
        startNodes(2, 64, 64 * 1024, new int[] {65_536, 16}); // the owner holds 16 frames per peer at most
        final Node a = nodes.get(0);
        final Node b = nodes.get(1);
        final long key = keyOwnedBy(a.group, 1);
        a.replyGate = new CountDownLatch(1);
        final int n = 3000;
        final byte[] pad = new byte[64];
        final int replyTo = a.group.shard(0).address(); // held in the first reply; shard 1 keeps sending
        onShard(a.group, 1, shard ->
        {
            for (int i = 0; i < n; i++)
            {
                shard.send(shard.group().ownerOf(key), shard.commandWriter().begin(ECHO).putInt(replyTo)
                    .putLong(i).putBytes(pad));
            }
        });
        final CountDownLatch gate = a.replyGate;
        try
        {
            await(() -> b.link.counter("answers_over_limit") + b.link.counter("queue_full") > 0,
                () -> "answers past the limit on the owner (echoes "
                + b.echoes.size() + ", replies " + a.replies.size() + ", owner back-pressured "
                + b.link.counter("back_pressured") + ", asker's receiver held " + a.link.counter("receiver_ring_full")
                + ")");
        }
        finally
        {
            a.replyGate = null;
            gate.countDown();
        }
        await(() -> a.replies.size() + b.failures.size() == n, "every reply or its refusal");
        assertEquals(0, b.link.counter("queue_full"), "no answer refused");
        assertTrue(b.failures.isEmpty(), "nothing refused on the owner: " + b.failures.size());
        assertEquals(n, a.replies.size(), "every reply");
        long expect = 0;
        for (final long[] r : a.replies)
        {
            assertEquals(expect++, r[1], "in order through the back-pressure");
        }
    }

    /**
     * The start hold: each node of three members, the third never started, answers the others' catch-up requests as
     * the server does (each shard sends {@code FOLLOWING_AGAIN}): node 1's hold ends once node 0's two shards followed
     * it, with node 2 taken as down (not connected after a quarter of the hold).
     */
    @Test
    void theStartHoldEndsWhenEveryLivePeerFollowsAndTakesAnAbsentOneAsDown() throws Exception
    {
        final ClusterMembers members = LoopbackMembers.free(3);
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "pinwheel-link-test-");
        final java.util.concurrent.CompletableFuture<String>[] ended = newFutures(2);
        for (int i = 0; i < 2; i++)
        {
            final int id = i;
            // a hold of 8 s: node 2 is taken as down after 2 s, time enough for node 0 to connect on a loaded box
            nodes.add(new Node(id, members, dir, 1024, 64 * 1024, 65_536, 8_000, (link, group) ->
            {
                // as the server answers (NodeWideCatchUp): each shard, once its stream to the asking node is up
                link.onCatchUpRequest((node, token) -> Thread.ofVirtual().start(() ->
                {
                    final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!link.connected(node) && System.nanoTime() - until < 0)
                    {
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                    for (int k = 0; k < SHARDS; k++)
                    {
                        group.send(k, shard -> link.followingAgain(shard.id(), node, token));
                    }
                }));
                link.onStartHoldEnd(ended[id]::complete);
            }));
        }
        final String why = ended[1].get(30, TimeUnit.SECONDS);
        assertTrue(why.startsWith("every live peer follows this start again (followed: [0], taken as down: [2])"),
            why);
        assertEquals(8_000_000_000L, nodes.get(1).link.startHoldNanos());
        assertTrue(ended[0].get(30, TimeUnit.SECONDS).contains("taken as down: ["), "node 0 ended too");
    }

    /**
     * The link's Aeron client ends under it (Aeron's own timeouts after a stall of more than an hour, or an Aeron
     * error): the node can reach no other, and is told once, so that the server stops it instead of serving on as a
     * zombie; closing the link itself is no loss.
     */
    @Test
    void aLinkWhoseAeronClientEndsUnderItIsReportedLostOnce() throws Exception
    {
        final ClusterMembers members = LoopbackMembers.free(1);
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "pinwheel-link-test-");
        final java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();
        final NodeLink link = new NodeLink(new NodeLinkContext().nodeId(0).members(members)
            .aeronDir(dir.resolve("aeron-0")).onLost(lost::incrementAndGet), SHARDS, null);
        try
        {
            assertEquals(0, lost.get());
            link.aeron().close(); // what the client's conductor does when it times itself out
            assertEquals(1, lost.get(), "the link is reported lost");
        }
        finally
        {
            link.close();
        }
        assertEquals(1, lost.get(), "closing the link is not a loss");

        final NodeLink closed = new NodeLink(new NodeLinkContext().nodeId(0).members(members)
            .aeronDir(dir.resolve("aeron-1")).onLost(lost::incrementAndGet), SHARDS, null);
        closed.close();
        assertEquals(1, lost.get(), "closing a link is not a loss");
    }

    /** A peer connected that never answers: the hold ends at its time, saying so. */
    @Test
    void theStartHoldEndsAtItsTimeWhenAConnectedPeerNeverFollows() throws Exception
    {
        final ClusterMembers members = LoopbackMembers.free(2);
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "pinwheel-link-test-");
        nodes.add(new Node(0, members, dir, 1024, 64 * 1024)); // answers no catch-up request: the default handler
        final java.util.concurrent.CompletableFuture<String> ended = new java.util.concurrent.CompletableFuture<>();
        final long began = System.nanoTime();
        nodes.add(new Node(1, members, dir, 1024, 64 * 1024, 65_536, 1_000,
            (link, group) -> link.onStartHoldEnd(ended::complete)));
        final String why = ended.get(30, TimeUnit.SECONDS);
        assertTrue(why.startsWith("node(s) 0 connected but not following this start again"), why);
        assertTrue(System.nanoTime() - began >= TimeUnit.MILLISECONDS.toNanos(1_000), "not before its time");
    }

    @SuppressWarnings("unchecked")
    private static java.util.concurrent.CompletableFuture<String>[] newFutures(final int n)
    {
        final java.util.concurrent.CompletableFuture<String>[] out = new java.util.concurrent.CompletableFuture[n];
        for (int i = 0; i < n; i++)
        {
            out[i] = new java.util.concurrent.CompletableFuture<>();
        }
        return out;
    }

    @Test
    void aCommandForADeadNodeIsRefusedAtOnce() throws Exception
    {
        startNodes(3, 1024, 1 << 20);
        final Node a = nodes.get(0);
        final long key = keyOwnedBy(a.group, 2);
        nodes.remove(2).close();
        // within the peer timeout the stream to node 2 is no longer connected
        await(() -> !a.link.connected(2), "node 2 seen as down");
        onShard(a.group, 0, shard -> shard.send(shard.group().ownerOf(key),
            shard.commandWriter().begin(ECHO).putInt(shard.address()).putLong(7)));
        await(() -> !a.failures.isEmpty(), "the refusal");
        final NodeUnavailableException ex = assertInstanceOf(NodeUnavailableException.class, a.failures.peek());
        assertEquals(2, ex.node());
        assertTrue(a.link.counter("node_down") > 0);
    }
}
