package dev.pinwheel.storage;

import net.openhft.chronicle.queue.impl.single.PrecreatedFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * The disk blocks reserved ahead of one journal's appends (see {@link FileAllocator}), shared by the journal's owner
 * thread and the node's {@link StorageHousekeeper}:
 * <pre>
 *   cycle file:  [records ...........][reserved, not yet written ..........][sparse: no blocks]
 *                                     ^ writeEnd (owner)                     ^ allocatedEnd
 *   next cycle:  &lt;day&gt;F.precreated   [reserved ...]   (Chronicle renames it when the day starts)
 * </pre>
 * The owner checks {@link #covers} before every append (two volatile reads) and reports where it ended with
 * {@link #wrote}; the housekeeper keeps {@code allocatedEnd} about {@code ahead} bytes past {@code writeEnd} and
 * pre-creates tomorrow's file, off the shard thread. If the housekeeper falls behind, the owner reserves inline
 * ({@link #reserve}). Regions are only ever reserved from {@code allocatedEnd} upward, under a lock, so the two never
 * reserve (or, without {@code fallocate}, zero) the same bytes, and never bytes that hold a record.
 */
final class JournalSpace
{
    /** No cycle yet. */
    static final int NONE = Integer.MIN_VALUE;

    private final IntFunction<Path> cycleFile;
    private final long ahead;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile int allocatedCycle = NONE;
    private volatile long allocatedEnd;
    private volatile int writeCycle = NONE;
    private volatile long writeEnd;
    private int precreatedCycle = NONE; // lock held
    private long precreatedEnd;         // lock held

    /**
     * @param cycleFile the file of a cycle.
     * @param ahead     bytes to keep reserved past the end of written data.
     */
    JournalSpace(final IntFunction<Path> cycleFile, final long ahead)
    {
        this.cycleFile = cycleFile;
        this.ahead = ahead;
    }

    /**
     * @return bytes kept reserved ahead of the appends.
     */
    long ahead()
    {
        return ahead;
    }

    /**
     * Owner thread, before an append.
     *
     * @param cycle the cycle the append will go to.
     * @param end   the file position the append (and any index block Chronicle adds) may reach.
     * @return whether those bytes are reserved.
     */
    boolean covers(final int cycle, final long end)
    {
        return allocatedCycle == cycle && allocatedEnd >= end;
    }

    /**
     * Owner thread, after an append.
     *
     * @param cycle its cycle.
     * @param end   the file position after it.
     * @return true if the reserve ahead has fallen below half: the housekeeper should run.
     */
    boolean wrote(final int cycle, final long end)
    {
        writeCycle = cycle;
        writeEnd = end;
        return allocatedCycle != cycle || allocatedEnd - end < ahead / 2;
    }

    /**
     * Reserves {@code [from, needed + ahead)} of a cycle's file now (owner thread, when the housekeeper has not done
     * it; or the housekeeper).
     *
     * @param cycle  the cycle.
     * @param from   a position at or past the end of written data of that cycle.
     * @param needed the position that must be reserved.
     * @throws IOException when the filesystem is full, or on an I/O error.
     */
    void reserve(final int cycle, final long from, final long needed) throws IOException
    {
        lock.lock();
        try
        {
            reserveLocked(cycle, from, needed + ahead);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void reserveLocked(final int cycle, final long from, final long to) throws IOException
    {
        long start;
        if (allocatedCycle == cycle)
        {
            start = allocatedEnd;
        }
        else if (precreatedCycle == cycle && !Files.exists(precreated(cycle)))
        {
            start = precreatedEnd; // Chronicle took the file we pre-created: its start is reserved
        }
        else
        {
            start = from;
        }
        if (to > start)
        {
            FileAllocator.allocate(fileFor(cycle), start, to);
            start = to;
        }
        if (allocatedCycle != cycle)
        {
            allocatedEnd = start; // publish the end before the cycle: covers() never sees a new cycle's old end
            allocatedCycle = cycle;
        }
        else
        {
            allocatedEnd = start;
        }
    }

    /** The cycle's file, or, if it does not exist yet, the name Chronicle takes a pre-created one from. */
    private Path fileFor(final int cycle)
    {
        final Path file = cycleFile.apply(cycle);
        return Files.exists(file) ? file : precreated(cycle);
    }

    private Path precreated(final int cycle)
    {
        return PrecreatedFiles.preCreatedFile(cycleFile.apply(cycle).toFile()).toPath();
    }

    /**
     * Housekeeper: keeps the current cycle reserved ahead and pre-creates the next day's file. Skips the round if the
     * owner is reserving right now.
     *
     * @param currentCycle the cycle of today by the journal's clock.
     * @throws IOException when the filesystem is full, or on an I/O error.
     */
    void maintain(final int currentCycle) throws IOException
    {
        if (!lock.tryLock())
        {
            return;
        }
        try
        {
            final int cycle = writeCycle;
            if (cycle != NONE && (allocatedCycle != cycle || allocatedEnd - writeEnd < ahead))
            {
                reserveLocked(cycle, writeEnd, writeEnd + 2 * ahead);
            }
            final int next = Math.max(currentCycle, cycle) + 1;
            if (precreatedCycle < next && !Files.exists(cycleFile.apply(next)))
            {
                Files.deleteIfExists(precreated(next - 2)); // a day that passed without an append here
                FileAllocator.allocate(precreated(next), 0, ahead);
                precreatedCycle = next;
                precreatedEnd = ahead;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The blocks allocated under {@code dir} less those reserved ahead, both read under the lock every reservation
     * holds: a reservation between the two reads would otherwise be subtracted without having been counted (or
     * counted without being subtracted).
     *
     * @param dir   the journal's directory.
     * @param cycle the cycle of the last append.
     * @param end   where it ended.
     * @return bytes the written records occupy on disk.
     */
    long writtenBytes(final Path dir, final int cycle, final long end)
    {
        lock.lock();
        try
        {
            return Math.max(0, DiskUsage.allocatedBytes(dir) - reservedAheadLocked(cycle, end));
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Bytes reserved but not yet written: past {@code end} in that cycle's file, and tomorrow's file. */
    private long reservedAheadLocked(final int cycle, final long end)
    {
        long reserved = 0;
        if (allocatedCycle == cycle)
        {
            reserved += Math.max(0, allocatedEnd - (end + 4095 & ~4095L));
        }
        if (precreatedCycle != NONE && Files.exists(precreated(precreatedCycle)))
        {
            reserved += precreatedEnd;
        }
        return reserved;
    }

    /**
     * @return the cycle whose file is reserved ahead (tests).
     */
    int allocatedCycle()
    {
        return allocatedCycle;
    }

    /**
     * @return where the reserved region of {@link #allocatedCycle()} ends (tests).
     */
    long allocatedEnd()
    {
        return allocatedEnd;
    }
}
