package dev.pinwheel.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * The file work of a node's stores, off the shard threads: one daemon thread ({@code pinwheel-storage}) that
 * <ul>
 *   <li>samples the free space of the data directory's filesystem every {@value #SAMPLE_MILLIS} ms — a store refuses
 *       writes while it is below the configured reserve ({@link #spaceForWrites()}: one volatile read), and accepts
 *       them again by itself once space returns;</li>
 *   <li>reserves disk blocks ahead of every journal's appends and pre-creates tomorrow's cycle files
 *       ({@link JournalSpace}), so that no write through a mapping can meet a full disk;</li>
 *   <li>deletes the cycle files retention expired (unlinking a large file can take long on some filesystems).</li>
 * </ul>
 * Shards hand it work through lock-free queues and {@link #wake()}; it never blocks them.
 */
final class StorageHousekeeper implements AutoCloseable
{
    /** How often free space is sampled and reserves topped up. */
    static final long SAMPLE_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(StorageHousekeeper.class);

    /** A journal to keep space for, and its clock's current cycle. */
    private record Watched(JournalSpace space, IntSupplier currentCycle, String name)
    {
    }

    private final Path dataDir;
    private final long reserveBytes;
    private final CopyOnWriteArrayList<Watched> journals = new CopyOnWriteArrayList<>();
    private final Queue<Path> deletions = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long usableBytes = Long.MAX_VALUE;
    private volatile long deletedFiles;
    private FileStore store;
    private boolean lowLogged;
    private long nextReserveWarning;

    /**
     * Samples free space once, then starts the thread.
     *
     * @param dataDir      the data directory (exists).
     * @param reserveBytes writes are refused while the filesystem has less free than this.
     */
    StorageHousekeeper(final Path dataDir, final long reserveBytes)
    {
        this.dataDir = dataDir;
        this.reserveBytes = reserveBytes;
        sample();
        this.thread = Thread.ofPlatform().name("pinwheel-storage").daemon(true).unstarted(this::run);
        thread.start();
    }

    /**
     * @param space        a journal's reserved space.
     * @param currentCycle its clock's current cycle.
     * @param name         for logs.
     */
    void watch(final JournalSpace space, final IntSupplier currentCycle, final String name)
    {
        journals.add(new Watched(space, currentCycle, name));
        wake();
    }

    /**
     * @param space a journal's reserved space, no longer to maintain (its journal closed).
     */
    void unwatch(final JournalSpace space)
    {
        journals.removeIf(w -> w.space() == space);
    }

    /**
     * @return whether the filesystem had at least the reserve free at the last sample. Any thread.
     */
    boolean spaceForWrites()
    {
        return usableBytes >= reserveBytes;
    }

    /**
     * @return free bytes at the last sample.
     */
    long usableBytes()
    {
        return usableBytes;
    }

    /**
     * @return the configured reserve.
     */
    long reserveBytes()
    {
        return reserveBytes;
    }

    /**
     * @return cycle files deleted for retention so far.
     */
    long deletedFiles()
    {
        return deletedFiles;
    }

    /**
     * Queues a file for deletion. Any thread; never blocks.
     *
     * @param file the file.
     */
    void delete(final Path file)
    {
        deletions.add(file);
        wake();
    }

    /**
     * Asks for a round now (a journal's reserve ran low, a deletion is queued). Any thread.
     */
    void wake()
    {
        LockSupport.unpark(thread);
    }

    private void run()
    {
        while (running)
        {
            try
            {
                sample();
                for (final Watched w : journals)
                {
                    maintain(w);
                }
                Path file;
                while ((file = deletions.poll()) != null)
                {
                    deleteNow(file);
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.error("storage housekeeping failed; retrying", ex);
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS));
        }
    }

    private void maintain(final Watched w)
    {
        try
        {
            w.space().maintain(w.currentCycle().getAsInt());
        }
        catch (final IOException ex)
        {
            final long now = System.nanoTime();
            if (now - nextReserveWarning >= 0)
            {
                nextReserveWarning = now + TimeUnit.SECONDS.toNanos(10);
                LOG.warn("cannot reserve disk space ahead of the {} journal: {}", w.name(), ex.getMessage());
            }
        }
    }

    private void deleteNow(final Path file)
    {
        try
        {
            Files.delete(file);
            deletedFiles++;
            LOG.info("deleted {} (retention)", file);
        }
        catch (final NoSuchFileException ignore)
        {
            // already gone
        }
        catch (final IOException ex)
        {
            LOG.error("cannot delete {} (retention)", file, ex);
        }
    }

    private void sample()
    {
        try
        {
            if (store == null)
            {
                store = Files.getFileStore(dataDir);
            }
            final long usable = store.getUsableSpace();
            usableBytes = usable;
            if (usable < reserveBytes && !lowLogged)
            {
                lowLogged = true;
                LOG.error("disk space low: {} MiB free on the filesystem of {}, below the reserve of {} MiB "
                    + "(pinwheel.storage.min-free-bytes): writes are refused until space is freed", usable >> 20,
                    dataDir, reserveBytes >> 20);
            }
            else if (usable >= reserveBytes && lowLogged)
            {
                lowLogged = false;
                LOG.warn("disk space back: {} MiB free on the filesystem of {}: writes accepted again",
                    usable >> 20, dataDir);
            }
        }
        catch (final IOException ex)
        {
            LOG.error("cannot read free space of {}", dataDir, ex);
        }
    }

    @Override
    public void close()
    {
        running = false;
        wake();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        Path file;
        while ((file = deletions.poll()) != null)
        {
            deleteNow(file);
        }
    }
}
