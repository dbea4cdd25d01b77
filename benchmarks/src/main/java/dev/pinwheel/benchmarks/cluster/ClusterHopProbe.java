package dev.pinwheel.benchmarks.cluster;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.fanout.NullShardStore;
import dev.pinwheel.cluster.ClusterMembers;
import dev.pinwheel.cluster.NodeLink;
import dev.pinwheel.cluster.NodeLinkContext;
import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * The cost of the hop between nodes, as a shard sees it: a typed command from shard 0 of node 0 to a shard and back
 * (ping-pong, one in flight), once to shard 1 of the same node (the floor: two ring hand-offs) and once to shard 0 of
 * node 1 over the Aeron link (UDP on 127.0.0.1, two media drivers). Round trips in microseconds, p50/p99/p99.9/max.
 * <pre>
 *   benchmarks/run.sh cluster-hop-probe [--count N] [--max-park-us P]
 * </pre>
 * {@code --max-park-us} is the longest the media drivers and the link receivers park when idle (the nodes' default is
 * 1000: a 2-core CI box; 20 is the tuned backoff STACK.md measured).
 */
public final class ClusterHopProbe
{
    private static final int PING = 200;
    private static final int PONG = 201;

    private ClusterHopProbe()
    {
    }

    /** Answers PING with PONG to the origin; counts PONGs down. */
    private static final class Echo implements CommandHandler
    {
        volatile CountDownLatch pongs;
        volatile long sentAt;
        final Histogram rtt = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        volatile int target;

        @Override
        public void onCommand(final Shard shard, final CommandReader command)
        {
            if (command.type() == PING)
            {
                shard.send(command.getInt(), shard.commandWriter().begin(PONG));
            }
            else if (command.type() == PONG)
            {
                rtt.recordValue(Math.min(System.nanoTime() - sentAt, TimeUnit.SECONDS.toNanos(1)));
                pongs.countDown();
                if (pongs.getCount() > 0)
                {
                    ping(shard);
                }
            }
        }

        void ping(final Shard shard)
        {
            sentAt = System.nanoTime();
            shard.send(target, shard.commandWriter().begin(PING).putInt(shard.address()));
        }

        @Override
        public void failed(final Shard shard, final CommandReader command, final Throwable cause)
        {
            System.err.println("failed: " + cause);
        }
    }

    public static void main(final String[] args) throws Exception
    {
        int count = 20_000;
        int maxParkMicros = 1000;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--max-park-us" -> maxParkMicros = Integer.parseInt(args[++i]);
                default ->
                {
                    System.err.println("usage: cluster-hop-probe [--count N] [--max-park-us P]");
                    System.exit(2);
                }
            }
        }
        System.setProperty("pinwheel.cluster.idleMaxParkMicros", Integer.toString(maxParkMicros));
        final StringBuilder spec = new StringBuilder();
        for (int i = 0; i < 2; i++)
        {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                spec.append(i == 0 ? "" : ",").append("127.0.0.1:").append(s.getLocalPort());
            }
        }
        final ClusterMembers members = ClusterMembers.parse(spec.toString());
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "pinwheel-hop-probe-");
        final Echo echo = new Echo();
        final ShardGroup[] groups = new ShardGroup[2];
        final NodeLink[] links = new NodeLink[2];
        try
        {
            for (int node = 0; node < 2; node++)
            {
                final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 2, 2, 64), (v, p, o) -> { });
                groups[node] = new ShardGroup(node, 2, 4096, routing, shard -> new NullShardStore(),
                    (shard, thread) -> IoDriver.parking(), ThreadPlacement.unpinned(), null);
                links[node] = new NodeLink(new NodeLinkContext().nodeId(node).members(members)
                    .aeronDir(dir.resolve("aeron-" + node)), 2, null);
                groups[node].clusterLink(links[node]);
                groups[node].shard(0).commandHandler(echo);
                groups[node].shard(1).commandHandler(echo);
                groups[node].start(30, TimeUnit.SECONDS);
                links[node].start(groups[node], null);
            }
            for (final NodeLink l : links)
            {
                if (!l.awaitPeers(20_000))
                {
                    throw new IllegalStateException("nodes did not connect");
                }
            }
            final double[] local = run(groups[0], echo, 1, count);
            final double[] remote = run(groups[0], echo, ShardRoute.of(1, 0), count);
            System.out.printf("round trip shard→shard→back, %d pings each, max park %d µs, load %s%n", count,
                maxParkMicros, Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.printf("  same node (ring hand-offs): p50 %.1f µs  p99 %.1f µs  p99.9 %.1f µs  max %.1f µs%n",
                local[0], local[1], local[2], local[3]);
            System.out.printf("  other node (Aeron UDP):     p50 %.1f µs  p99 %.1f µs  p99.9 %.1f µs  max %.1f µs%n",
                remote[0], remote[1], remote[2], remote[3]);
            System.out.printf("  added by the hop at p50: %.1f µs%n", remote[0] - local[0]);
        }
        finally
        {
            for (int node = 0; node < 2; node++)
            {
                if (groups[node] != null)
                {
                    groups[node].close();
                }
                if (links[node] != null)
                {
                    links[node].close();
                }
            }
            org.agrona.IoUtil.delete(dir.toFile(), true);
        }
    }

    private static double[] run(final ShardGroup from, final Echo echo, final int target, final int count)
        throws InterruptedException
    {
        for (int round = 0; round < 2; round++) // the first round warms up
        {
            echo.rtt.reset();
            echo.target = target;
            final CountDownLatch done = new CountDownLatch(count);
            echo.pongs = done;
            from.send(0, shard -> echo.ping(shard));
            if (!done.await(120, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("pings did not finish: " + done.getCount() + " left");
            }
        }
        final Histogram h = echo.rtt;
        return new double[] {h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
            h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3};
    }
}
