package dev.pinwheel.storage;

import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Verifies, on a thread of its own, the message journal records that a store reopened at its index's recovery
 * point did not read before serving: every record before the point, checked as recovery checks them (CRC32C, framing,
 * re-synchronisation after a damaged region). It reads the journal's files only — never the index maps, never a
 * Chronicle object — and hands what it finds to the store's thread, which reports it exactly as recovery does and
 * drops a damaged message from the indexes.
 * <pre>
 *   shard thread: recover() ──extents (where each cycle file's data ends)──▶ new JournalVerifier(...).start()
 *   pinwheel-verify-N:  JournalScanner.verify(extents, until the recovery point) ──Found──▶ queue (bounded)
 *   shard thread: ChronicleShardStore.pollVerifier() (every call, idle) ◀── drain ── queue; finished() at the end
 * </pre>
 * <b>Threads:</b> constructed, drained and closed by the store's owner thread; {@link #run()} on its own thread.
 */
final class JournalVerifier implements Runnable, AutoCloseable
{
    /** A damaged region found, with what its record claims to be (unverified bytes). */
    record Found(JournalDamage damage, int cycle, byte claimedKind, long claimedChannel)
    {
    }

    private static final int QUEUE_CAPACITY = 256;
    private static final long FULL_QUEUE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long JOIN_MILLIS = 10_000;

    private final JournalScanner scanner = new JournalScanner(new JournalRecordCodec());
    private final OneToOneConcurrentArrayQueue<Found> found = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final List<JournalScanner.CycleExtent> extents;
    private final int stopCycle;
    private final long stopEnd;
    private final Thread thread;
    private volatile boolean stop;
    private volatile boolean finished;
    private volatile long verified;
    private volatile long nanos;
    private volatile Throwable failure;

    /**
     * @param shardId   the shard (the thread's name).
     * @param extents   the journal's cycle files up to the recovery point's, with where their data ends.
     * @param stopCycle the recovery point's cycle.
     * @param stopEnd   the position right after the recovery point's record in that cycle file.
     */
    JournalVerifier(final int shardId, final List<JournalScanner.CycleExtent> extents, final int stopCycle,
        final long stopEnd)
    {
        this.extents = List.copyOf(extents);
        this.stopCycle = stopCycle;
        this.stopEnd = stopEnd;
        this.thread = new Thread(this, "pinwheel-verify-" + shardId);
        this.thread.setDaemon(true);
    }

    /** Starts the verification. */
    void start()
    {
        thread.start();
    }

    @Override
    public void run()
    {
        final long start = System.nanoTime();
        try
        {
            verified = scanner.verify(extents, stopCycle, stopEnd, (address, kind, in, offset, length) -> { },
                this::onDamage, () -> stop);
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            nanos = System.nanoTime() - start;
            finished = true;
        }
    }

    private void onDamage(final JournalDamage damage)
    {
        final Found f = new Found(damage, Journal.cycleOf(damage.file()), scanner.claimedKind(),
            scanner.claimedChannel());
        while (!found.offer(f) && !stop)
        {
            LockSupport.parkNanos(FULL_QUEUE_PARK_NANOS); // rare: more damage than the store has drained yet
        }
    }

    /**
     * Owner thread: hands over what was found so far.
     *
     * @param sink receives each damaged region.
     * @return regions handed over.
     */
    int drain(final Consumer<Found> sink)
    {
        return found.drain(sink::accept);
    }

    /**
     * @return true once the scan ended and everything it found was drained.
     */
    boolean finished()
    {
        return finished && found.isEmpty();
    }

    /**
     * @return records verified (when {@link #finished()}).
     */
    long verified()
    {
        return verified;
    }

    /**
     * @return how long the scan took (when {@link #finished()}).
     */
    long millis()
    {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * @return what ended the scan abnormally, or null.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * Stops the scan (if it runs) and waits for its thread, boundedly.
     */
    @Override
    public void close()
    {
        stop = true;
        if (thread.isAlive() && thread != Thread.currentThread())
        {
            try
            {
                thread.join(JOIN_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
