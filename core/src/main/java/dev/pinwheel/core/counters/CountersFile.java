package dev.pinwheel.core.counters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A node's counters in a memory-mapped file of its data directory, {@value #FILE_NAME} (Aeron's CnC idea): a header
 * that tells a reader whose counters these are and whether that process still runs, then the
 * {@link NodeCounters} buffers. {@code pinwheel top --data DIR} reads a node through it ({@link CountersFileReader}),
 * without HTTP or a token.
 * <pre>
 *   0                   4                   8                   12                  16
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | magic 'PWCN'      | version           | metadata length   | values length     |
 *   +-------------------+-------------------+-------------------+-------------------+
 *   16                                      24                                      32
 *   | pid (i64)                             | process start, epoch ms (i64)         |
 *   +---------------------------------------+---------------------------------------+
 *   32                                      40                                      48
 *   | heartbeat, epoch ms (i64)             | clean stop, epoch ms (i64; 0: not)    |
 *   +-------------------+-------------------+-------------------+-------------------+
 *   48                  52                  56                  60                 128
 *   | state (i32)       | node id (i32)     | shards (i32)      | reserved ... up to the header's end
 *   +-------------------+-------------------+-------------------+-------------------+
 *   128                 | metadata: max counters × 512 B (type, key, label per counter)
 *   128 + metadata      | values:   max counters × 128 B (one i64 per counter)
 * </pre>
 * <b>Life.</b> Created when the node starts, after it locked its data directory (so a second server on the same
 * directory never touches a running node's file): written in full as {@code counters.dat.tmp} — zero-filled, so
 * no later store lands on a page the disk cannot back — and renamed over the previous node's file, so a reader never
 * sees half a header. State {@link #STATE_RUNNING} with the process's pid and start time; the {@link NodeSampler}
 * stamps a heartbeat every second. A clean stop sets {@link #STATE_STOPPED} and the stop time and leaves the file, so
 * the last counters stay readable; a killed node leaves {@link #STATE_RUNNING} behind, which a reader tells from a
 * live one by the pid (gone, or reused by a process started at another time) and the heartbeat's age. The next start
 * replaces the file.
 * <p>
 * The mapping is never unmapped explicitly (a late store from a stopping thread must not hit an unmapped page); it
 * goes with the last reference.
 */
public final class CountersFile implements AutoCloseable
{
    /** The file's name in the data directory. */
    public static final String FILE_NAME = "counters.dat";
    /** "PWCN", little-endian. */
    public static final int MAGIC = 0x4E43_5750;
    /** Layout version; a reader refuses another. */
    public static final int VERSION = 1;

    /** The process is (or was, if it was killed) serving. */
    public static final int STATE_RUNNING = 1;
    /** The process stopped cleanly; the values are its last. */
    public static final int STATE_STOPPED = 2;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int METADATA_LENGTH_OFFSET = 8;
    static final int VALUES_LENGTH_OFFSET = 12;
    static final int PID_OFFSET = 16;
    static final int START_MILLIS_OFFSET = 24;
    static final int HEARTBEAT_MILLIS_OFFSET = 32;
    static final int STOP_MILLIS_OFFSET = 40;
    static final int STATE_OFFSET = 48;
    static final int NODE_ID_OFFSET = 52;
    static final int SHARDS_OFFSET = 56;
    /** Header bytes; the metadata buffer starts here (a multiple of the cache line and of 8). */
    public static final int HEADER_LENGTH = 128;

    private final Path path;
    private final UnsafeBuffer header;
    private final NodeCounters counters;
    private final MappedByteBuffer mapped;
    private boolean closed;

    private CountersFile(final Path path, final MappedByteBuffer mapped, final int maxCounters)
    {
        this.path = path;
        this.mapped = mapped;
        final int metadataLength = maxCounters * NodeCounters.METADATA_BYTES;
        final int valuesLength = maxCounters * NodeCounters.VALUE_BYTES;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.counters = new NodeCounters(new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength));
    }

    /**
     * Creates the counters file of a node that holds the data directory's lock, replacing the previous one.
     *
     * @param dataDir     the data directory (locked by this process).
     * @param nodeId      the node's id.
     * @param shards      its shards.
     * @param maxCounters capacity ({@link NodeCounters#capacityFor}).
     * @return the mapped file, state {@link #STATE_RUNNING}.
     */
    public static CountersFile create(final Path dataDir, final int nodeId, final int shards, final int maxCounters)
    {
        final Path path = dataDir.resolve(FILE_NAME);
        final Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        final long length = length(maxCounters);
        try
        {
            Files.deleteIfExists(tmp);
            final MappedByteBuffer mapped = IoUtil.mapNewFile(tmp.toFile(), length, true);
            final CountersFile file = new CountersFile(path, mapped, maxCounters);
            final ProcessHandle self = ProcessHandle.current();
            final UnsafeBuffer h = file.header;
            h.putInt(VERSION_OFFSET, VERSION);
            h.putInt(METADATA_LENGTH_OFFSET, maxCounters * NodeCounters.METADATA_BYTES);
            h.putInt(VALUES_LENGTH_OFFSET, maxCounters * NodeCounters.VALUE_BYTES);
            h.putLong(PID_OFFSET, self.pid());
            h.putLong(START_MILLIS_OFFSET, startMillis(self));
            h.putLong(HEARTBEAT_MILLIS_OFFSET, System.currentTimeMillis());
            h.putLong(STOP_MILLIS_OFFSET, 0);
            h.putInt(NODE_ID_OFFSET, nodeId);
            h.putInt(SHARDS_OFFSET, shards);
            h.putInt(STATE_OFFSET, STATE_RUNNING);
            h.putIntRelease(MAGIC_OFFSET, MAGIC);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(tmp);
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot create the counters file " + path, ex);
        }
    }

    /**
     * @param maxCounters capacity.
     * @return the file's length for it.
     */
    static long length(final int maxCounters)
    {
        return HEADER_LENGTH + (long)maxCounters * (NodeCounters.METADATA_BYTES + NodeCounters.VALUE_BYTES);
    }

    /**
     * @param process a process.
     * @return its start time as the OS reports it (epoch ms), 0 if unknown: the same source a reader compares.
     */
    static long startMillis(final ProcessHandle process)
    {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * @return the node's counters, in this file.
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * @return where the file is.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Stamps the heartbeat (the {@link NodeSampler}'s thread: one writer).
     *
     * @param epochMillis now.
     */
    public void heartbeat(final long epochMillis)
    {
        header.putLongRelease(HEARTBEAT_MILLIS_OFFSET, epochMillis);
    }

    /**
     * Marks the node stopped cleanly (its last counters stay readable) and writes the file out. Call after every
     * writer stopped. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        header.putLongRelease(STOP_MILLIS_OFFSET, System.currentTimeMillis());
        header.putIntRelease(STATE_OFFSET, STATE_STOPPED);
        mapped.force();
    }
}
