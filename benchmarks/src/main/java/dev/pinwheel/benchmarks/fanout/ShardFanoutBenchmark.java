package dev.pinwheel.benchmarks.fanout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.netty.buffer.PooledByteBufAllocator;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * One {@code Shard.publish} across real shard threads: a {@link ShardGroup} of two shards (parking I/O
 * driver, blocking idle, unpinned), one guild with interest on both, 15,000 {@link SinkSession}s subscribed
 * on each shard. An operation is the time from handing the publish to the owner's inbox until the last of
 * the 30,000 sinks has been flushed:
 * <pre>
 *   bench thread ──send(owner, publish)──▶ owner shard: local deliver 15,000 ─▶ flush ─┐
 *                                              └── one ring hand-off ──▶ other shard: deliver 15,000 ─▶ flush ─┤
 *   bench thread ◀──────────── unpark when both shards counted 15,000 flushes ◀────────────────────────────┘
 * </pre>
 * It includes both wake-ups of parked threads (the shards idle by blocking, as in dev/CI). The waiting
 * thread parks; nothing spins.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ShardFanoutBenchmark
{
    private static final int SHARDS = 2;
    private static final int PER_SHARD = FanoutBenchmark.RECIPIENTS / SHARDS;
    private static final long GUILD_ID = 81_384_788_765_712_384L;
    private static final long WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AtomicInteger shardsPending = new AtomicInteger();
    private volatile Thread waiter;
    private ShardGroup group;
    private int owner;
    private ShardTask publish;

    /** Counts one shard's flushes (shard-confined) and reports the shard done after each full round. */
    private final class ShardRound implements SinkSession.FlushListener
    {
        private int flushed;

        @Override
        public void onFlush(final SinkSession session)
        {
            if (++flushed == PER_SHARD)
            {
                flushed = 0;
                if (shardsPending.decrementAndGet() == 0)
                {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    /**
     * Starts the shards and subscribes the sessions on their own threads.
     *
     * @throws InterruptedException if interrupted.
     */
    @Setup(Level.Trial)
    public void setUp() throws InterruptedException
    {
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, SHARDS, 64), (v, p, o) -> { });
        group = new ShardGroup(0, SHARDS, 1024, routing, id -> new NullShardStore(),
            (shard, thread) -> IoDriver.parking(), ThreadPlacement.unpinned(), null);
        group.start(30, TimeUnit.SECONDS);
        owner = group.ownerOf(GUILD_ID);
        final Guild guild = new Guild(GUILD_ID, "fanout-bench", 1);
        final Dispatch dispatch = MessageCreateSample.of(GUILD_ID, "the quick brown fox jumps over the lazy dog")
            .dispatch();
        final CountDownLatch ready = new CountDownLatch(SHARDS + 1);
        for (int s = 0; s < SHARDS; s++)
        {
            final long firstUser = 1_000_000L + (long)s * PER_SHARD;
            require(group.send(s, shard ->
            {
                final ShardRound round = new ShardRound();
                final SinkSession.Scratch scratch = new SinkSession.Scratch();
                for (int i = 0; i < PER_SHARD; i++)
                {
                    shard.sessions().subscribe(GUILD_ID, new SinkSession(firstUser + i,
                        MessageCreateSample.READER_INTENTS, true, PooledByteBufAllocator.DEFAULT, 2048, round,
                        SinkSession.Mode.CORKED, scratch));
                }
                ready.countDown();
            }));
        }
        require(group.send(owner, shard ->
        {
            for (int s = 0; s < SHARDS; s++)
            {
                guild.addInterest(s);
            }
            shard.guilds().put(guild);
            ready.countDown();
        }));
        if (!ready.await(60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("shards did not subscribe the sessions within 60 s");
        }
        publish = shard -> shard.publish(guild, dispatch);
    }

    /** Stops the shard threads. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (group != null)
        {
            group.close();
        }
    }

    /**
     * @return shards still pending (0; consumed by JMH).
     */
    @Benchmark
    public int publishToAllShards()
    {
        waiter = Thread.currentThread();
        shardsPending.set(SHARDS);
        require(group.send(owner, publish));
        final long deadline = System.nanoTime() + WAIT_LIMIT_NANOS;
        int pending;
        while ((pending = shardsPending.get()) > 0)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                throw new IllegalStateException("fanout did not reach every sink within 10 s; shards pending: "
                    + pending);
            }
            LockSupport.parkNanos(this, left);
        }
        return pending;
    }

    private static void require(final boolean sent)
    {
        if (!sent)
        {
            throw new IllegalStateException("shard inbox full");
        }
    }
}
