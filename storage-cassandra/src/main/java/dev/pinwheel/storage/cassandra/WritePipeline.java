package dev.pinwheel.storage.cassandra;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's writes to Cassandra, in flight and acknowledged by a <em>durable watermark</em>:
 * <pre>
 *   owner thread                           driver I/O threads
 *   submit(stmt) → seq n, QUEUED            │
 *   send ≤ maxInFlight, in seq order ──────▶ executeAsync ──▶ Cassandra
 *                                           │ whenComplete: (OK|FAIL, n) into an Agrona MPSC ring, wake the owner
 *   poll(): OK → DONE, FAIL → FAILED ◀──────┘
 *           durable = highest n with every write ≤ n DONE
 *           FAILED writes re-sent (same statement, same write timestamp: idempotent) after a back-off
 * </pre>
 * The driver's threads only record the outcome and wake the owner; everything else runs on the owner thread. The
 * slots form a ring of {@code backlog} writes between the watermark and the newest: {@link #hasRoom} says whether more
 * may be issued (else the store refuses the write: back-pressure, never an unbounded pile of futures). A write is
 * never given up: it is re-sent until Cassandra takes it (the client whose acknowledgement timed out heard 503, which
 * does not promise the write did not happen — Cassandra's own timeout semantics).
 * <p>
 * <b>Not thread-safe</b> except {@link #hasCompletions()}, {@link #unavailable()} and the completion callbacks.
 */
final class WritePipeline
{
    private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);
    private static final byte FREE = 0;
    private static final byte QUEUED = 1;
    private static final byte IN_FLIGHT = 2;
    private static final byte FAILED = 3;
    private static final byte DONE = 4;
    /** Never to be sent: issued before this node was last declared lost ({@code WriteFence}); counts as done. */
    private static final byte ABANDONED = 5;
    private static final int MSG_OK = 1;
    private static final int MSG_FAILED = 2;
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CqlSession session;
    private final int shard;
    private final Statement<?>[] statements;
    private final byte[] states;
    private final int mask;
    private final int maxInFlight;
    private final ManyToOneRingBuffer completions;
    private final MessageHandler onCompletion = this::onCompletion;
    private volatile Runnable wakeup = () -> { };
    private volatile boolean unavailable;
    private volatile Throwable lastError;
    private long issued;
    private long durable;
    private long nextToSend = 1;
    private int inFlight;
    private int failed;
    private long backoffNanos = MIN_BACKOFF_NANOS;
    private long retryAtNanos;
    private long retries;
    private final dev.pinwheel.core.store.WriteFence fence;
    /** Per slot: the fence's term when the write was issued. */
    private final long[] terms;
    /** The fence's term the last poll saw. */
    private long term;
    /**
     * Per slot: {@code seq} if the write of that number was abandoned before it went out, {@code -seq} if it was
     * abandoned after going out once (failed or timed out unanswered: the database may have applied it); any other
     * value: not abandoned. Kept past the watermark (until the slot's number comes round again) for the acknowledgements
     * that ask about it. Before, one range per term change: a second change while a write of the first was in flight
     * overwrote the range, and the acknowledgements of the first change's abandoned writes then ran as successes.
     */
    private final long[] abandonedMarks;
    private long abandonedTotal;

    WritePipeline(final CqlSession session, final int shard, final int backlog, final int maxInFlight)
    {
        this(session, shard, backlog, maxInFlight, dev.pinwheel.core.store.WriteFence.NONE);
    }

    WritePipeline(final CqlSession session, final int shard, final int backlog, final int maxInFlight,
        final dev.pinwheel.core.store.WriteFence fence)
    {
        this.session = session;
        this.shard = shard;
        this.fence = fence;
        this.term = fence.term();
        this.terms = new long[backlog];
        this.abandonedMarks = new long[backlog];
        this.statements = new Statement<?>[backlog];
        this.states = new byte[backlog];
        this.mask = backlog - 1;
        this.maxInFlight = maxInFlight;
        // every write in flight reports once: room for all of them (and more) means an offer never fails
        final int capacity = Integer.highestOneBit(Math.max(1024, maxInFlight * 4) * 32) * 2;
        this.completions = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    void wakeup(final Runnable value)
    {
        wakeup = value;
    }

    /**
     * @param writes writes about to be submitted together.
     * @return whether the backlog has room for them.
     */
    boolean hasRoom(final int writes)
    {
        return issued + writes - durable <= statements.length;
    }

    /**
     * Issues a write (sent now if fewer than maxInFlight are in flight, else as soon as one completes).
     *
     * @param statement an idempotent statement with its write timestamp set.
     * @return its sequence number.
     */
    long submit(final Statement<?> statement)
    {
        final long seq = ++issued;
        final int slot = (int)(seq & mask);
        statements[slot] = statement;
        states[slot] = QUEUED;
        terms[slot] = fence.term();
        if (fence.mayWrite())
        {
            sendQueued();
        }
        return seq;
    }

    long issued()
    {
        return issued;
    }

    long durable()
    {
        return durable;
    }

    int inFlight()
    {
        return inFlight;
    }

    long retries()
    {
        return retries;
    }

    /**
     * @return true while writes failed and wait to be re-sent: Cassandra is unreachable or slow (any thread).
     */
    boolean unavailable()
    {
        return unavailable;
    }

    Throwable lastError()
    {
        return lastError;
    }

    boolean hasCompletions()
    {
        return completions.producerPosition() > completions.consumerPosition();
    }

    /**
     * Handles completions, advances the watermark, re-sends failed writes when due, sends queued ones.
     *
     * @return completions handled.
     */
    int poll()
    {
        final long now = fence.term();
        final boolean fenced = now != term;
        if (fenced)
        {
            term = now; // the writes of older terms that wait to go out (again) never will
            abandonStale();
        }
        final int n = completions.read(onCompletion);
        if (n > 0 || fenced)
        {
            while (durable < issued && states[(int)((durable + 1) & mask)] >= DONE)
            {
                final int slot = (int)(++durable & mask);
                states[slot] = FREE;
                statements[slot] = null;
            }
        }
        if (!fence.mayWrite())
        {
            return n; // held: its lease lapsed (a stall, cut off), or it does not yet route by the newest epoch
        }
        if (failed > 0 && System.nanoTime() - retryAtNanos >= 0)
        {
            resendFailed();
        }
        if (nextToSend <= issued)
        {
            sendQueued();
        }
        return n;
    }

    /**
     * This node was declared lost since these writes were issued: its keys went to others, who read the store without
     * them. The ones not sent yet (queued, or failed and waiting to be sent again) are never sent; one in flight is
     * abandoned if it fails ({@link #onCompletion}).
     */
    private void abandonStale()
    {
        int sent = 0;
        final long before = abandonedTotal;
        for (long seq = durable + 1; seq <= issued; seq++)
        {
            final int slot = (int)(seq & mask);
            if (terms[slot] != term && (states[slot] == QUEUED || states[slot] == FAILED))
            {
                final boolean wentOut = states[slot] == FAILED;
                if (wentOut)
                {
                    failed--;
                    sent++;
                }
                abandon(seq, slot, wentOut); // sent once, unanswered: it may have been applied
            }
        }
        if (abandonedTotal > before)
        {
            LOG.warn("shard {}: {} write(s) to Cassandra issued before this node was declared lost are abandoned ({} of "
                + "them sent once and unanswered: the database may have applied those), not sent again: others own "
                + "what they changed now", shard, abandonedTotal - before, sent);
        }
        if (failed == 0 && unavailable)
        {
            unavailable = false;
            backoffNanos = MIN_BACKOFF_NANOS;
        }
    }

    private void abandon(final long seq, final int slot, final boolean wentOut)
    {
        states[slot] = ABANDONED;
        abandonedMarks[slot] = wentOut ? -seq : seq;
        abandonedTotal++;
    }

    /**
     * @param from the first issued sequence number asked about.
     * @param to   the last (inclusive); at most the durable watermark plus the backlog's length back are remembered.
     * @return whether a write numbered from {@code from} to {@code to} was abandoned ({@link #abandonStale}).
     */
    boolean abandoned(final long from, final long to)
    {
        return abandonedIn(from, to) != 0;
    }

    /**
     * @param from the first issued sequence number asked about.
     * @param to   the last (inclusive).
     * @return whether one of them was abandoned after it had gone out once unanswered (the acknowledgement covering
     *         it is told the outcome is unknown).
     */
    boolean abandonedAfterSending(final long from, final long to)
    {
        return abandonedIn(from, to) < 0;
    }

    /** 0: none abandoned; 1: some, none of them sent; -1: one sent before it was abandoned. */
    private int abandonedIn(final long from, final long to)
    {
        if (abandonedTotal == 0)
        {
            return 0;
        }
        int found = 0;
        for (long seq = Math.max(Math.max(1, from), to - abandonedMarks.length + 1); seq <= to; seq++)
        {
            final long mark = abandonedMarks[(int)(seq & mask)];
            if (mark == -seq)
            {
                return -1;
            }
            if (mark == seq)
            {
                found = 1;
            }
        }
        return found;
    }

    /**
     * @return writes abandoned so far.
     */
    long abandonedTotal()
    {
        return abandonedTotal;
    }

    private void onCompletion(final int type, final org.agrona.MutableDirectBuffer buffer, final int index,
        final int length)
    {
        final long seq = buffer.getLong(index);
        final int slot = (int)(seq & mask);
        inFlight--;
        if (type == MSG_OK)
        {
            states[slot] = DONE;
            if (failed == 0 && unavailable)
            {
                unavailable = false;
                backoffNanos = MIN_BACKOFF_NANOS;
                LOG.info("shard {}: Cassandra acknowledges writes again", shard);
            }
        }
        else if (terms[slot] != fence.term())
        {
            // sent before this node was declared lost, and failed: never sent again (a failure is no proof it was not
            // applied)
            abandon(seq, slot, true);
        }
        else
        {
            states[slot] = FAILED;
            failed++;
            if (!unavailable)
            {
                unavailable = true;
                final Throwable e = lastError;
                LOG.warn("shard {}: a write to Cassandra failed ({}); writes are refused until it is re-sent and taken",
                    shard, e == null ? "?" : e.toString());
            }
            retryAtNanos = System.nanoTime() + backoffNanos;
        }
    }

    private void resendFailed()
    {
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        retryAtNanos = System.nanoTime() + backoffNanos;
        for (long seq = durable + 1; seq < nextToSend && inFlight < maxInFlight; seq++)
        {
            final int slot = (int)(seq & mask);
            if (states[slot] == FAILED)
            {
                failed--;
                retries++;
                send(seq, slot);
            }
        }
    }

    private void sendQueued()
    {
        while (inFlight < maxInFlight && nextToSend <= issued)
        {
            final long seq = nextToSend++;
            if (states[(int)(seq & mask)] == QUEUED)
            {
                send(seq, (int)(seq & mask));
            }
        }
    }

    /** Test only ({@link #delayInDriver}): how long a write waits, once handed over, before it goes out. */
    private static volatile long driverDelayNanos;

    /**
     * <b>Test only</b> (fault injection): from now on every write handed to the driver goes out {@code millis} later,
     * whatever happens to this node meanwhile — as a write in the driver's buffer does when its process is stopped (it
     * goes out on resuming, before any code of this node runs); negative: held until 0 is set, which ends it and sends
     * what is held.
     *
     * @param millis the delay.
     */
    static void delayInDriver(final long millis)
    {
        driverDelayNanos = millis < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(millis);
        delayNoted.set(false);
        if (millis == 0)
        {
            for (Runnable held = HELD.poll(); held != null; held = HELD.poll())
            {
                held.run(); // they go out now
            }
        }
    }

    /** Test only: the writes held in the driver until {@code delayInDriver(0)} ({@code delayInDriver(-1)}). */
    private static final java.util.concurrent.ConcurrentLinkedQueue<Runnable> HELD =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Whether the first write delayed since {@link #delayInDriver} was logged (what a test waits for). */
    private static final java.util.concurrent.atomic.AtomicBoolean delayNoted =
        new java.util.concurrent.atomic.AtomicBoolean();

    private void send(final long seq, final int slot)
    {
        states[slot] = IN_FLIGHT;
        inFlight++;
        final long delay = driverDelayNanos;
        if (delay != 0)
        {
            final Statement<?> statement = statements[slot];
            if (delayNoted.compareAndSet(false, true))
            {
                LOG.warn("shard {}: fault injection: a write waits {} in the driver", shard, delay < 0
                    ? "until released" : TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
            }
            final Runnable out = () ->
            {
                try
                {
                    session.executeAsync(statement).whenComplete((rs, err) -> complete(seq, err));
                }
                catch (final RuntimeException ex)
                {
                    complete(seq, ex);
                }
            };
            if (delay < 0)
            {
                HELD.add(out);
            }
            else
            {
                java.util.concurrent.CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(out);
            }
            return;
        }
        final java.util.concurrent.CompletionStage<?> stage;
        try
        {
            stage = session.executeAsync(statements[slot]);
        }
        catch (final RuntimeException ex)
        {
            complete(seq, ex);
            return;
        }
        stage.whenComplete((rs, err) -> complete(seq, err));
    }

    /** On a driver thread (or the owner, if executeAsync threw): record the outcome, wake the owner. */
    private void complete(final long seq, final Throwable err)
    {
        if (err != null)
        {
            lastError = err;
        }
        final int type = err == null ? MSG_OK : MSG_FAILED;
        for (int attempt = 0; ; attempt++)
        {
            final int index = completions.tryClaim(type, Long.BYTES);
            if (index > 0)
            {
                completions.buffer().putLong(index, seq);
                completions.commit(index);
                break;
            }
            if (attempt > 1000) // cannot happen: the ring holds more than every write in flight
            {
                LOG.error("shard {}: completion ring full, write {} reported late", shard, seq);
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                attempt = 0;
            }
        }
        wakeup.run();
    }

    /**
     * Waits (owner thread, at close) until every issued write is acknowledged, at most {@code timeoutNanos}.
     *
     * @return true if all are durable.
     */
    boolean drain(final long timeoutNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (durable < issued && System.nanoTime() - deadline < 0)
        {
            if (poll() == 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
        return durable >= issued;
    }
}
