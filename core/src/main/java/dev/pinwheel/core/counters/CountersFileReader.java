package dev.pinwheel.core.counters;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Reads a node's {@link CountersFile} from any process (mapped read-only): the header — whose counters, and whether
 * that process still runs — and every counter through an Agrona {@link CountersReader}. Values are read as the node
 * writes them, live.
 * <pre>
 *   RUNNING  state running, and the pid is a live process whose heartbeat is younger than
 *            {@value #STALE_HEARTBEAT_MILLIS} ms (or, when stale — a long pause — that started when the file says)
 *   STOPPED  the node stopped cleanly; the values are its last
 *   GONE     state running but no such process any more (killed, crashed, or the pid reused): the values are the
 *            last it wrote
 * </pre>
 * The pid is checked in the reader's pid namespace: read a node in a container from inside that container.
 * A node that restarts replaces the file: {@link #replaced()} tells a long-running reader to open it again.
 */
public final class CountersFileReader
{
    /** A heartbeat older than this needs the process's start time to say the node still runs. */
    public static final long STALE_HEARTBEAT_MILLIS = 5_000;

    /** What the file says about its node. */
    public enum Liveness
    {
        /** The node runs. */
        RUNNING,
        /** The node stopped cleanly. */
        STOPPED,
        /** The node's process is gone without a clean stop. */
        GONE
    }

    private final Path path;
    private final Object fileKey;
    private final UnsafeBuffer header;
    private final CountersReader counters;

    private CountersFileReader(final Path path, final Object fileKey, final UnsafeBuffer header,
        final CountersReader counters)
    {
        this.path = path;
        this.fileKey = fileKey;
        this.header = header;
        this.counters = counters;
    }

    /**
     * @param dataDir a node's data directory.
     * @return a reader of its counters file.
     * @throws NoSuchFileException if there is none (no node ever started there with this version).
     * @throws IOException         if it cannot be read, or is not a counters file of this version.
     */
    public static CountersFileReader open(final Path dataDir) throws IOException
    {
        final Path path = dataDir.resolve(CountersFile.FILE_NAME);
        final MappedByteBuffer mapped;
        final Object key;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ))
        {
            key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            final long size = ch.size();
            if (size < CountersFile.HEADER_LENGTH)
            {
                throw new IOException(path + " is too short for a counters file (" + size + " bytes)");
            }
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, CountersFile.HEADER_LENGTH);
        if (header.getIntVolatile(CountersFile.MAGIC_OFFSET) != CountersFile.MAGIC)
        {
            throw new IOException(path + " is not a Pinwheel counters file");
        }
        final int version = header.getInt(CountersFile.VERSION_OFFSET);
        if (version != CountersFile.VERSION)
        {
            throw new IOException(path + " has layout version " + version + "; this reader knows "
                + CountersFile.VERSION);
        }
        final int metadataLength = header.getInt(CountersFile.METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(CountersFile.VALUES_LENGTH_OFFSET);
        if ((long)CountersFile.HEADER_LENGTH + metadataLength + valuesLength > mapped.capacity())
        {
            throw new IOException(path + " is shorter than its header says");
        }
        final CountersReader counters = new CountersReader(
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.UTF_8);
        return new CountersFileReader(path, key, header, counters);
    }

    /**
     * @return every counter: {@link CountersReader#forEach(CountersReader.MetaData)} gives type, key and label;
     *         {@link CountersReader#getCounterValue(int)} the value.
     */
    public CountersReader counters()
    {
        return counters;
    }

    /**
     * @return the file read.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the node's process id.
     */
    public long pid()
    {
        return header.getLong(CountersFile.PID_OFFSET);
    }

    /**
     * @return when the node's process started (epoch ms; 0 if the OS did not say).
     */
    public long startMillis()
    {
        return header.getLong(CountersFile.START_MILLIS_OFFSET);
    }

    /**
     * @return the node's last heartbeat (epoch ms).
     */
    public long heartbeatMillis()
    {
        return header.getLongVolatile(CountersFile.HEARTBEAT_MILLIS_OFFSET);
    }

    /**
     * @return when the node stopped cleanly (epoch ms), 0 if it did not.
     */
    public long stopMillis()
    {
        return header.getLongVolatile(CountersFile.STOP_MILLIS_OFFSET);
    }

    /**
     * @return {@link CountersFile#STATE_RUNNING} or {@link CountersFile#STATE_STOPPED}.
     */
    public int state()
    {
        return header.getIntVolatile(CountersFile.STATE_OFFSET);
    }

    /**
     * @return the node's id.
     */
    public int nodeId()
    {
        return header.getInt(CountersFile.NODE_ID_OFFSET);
    }

    /**
     * @return the node's shard count.
     */
    public int shards()
    {
        return header.getInt(CountersFile.SHARDS_OFFSET);
    }

    /**
     * @param nowMillis now (epoch ms).
     * @return whether the node runs, stopped cleanly, or is gone.
     */
    public Liveness liveness(final long nowMillis)
    {
        if (state() == CountersFile.STATE_STOPPED)
        {
            return Liveness.STOPPED;
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(pid());
        if (process.isPresent() && process.get().isAlive())
        {
            if (nowMillis - heartbeatMillis() < STALE_HEARTBEAT_MILLIS)
            {
                return Liveness.RUNNING;
            }
            // A stale heartbeat from a live pid: the node is paused, or the pid was reused. Start times tell them
            // apart, within a tolerance: the JDK derives them from the boot time each JVM read once (/proc/stat's
            // btime, which moves when the wall clock is stepped), so two JVMs can disagree by a second or more —
            // never used alone while the heartbeat is fresh (a CI run saw a live node read as GONE that way).
            final long started = CountersFile.startMillis(process.get());
            return started != 0 && startMillis() != 0 && Math.abs(started - startMillis()) < 1_000
                ? Liveness.RUNNING : Liveness.GONE;
        }
        return Liveness.GONE;
    }

    /**
     * @return true if the node's data directory now holds another counters file (the node restarted), or none.
     */
    public boolean replaced()
    {
        try
        {
            return !Objects.equals(fileKey, Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        }
        catch (final IOException ex)
        {
            return true;
        }
    }
}
