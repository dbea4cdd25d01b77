package dev.pinwheel.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The off-heap message indexes of one shard, each a Chronicle Map persisted in {@code <shard>/index/}:
 * <pre>
 *   messages.cm   message id → journal address of its newest version, channel    ({@link MessageLocations}, a cache)
 *   heads.cm      channel → newest live message id, bucket range, last page     ({@link ChannelTimeline})
 *   pages.cm      (channel, 10-day bucket, page) → 32 × (id, journal address)     ({@link ChannelTimeline})
 *   pins.cm       channel → pinned ids in pin order                             ({@link PinBoard})
 *   clean-shutdown.properties   present only between a clean close and the next open
 * </pre>
 * The indexes are derived data: the message journal is the truth. {@link #open} reuses the files only if the last
 * close was clean (the marker exists, names this layout and the journal's last index, and the maps were synced
 * before it was written); otherwise — a killed process, a crashed machine, a journal changed behind our back,
 * retention having deleted a cycle — it deletes them and creates empty maps, which the store then rebuilds by
 * replaying the journal. The marker is deleted (and the deletion synced) as soon as the maps are opened, so a map
 * that may be written again is never trusted after a crash.
 * <p>
 * Maps are sized from the journal: at least {@code minEntries} messages or twice what the journal holds, and each
 * can grow {@value OffHeapTable#MAX_BLOAT_FACTOR} times beyond before an insert fails.
 */
final class ShardIndexes implements AutoCloseable
{
    /** Version of the index layout; a marker of another version means rebuild. */
    static final int FORMAT = 2;
    static final String MARKER = "clean-shutdown.properties";
    private static final String[] FILES = {"messages.cm", "heads.cm", "pages.cm", "pins.cm"};
    private static final Logger LOG = LoggerFactory.getLogger(ShardIndexes.class);

    private final Path dir;
    private final long messageEntries;
    private final MessageLocations locations;
    private final ChannelTimeline timeline;
    private final PinBoard pins;
    private final boolean reused;
    private final long reusedRecords;
    private final long reusedLiveMessages;

    private ShardIndexes(final Path dir, final long messageEntries, final boolean reused, final long reusedRecords,
        final long reusedLiveMessages)
    {
        this.dir = dir;
        this.messageEntries = messageEntries;
        this.reused = reused;
        this.reusedRecords = reusedRecords;
        this.reusedLiveMessages = reusedLiveMessages;
        OffHeapTable locationsTable = null;
        OffHeapTable headsTable = null;
        OffHeapTable pagesTable = null;
        try
        {
            locationsTable = OffHeapTable.persisted("messages", dir.resolve(FILES[0]), MessageLocations.KEY_BYTES,
                MessageLocations.VALUE_BYTES, messageEntries);
            headsTable = OffHeapTable.persisted("heads", dir.resolve(FILES[1]), ChannelTimeline.HEAD_KEY_BYTES,
                ChannelTimeline.HEAD_BYTES, Math.max(1 << 16, messageEntries / 64));
            pagesTable = OffHeapTable.persisted("pages", dir.resolve(FILES[2]), ChannelTimeline.PAGE_KEY_BYTES,
                ChannelTimeline.PAGE_BYTES, Math.max(1 << 16, messageEntries / (ChannelTimeline.PAGE_CAPACITY / 2)));
            final OffHeapTable pinsTable = OffHeapTable.persisted("pins", dir.resolve(FILES[3]), PinBoard.KEY_BYTES,
                PinBoard.VALUE_BYTES, 1 << 12);
            this.locations = new MessageLocations(locationsTable);
            this.timeline = new ChannelTimeline(pagesTable, headsTable);
            this.pins = new PinBoard(pinsTable);
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(locationsTable);
            closeQuietly(headsTable);
            closeQuietly(pagesTable);
            throw ex;
        }
    }

    /**
     * Opens a shard's indexes, reusing them if the last close was clean and matches the journal.
     *
     * @param dir              {@code <shard>/index}.
     * @param journalLastIndex index of the message journal's last record, -1 if empty.
     * @param journalRecords   records in the message journal.
     * @param minEntries       least messages to size for.
     * @param allowReuse       false: always start empty.
     * @return the indexes; {@link #reused()} says whether they must be rebuilt.
     */
    static ShardIndexes open(
        final Path dir, final long journalLastIndex, final long journalRecords, final long minEntries,
        final boolean allowReuse)
    {
        try
        {
            Files.createDirectories(dir);
            final Path marker = dir.resolve(MARKER);
            final Properties clean = readMarker(marker);
            if (clean != null)
            {
                Files.delete(marker);
                forceFile(dir); // from now on the maps may change: never trust them after a crash
            }
            final long sized = Math.max(minEntries, 2 * journalRecords);
            if (allowReuse && clean != null && matches(clean, journalLastIndex, journalRecords))
            {
                final long entries = Long.parseLong(clean.getProperty("messageEntries"));
                return new ShardIndexes(dir, entries, true, Long.parseLong(clean.getProperty("indexedRecords")),
                    Long.parseLong(clean.getProperty("liveMessages")));
            }
            for (final String file : FILES)
            {
                Files.deleteIfExists(dir.resolve(file));
            }
            return new ShardIndexes(dir, sized, false, 0, 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the message indexes in " + dir, ex);
        }
    }

    private static boolean matches(final Properties clean, final long journalLastIndex, final long journalRecords)
    {
        try
        {
            final long entries = Long.parseLong(clean.getProperty("messageEntries"));
            return Integer.parseInt(clean.getProperty("format")) == FORMAT
                && Long.parseLong(clean.getProperty("journalLastIndex")) == journalLastIndex
                && Long.parseLong(clean.getProperty("journalRecords")) == journalRecords
                && Long.parseLong(clean.getProperty("indexedRecords")) >= 0
                && Long.parseLong(clean.getProperty("liveMessages")) >= 0
                && journalRecords < entries * (OffHeapTable.MAX_BLOAT_FACTOR / 4);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private static Properties readMarker(final Path marker) throws IOException
    {
        if (!Files.exists(marker))
        {
            return null;
        }
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(marker))
        {
            p.load(in);
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.warn("unreadable {}: rebuilding the indexes", marker);
        }
        return p;
    }

    /**
     * @return true if the maps were reopened from a clean shutdown (no rebuild needed).
     */
    boolean reused()
    {
        return reused;
    }

    /**
     * @return message journal records the reused maps reflect (0 if not reused).
     */
    long reusedRecords()
    {
        return reusedRecords;
    }

    /**
     * @return live messages the reused maps hold (0 if not reused).
     */
    long reusedLiveMessages()
    {
        return reusedLiveMessages;
    }

    MessageLocations locations()
    {
        return locations;
    }

    ChannelTimeline timeline()
    {
        return timeline;
    }

    PinBoard pins()
    {
        return pins;
    }

    /**
     * @return bytes of the index files on disk.
     */
    long diskBytes()
    {
        return DiskUsage.allocatedBytes(dir);
    }

    /**
     * Closes the maps, syncs them and writes the clean-shutdown marker.
     *
     * @param journalLastIndex index of the message journal's last record.
     * @param journalRecords   records in the message journal.
     * @param indexedRecords   records of the message journal the maps reflect (the undecodable ones excluded).
     * @param liveMessages     live messages in the maps.
     */
    void closeClean(final long journalLastIndex, final long journalRecords, final long indexedRecords,
        final long liveMessages)
    {
        close();
        try
        {
            for (final String file : FILES)
            {
                forceFile(dir.resolve(file));
            }
            final Properties p = new Properties();
            p.setProperty("format", Integer.toString(FORMAT));
            p.setProperty("journalLastIndex", Long.toString(journalLastIndex));
            p.setProperty("journalRecords", Long.toString(journalRecords));
            p.setProperty("indexedRecords", Long.toString(indexedRecords));
            p.setProperty("liveMessages", Long.toString(liveMessages));
            p.setProperty("messageEntries", Long.toString(messageEntries));
            final Path tmp = dir.resolve(MARKER + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp))
            {
                p.store(out, "Pinwheel: the index files were closed cleanly and match the message journal");
            }
            forceFile(tmp);
            try
            {
                Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.REPLACE_EXISTING);
            }
            forceFile(dir);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not mark the indexes in {} clean: they will be rebuilt at the next start", dir, ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            locations.close();
        }
        finally
        {
            try
            {
                timeline.close();
            }
            finally
            {
                pins.close();
            }
        }
    }

    private static void forceFile(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ex)
            {
                LOG.warn("cannot close an index map", ex);
            }
        }
    }
}
