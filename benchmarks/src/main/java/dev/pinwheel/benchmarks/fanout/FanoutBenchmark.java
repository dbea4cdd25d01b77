package dev.pinwheel.benchmarks.fanout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionIndex;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.session.GatewaySession;

/**
 * The per-shard delivery path of one guild event to 30,000 sessions, on one thread, with the socket replaced
 * by a sink: the sessions are split over two {@link SessionIndex}es (two shards' worth, 15,000 each) and
 * each index gets the one shared {@link Dispatch} followed by its end-of-cycle flush, exactly what a shard
 * does for a FANOUT entry of its inbox.
 * <pre>
 *   gatewaySession:    the gateway's own GatewaySession: deliver(dispatch) ─▶ the guild's DispatchLog once, per
 *                      session: seq++, its run of the log extended (no slot written), marked; the guild queued once
 *                      ─▶ flushDirty() ─▶ per marked session: its corked events framed straight from the log's slots,
 *                      then as splice (gatewaySessionWritev: with the writev)
 *   splice:            (a model of the gateway before its guild logs)
 *                      deliver(dispatch) ─▶ per session: seq++, resume slot (corked) ─▶ flushDirty() ─▶ per
 *                      session: its frame head (0x81 LEN {"t":T,"s":N) written, an iovec list of [head, the
 *                      shard's one copy of ,"op":0,"d":D}] built (the gateway then calls writev once per socket)
 *   spliceCopy:        the gateway before the gather (issue 14): the same, but each session's frames copied whole
 *                      (prefix+seq+d) into the shard's scratch buffer (the gateway then called write(2))
 *   splicePooled:      the gateway before corking: per session a pooled buffer per frame, held until the flush
 *   spliceWriteThrough: same, each frame released as soon as it is built (no frames held until the flush)
 *   jsonPerRecipient:  same walk, but Jackson serializes {"t","s","op","d"} per session (a naive server)
 *   spliceWithAudience: splice for a channel with overwrites: each session checked against the event's viewers
 *   spliceWritev:      splice, and each session's iovec list written with a real writev(2) to /dev/null (the system
 *                      call per socket, without TCP); spliceCopyWrite: spliceCopy with its write(2) to /dev/null
 *   floorLine:         the memory floor: one read-modify-write of one cache line per recipient, 30,000 lines in
 *                      random order (64 B apart: 1.9 MB; {@code floorLineSpread}: 4 KiB apart, as sessions are)
 * </pre>
 * {@code -p events=K}: K distinct events per cycle before each flush (a cycle that took K posts), so each session
 * writes K frames at once. Scores are per recipient per cycle ({@code @OperationsPerInvocation}); run with {@code -prof
 * gc} for B/op, which
 * should be 0 for {@code splice}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class FanoutBenchmark
{
    /** Recipients of one event: two shards of 15,000. */
    public static final int RECIPIENTS = 30_000;
    private static final int SHARDS = 2;
    private static final long GUILD_ID = 81_384_788_765_712_384L;

    /** Resume ring per session; the gateway's default is 2048. */
    @Param({"2048"})
    public int resumeCapacity;

    /**
     * Distinct events delivered before each flush (a duty cycle that took several posts or FANOUT entries): the score
     * stays per recipient per cycle, so divide it by this for the cost per delivery.
     */
    @Param({"1"})
    public int events;

    /** {@code pooled}: PooledByteBufAllocator; {@code adaptive}: Netty 4.2's AdaptiveByteBufAllocator. */
    @Param({"pooled"})
    public String allocator;

    private final SessionIndex[] splice = new SessionIndex[SHARDS];
    private final SessionIndex[] gateway = new SessionIndex[SHARDS];
    private final SessionIndex[] gatewayWritev = new SessionIndex[SHARDS];
    /**
     * Allocated beside each {@link #gateway} session, as large as {@code splice}'s resume ring, so that the sessions lie
     * as far apart as {@code splice}'s (a real session has its connection and channel around it).
     */
    private final java.util.ArrayList<Object> gatewaySpacers = new java.util.ArrayList<>();
    private final SessionIndex[] spliceCopy = new SessionIndex[SHARDS];
    private final SessionIndex[] spliceWritev = new SessionIndex[SHARDS];
    private final SessionIndex[] spliceCopyWrite = new SessionIndex[SHARDS];
    /** {@code /dev/null}, written by the system-call variants. */
    private FileDescriptor devNull;
    /** Lines of the floor benchmarks (one long per 64 B, or per 4 KiB) and the random order they are walked in. */
    private long[] lines;
    private long[] spreadLines;
    private int[] order;
    /** {@link #spliceDeferred}: per shard, the sessions by dense slot and the guild's members as slots. */
    private final DeferredShard[] deferred = new DeferredShard[SHARDS];
    private final SessionIndex[] splicePooled = new SessionIndex[SHARDS];
    private final SessionIndex[] spliceWriteThrough = new SessionIndex[SHARDS];
    private final SessionIndex[] jsonPerRecipient = new SessionIndex[SHARDS];
    private Dispatch dispatch;
    /** The events of one cycle ({@link #events} of them, each with its own encoded bytes). */
    private Dispatch[] cycle;
    /** The same event for a channel with permission overwrites: its viewers (here every recipient) ride along. */
    private Dispatch restricted;

    /** Builds both sets of 30,000 sessions. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final ByteBufAllocator alloc = switch (allocator)
        {
            case "pooled" -> PooledByteBufAllocator.DEFAULT;
            case "adaptive" -> new AdaptiveByteBufAllocator();
            default -> throw new IllegalArgumentException("allocator must be pooled or adaptive: " + allocator);
        };
        Epoll.ensureAvailability();
        try
        {
            devNull = FileDescriptor.from("/dev/null");
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final MessageCreateSample sample = MessageCreateSample.of(GUILD_ID, "the quick brown fox jumps over the lazy dog");
        dispatch = sample.dispatch();
        cycle = new Dispatch[events];
        cycle[0] = dispatch;
        for (int k = 1; k < events; k++)
        {
            cycle[k] = MessageCreateSample.of(GUILD_ID, "the quick brown fox jumps over the lazy dog " + k).dispatch();
        }
        final ObjectMapper mapper = Json.MAPPER;
        final org.agrona.collections.LongHashSet viewers = new org.agrona.collections.LongHashSet();
        for (long u = 1_000_001; u <= 1_000_000 + RECIPIENTS; u++)
        {
            viewers.add(u);
        }
        restricted = dispatch.withAudience(viewers);
        lines = new long[RECIPIENTS * 8];
        spreadLines = new long[RECIPIENTS * 512];
        order = new int[RECIPIENTS];
        for (int i = 0; i < RECIPIENTS; i++)
        {
            order[i] = i;
        }
        final java.util.Random random = new java.util.Random(14);
        for (int i = RECIPIENTS - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        long userId = 1_000_000;
        for (int s = 0; s < SHARDS; s++)
        {
            splice[s] = new SessionIndex();
            gateway[s] = new SessionIndex();
            gatewayWritev[s] = new SessionIndex();
            final GatheringWire.Shard wires = new GatheringWire.Shard(null);
            final GatheringWire.Shard writevWires = new GatheringWire.Shard(devNull);
            spliceCopy[s] = new SessionIndex();
            splicePooled[s] = new SessionIndex();
            final SinkSession.Scratch scratch = new SinkSession.Scratch();
            final SinkSession.Scratch copyScratch = new SinkSession.Scratch();
            spliceWritev[s] = new SessionIndex();
            spliceCopyWrite[s] = new SessionIndex();
            final SinkSession.Scratch writevScratch = new SinkSession.Scratch(devNull);
            final SinkSession.Scratch writeScratch = new SinkSession.Scratch(devNull);
            spliceWriteThrough[s] = new SessionIndex();
            jsonPerRecipient[s] = new SessionIndex();
            deferred[s] = new DeferredShard(RECIPIENTS / SHARDS);
            final SinkSession.Scratch deferredScratch = new SinkSession.Scratch();
            for (int i = 0; i < RECIPIENTS / SHARDS; i++)
            {
                userId++;
                deferred[s].add(new SinkSession(userId, MessageCreateSample.READER_INTENTS, true, alloc,
                    resumeCapacity, null, SinkSession.Mode.GATHERED, deferredScratch));
                splice[s].subscribe(GUILD_ID, new SinkSession(userId, MessageCreateSample.READER_INTENTS, true, alloc,
                    resumeCapacity, null, SinkSession.Mode.GATHERED, scratch));
                gateway[s].subscribe(GUILD_ID, gatewaySession(userId, new GatheringWire(wires, userId)));
                gatewaySpacers.add(new Dispatch[resumeCapacity]); // as much memory beside it as splice's ring
                gatewayWritev[s].subscribe(GUILD_ID, gatewaySession(userId, new GatheringWire(writevWires, userId)));
                gatewaySpacers.add(new Dispatch[resumeCapacity]);
                spliceCopy[s].subscribe(GUILD_ID, new SinkSession(userId, MessageCreateSample.READER_INTENTS, true,
                    alloc, resumeCapacity, null, SinkSession.Mode.CORKED, copyScratch));
                spliceWritev[s].subscribe(GUILD_ID, new SinkSession(userId, MessageCreateSample.READER_INTENTS, true,
                    alloc, resumeCapacity, null, SinkSession.Mode.GATHERED, writevScratch));
                spliceCopyWrite[s].subscribe(GUILD_ID, new SinkSession(userId, MessageCreateSample.READER_INTENTS,
                    true, alloc, resumeCapacity, null, SinkSession.Mode.CORKED, writeScratch));
                splicePooled[s].subscribe(GUILD_ID, new SinkSession(userId, MessageCreateSample.READER_INTENTS, true,
                    alloc, resumeCapacity, null, SinkSession.Mode.POOLED, null));
                spliceWriteThrough[s].subscribe(GUILD_ID, new SinkSession(userId, MessageCreateSample.READER_INTENTS,
                    true, alloc, resumeCapacity, null, SinkSession.Mode.WRITE_THROUGH, null));
                jsonPerRecipient[s].subscribe(GUILD_ID, new JsonPerRecipientSession(userId, mapper, sample.body(),
                    alloc, resumeCapacity));
            }
        }
    }

    /**
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int splice()
    {
        return deliver(splice);
    }

    /**
     * The gateway's own {@link GatewaySession} (not a model of it) on the same path as {@link #splice}: the event goes
     * into the guild's {@link dev.pinwheel.core.fanout.DispatchLog} once and each session extends its run of it (no
     * resume slot written), then at the flush frames its corked events from the log's slots into its iovec list. Beside
     * each session lies as much memory as {@code splice}'s resume ring ({@link #resumeCapacity} slots), so the
     * sessions are as far apart as there; the difference is what a delivery touches.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int gatewaySession()
    {
        return deliver(gateway);
    }

    /**
     * {@link #gatewaySession} with each session's write made: one writev(2) of its iovec list to {@code /dev/null}.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int gatewaySessionWritev()
    {
        return deliver(gatewayWritev);
    }

    private static GatewaySession gatewaySession(final long userId, final GatheringWire wire)
    {
        final GatewaySession session = GatewaySession.unattached(userId, userId,
            MessageCreateSample.READER_INTENTS, 2048);
        session.attachWire(wire);
        return session;
    }

    /**
     * A sketch of delivery with dense hot state (issue 14's direction, not the gateway's code): the guild's members are
     * dense session slots, and delivering an event only ORs the event's bit (its index in the duty cycle) into a
     * {@code long} per slot and notes the slot once; the flush then hands each noted session its cycle's events in
     * order and flushes it, so a session's own memory is touched once per cycle instead of at every delivery and again
     * at the flush. Same sessions and framing as {@link #splice}.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int spliceDeferred()
    {
        int flushed = 0;
        for (final DeferredShard shard : deferred)
        {
            for (int e = 0; e < cycle.length; e++)
            {
                shard.deliver(e);
            }
            flushed += shard.flush(cycle);
        }
        return flushed;
    }

    /** {@link #spliceDeferred}'s shard: sessions by slot, the guild's slots, a pending event mask per slot. */
    private static final class DeferredShard
    {
        final SinkSession[] bySlot;
        final int[] members;
        final long[] pending;
        final int[] dirty;
        int size;
        int dirtyCount;

        DeferredShard(final int capacity)
        {
            bySlot = new SinkSession[capacity];
            members = new int[capacity];
            pending = new long[capacity];
            dirty = new int[capacity];
        }

        void add(final SinkSession session)
        {
            bySlot[size] = session;
            members[size] = size;
            size++;
        }

        void deliver(final int event)
        {
            final long bit = 1L << event;
            final long[] p = pending;
            final int[] m = members;
            for (int i = 0; i < size; i++)
            {
                final int slot = m[i];
                final long was = p[slot];
                if (was == 0)
                {
                    dirty[dirtyCount++] = slot;
                }
                p[slot] = was | bit;
            }
        }

        int flush(final Dispatch[] events)
        {
            final int n = dirtyCount;
            for (int i = 0; i < n; i++)
            {
                final int slot = dirty[i];
                final SinkSession s = bySlot[slot];
                long bits = pending[slot];
                pending[slot] = 0;
                while (bits != 0)
                {
                    s.dispatch(events[Long.numberOfTrailingZeros(bits)]);
                    bits &= bits - 1;
                }
                s.flush();
            }
            dirtyCount = 0;
            return n;
        }
    }

    /**
     * The corked path before the gather (issue 14): every session's frames copied whole into the shard's scratch
     * buffer; the baseline {@link #splice} is measured against in the same run.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int spliceCopy()
    {
        return deliver(spliceCopy);
    }

    /**
     * {@link #splice} with each session's write made: one writev(2) of its iovec list to {@code /dev/null} (the system
     * call's entry and iovec import, without TCP's copy and send).
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int spliceWritev()
    {
        return deliver(spliceWritev);
    }

    /**
     * {@link #spliceCopy} with each session's write made: one write(2) of its copied frames to {@code /dev/null}.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int spliceCopyWrite()
    {
        return deliver(spliceCopyWrite);
    }

    /** Closes {@code /dev/null}. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        devNull.close();
    }

    /**
     * The memory floor of a delivery: one cache line read and written per recipient (a session's sequence), 30,000
     * lines 64 bytes apart walked in random order — the least any per-session state costs once it is out of cache.
     *
     * @return a sum (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public long floorLine()
    {
        return touch(lines, 8);
    }

    /**
     * {@link #floorLine} with the lines 4 KiB apart (123 MB, a page each): sessions with their resume rings are
     * spread like this, so each costs a TLB miss as well.
     *
     * @return a sum (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public long floorLineSpread()
    {
        return touch(spreadLines, 512);
    }

    private long touch(final long[] memory, final int stride)
    {
        final int[] walk = order;
        long sum = 0;
        for (int i = 0; i < walk.length; i++)
        {
            final int at = walk[i] * stride;
            sum += ++memory[at];
        }
        return sum;
    }

    /**
     * The gateway's path before corking (a pooled buffer per frame per session, held until the flush): the baseline
     * {@link #splice} is measured against in the same run.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int splicePooled()
    {
        return deliver(splicePooled);
    }

    /**
     * {@link #splice} for a channel with overwrites: the same 30,000 deliveries, each session first looked up in the
     * channel's viewers that the event carries (issue 15: within 1.1x of {@code splice}).
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int spliceWithAudience()
    {
        int flushed = 0;
        for (final SessionIndex shard : splice)
        {
            shard.deliver(restricted);
            flushed += shard.flushDirty();
        }
        return flushed;
    }

    /**
     * {@link #gatewaySession} for a channel with overwrites (every session a viewer): the event goes into the guild's
     * log too, and the sessions' runs go on over it.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int gatewaySessionWithAudience()
    {
        int flushed = 0;
        for (final SessionIndex shard : gateway)
        {
            shard.deliver(restricted);
            flushed += shard.flushDirty();
        }
        return flushed;
    }

    /**
     * The same framing, but each frame is released as soon as it is built, as if the session wrote and
     * flushed per event: shows what holding a whole shard's frames until the end-of-cycle flush costs.
     *
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int spliceWriteThrough()
    {
        return deliver(spliceWriteThrough);
    }

    /**
     * @return sessions flushed (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int jsonPerRecipient()
    {
        return deliver(jsonPerRecipient);
    }

    private int deliver(final SessionIndex[] shards)
    {
        int flushed = 0;
        for (final SessionIndex shard : shards)
        {
            for (final Dispatch d : cycle)
            {
                shard.deliver(d);
            }
            flushed += shard.flushDirty();
        }
        return flushed;
    }
}
