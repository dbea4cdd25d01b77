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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Properties;

/**
 * The off-heap message indexes of one shard, each a Chronicle Map persisted in {@code <shard>/index/}:
 * <pre>
 *   messages.cm   message id → journal address of its newest version, channel    ({@link MessageLocations}, a cache)
 *   heads.cm      channel → newest live message id, bucket range, last page     ({@link ChannelTimeline})
 *   pages.cm      (channel, 10-day bucket, page) → 32 × (id, journal address)     ({@link ChannelTimeline})
 *   pins.cm       channel → pinned ids in pin order                             ({@link PinBoard})
 *   recovery-point.dat          which journal prefix the maps hold, and whether they were in use ({@link
 *                               IndexRecoveryPoint})
 *   clean-shutdown.properties   present only between a clean close and the next open
 * </pre>
 * The indexes are derived data: the message journal is the truth. {@link #open} decides how they come back:
 * <pre>
 *   clean marker present, names this layout and the journal's last index ───────────▶ REUSED_CLEAN
 *   else recovery point valid, same boot id, not busy, its record in the journal,
 *        the journal's first file and the map files unchanged, the sizing fits ─────▶ REUSED_AT_RECOVERY_POINT
 *                                      (the store replays the records after the point, verifies the ones before it
 *                                       in the background)
 *   else ────────────────────────────────────────────────────────────────────────────▶ REBUILT (delete, replay all)
 * </pre>
 * Why the recovery point can be trusted after a {@code kill -9}: the maps and the point are shared mappings of files,
 * so every store the killed process made is in the page cache, and the maps hold exactly the state at the instant
 * of the kill. That state is a clean prefix of the journal unless the kill hit the middle of a map operation
 * (a held segment lock, a half-inserted entry) or of the several map updates of one record; the point is busy
 * during every map access, so such a kill is seen. A machine crash loses pages in any order: the boot id tells. The
 * marker is deleted (and the deletion synced) as soon as the maps are opened, so a map that may be written again
 * is never trusted as "clean" after a crash.
 * <p>
 * Maps are sized from the journal: at least {@code minEntries} messages or twice what the journal holds, and each
 * can grow {@value OffHeapTable#MAX_BLOAT_FACTOR} times beyond before an insert fails; maps reopened for a journal
 * that outgrew a quarter of that are rebuilt instead (with a new sizing).
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
    private final IndexRecoveryPoint point;
    private final IndexRecovery recovery;
    private final String reason;
    private final boolean appliedChecked;
    private final long reusedRecords;
    private final long reusedLiveMessages;

    private ShardIndexes(final Path dir, final long messageEntries, final IndexRecoveryPoint point,
        final IndexRecovery recovery, final String reason, final boolean appliedChecked, final long reusedRecords,
        final long reusedLiveMessages)
    {
        this.dir = dir;
        this.messageEntries = messageEntries;
        this.point = point;
        this.recovery = recovery;
        this.reason = reason;
        this.appliedChecked = appliedChecked;
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
     * Opens a shard's indexes: reuses them after a clean close that matches the journal, or at their recovery point
     * after the process died on this boot, else deletes them and creates empty maps for the store to rebuild. Logs
     * which, and why, in one line.
     *
     * @param dir     {@code <shard>/index}.
     * @param journal the message journal, just opened.
     * @param context the settings: sizing, which reuse is allowed, on-damage, the boot id.
     * @return the indexes; {@link #recovery()} says what the store must replay.
     */
    static ShardIndexes open(final Path dir, final Journal journal, final EmbeddedStoreContext context)
    {
        IndexRecoveryPoint point = null;
        try
        {
            Files.createDirectories(dir);
            final long journalLastIndex = journal.lastIndex();
            final long journalRecords = journal.recordCount();
            point = IndexRecoveryPoint.open(dir);
            final Path marker = dir.resolve(MARKER);
            final Properties clean = readMarker(marker);
            if (clean != null)
            {
                Files.delete(marker);
                forceFile(dir); // from now on the maps may change: never trust them as clean after a crash
            }
            final String bootId = context.bootId();
            final long pid = ProcessHandle.current().pid();
            final ShardIndexes indexes;
            final boolean leftBusy = point.busy(); // as the last process left it
            point.enter(); // opening or creating a map touches its file: busy until done
            if (context.reuseCleanIndex() && clean != null && matches(clean, journalLastIndex, journalRecords))
            {
                final long entries = Long.parseLong(clean.getProperty("messageEntries"));
                final long records = Long.parseLong(clean.getProperty("indexedRecords"));
                final long live = Long.parseLong(clean.getProperty("liveMessages"));
                final boolean pointKnown = !leftBusy && pointMatchesClean(point, dir, entries, records, live);
                indexes = new ShardIndexes(dir, entries, point, IndexRecovery.REUSED_CLEAN,
                    "reused after a clean stop", true, records, live);
                if (!pointKnown) // (a data directory of an earlier version) known again at the first append
                {
                    point.applied(IndexRecoveryPoint.APPLIED_UNKNOWN, 0, 0, 0, live, records);
                }
                final int first = journal.oldestCycle();
                point.journal(first, fileKey(first == IndexRecoveryPoint.NO_CYCLE ? null : journal.cycleFile(first)));
                point.owner(bootId, pid, entries, mapsKey(dir));
                point.validate();
            }
            else
            {
                final JournalRecord applied = new JournalRecord();
                final String refusal = reuseRefusal(point, leftBusy, dir, journal, journalRecords, context, applied);
                if (refusal == null)
                {
                    final long entries = point.messageEntries();
                    indexes = new ShardIndexes(dir, entries, point, IndexRecovery.REUSED_AT_RECOVERY_POINT,
                        describePoint(point, clean), applied.bodyOffset() == JournalRecordCodec.CHECKED_HEADER,
                        point.indexedRecords(), point.liveMessages());
                    point.owner(bootId, pid, entries, point.mapsKey());
                }
                else
                {
                    point.invalidate(IndexRecoveryPoint.STATE_REBUILDING); // sticky until the rebuild completes
                    for (final String file : FILES)
                    {
                        Files.deleteIfExists(dir.resolve(file));
                    }
                    final long sized = Math.max(context.indexEntries(), 2 * journalRecords);
                    indexes = new ShardIndexes(dir, sized, point, IndexRecovery.REBUILT, "rebuilding from the "
                        + "journal: " + (clean != null && context.reuseCleanIndex()
                        ? "the clean-shutdown marker does not match the journal, and " : "") + refusal, false, 0, 0);
                    final int first = journal.oldestCycle();
                    point.journal(first,
                        fileKey(first == IndexRecoveryPoint.NO_CYCLE ? null : journal.cycleFile(first)));
                    point.applied(IndexRecoveryPoint.NOTHING_APPLIED, 0, 0, 0, 0, 0);
                    point.owner(bootId, pid, sized, mapsKey(dir));
                }
            }
            point.exit();
            LOG.info("index of {}: {}", dir.getParent() == null ? dir : dir.getParent().getFileName(),
                indexes.reason);
            return indexes;
        }
        catch (final IOException ex)
        {
            closeQuietly(point);
            throw new UncheckedIOException("cannot open the message indexes in " + dir, ex);
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(point);
            throw ex;
        }
    }

    /**
     * @return null if the maps may be reused at their recovery point, else why not (for the log).
     */
    private static String reuseRefusal(final IndexRecoveryPoint point, final boolean leftBusy, final Path dir,
        final Journal journal, final long journalRecords, final EmbeddedStoreContext context,
        final JournalRecord applied)
    {
        if (!context.reuseIndexAfterKill())
        {
            return StorageConfiguration.REUSE_INDEX_AFTER_KILL_PROP_NAME + " is false";
        }
        if (context.refuseOnDamage())
        {
            return StorageConfiguration.ON_DAMAGE_PROP_NAME + "=refuse verifies every record before serving";
        }
        if (!point.formatted())
        {
            return point.state() == IndexRecoveryPoint.STATE_NONE ? "no recovery point (first start, or the last "
                + "process stopped cleanly with reuse off)" : "the recovery point has another layout or index format";
        }
        if (point.state() != IndexRecoveryPoint.STATE_VALID)
        {
            return "the recovery point says " + IndexRecoveryPoint.describe(point.state());
        }
        if (context.bootId() == null)
        {
            return "this system has no boot id (" + BootId.LINUX + ")";
        }
        if (!point.sameBoot(context.bootId()))
        {
            return "the machine restarted since the maps were last written (another boot id): pages of them may "
                + "never have reached the disk";
        }
        if (leftBusy)
        {
            return "the process that used them (pid " + point.pid() + ") died inside an index update";
        }
        final long address = point.appliedAddress();
        if (address == IndexRecoveryPoint.APPLIED_UNKNOWN)
        {
            return "no recovery point was recorded since the maps were reopened after a clean stop";
        }
        for (final String file : FILES)
        {
            if (!Files.isRegularFile(dir.resolve(file)))
            {
                return "the index file " + file + " is missing";
            }
        }
        if (mapsKey(dir) != point.mapsKey())
        {
            return "the index files were replaced since";
        }
        if (address != IndexRecoveryPoint.NOTHING_APPLIED)
        {
            final int first = journal.oldestCycle();
            if (first != point.firstCycle() || first == IndexRecoveryPoint.NO_CYCLE
                || fileKey(journal.cycleFile(first)) != point.journalKey())
            {
                return "the message journal's files changed since (its oldest file was deleted or replaced)";
            }
            final String at = "the record at the recovery point (message " + point.appliedId() + " at journal "
                + "address " + Long.toHexString(address) + ")";
            final JournalRecordCodec codec = new JournalRecordCodec();
            final int status = journal.read(address, applied, codec);
            if (status == Journal.READ_MISSING)
            {
                return at + " is not in the journal";
            }
            if (status == Journal.READ_DAMAGED)
            {
                return at + " is damaged: " + applied.problem();
            }
            final int length = applied.bodyOffset() + applied.bodyLength();
            final boolean checked = applied.bodyOffset() == JournalRecordCodec.CHECKED_HEADER;
            if (length != point.appliedLength()
                || (checked ? JournalRecordCodec.storedChecksum(applied.buffer(), 0) : 0) != point.appliedCrc()
                || applied.bodyLength() < JournalRecordCodec.TOMBSTONE_LENGTH
                || JournalRecordCodec.messageIdOf(applied.kind(), applied.buffer(), applied.bodyOffset())
                    != point.appliedId())
            {
                return at + " is another record in the journal";
            }
        }
        if (journalRecords >= point.messageEntries() * (long)(OffHeapTable.MAX_BLOAT_FACTOR / 4))
        {
            return "the journal (" + journalRecords + " records) outgrew the maps (sized for "
                + point.messageEntries() + ")";
        }
        return null;
    }

    private static String describePoint(final IndexRecoveryPoint point, final Properties clean)
    {
        final long address = point.appliedAddress();
        return "reused at its recovery point after the process " + (point.pid() != 0 ? "(pid " + point.pid() + ") "
            : "") + "stopped without closing them, on this boot" + (clean != null ? " (the clean-shutdown marker "
            + "did not match the journal)" : "") + ": " + (address == IndexRecoveryPoint.NOTHING_APPLIED
            ? "no record applied yet" : "applied through message " + point.appliedId() + " at journal address "
            + Long.toHexString(address)) + "; the records after it are replayed, the ones before it verified in the "
            + "background";
    }

    /**
     * A recovery point carried through a clean close matches the marker (the close synced it with the maps).
     */
    private static boolean pointMatchesClean(final IndexRecoveryPoint point, final Path dir, final long entries,
        final long records, final long live)
    {
        return point.formatted() && point.state() == IndexRecoveryPoint.STATE_VALID
            && point.appliedAddress() != IndexRecoveryPoint.APPLIED_UNKNOWN && point.messageEntries() == entries
            && point.indexedRecords() == records && point.liveMessages() == live && point.mapsKey() == mapsKey(dir);
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
     * @param file a file, or null.
     * @return a hash of its identity (device and inode), 0 if it does not exist.
     */
    static long fileKey(final Path file)
    {
        if (file == null)
        {
            return 0;
        }
        try
        {
            final Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key == null ? 1 : IndexRecoveryPoint.fnv(key.toString(), 0xcbf29ce484222325L);
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    private static long mapsKey(final Path dir)
    {
        long key = 17;
        for (final String file : FILES)
        {
            key = key * 31 + fileKey(dir.resolve(file));
        }
        return key;
    }

    /**
     * @return how the maps came back.
     */
    IndexRecovery recovery()
    {
        return recovery;
    }

    /**
     * @return why, for logs.
     */
    String reason()
    {
        return reason;
    }

    /**
     * @return the maps' recovery point (the store keeps it current).
     */
    IndexRecoveryPoint point()
    {
        return point;
    }

    /**
     * @return whether the record at the recovery point is a checked one ({@link IndexRecovery#REUSED_AT_RECOVERY_POINT}).
     */
    boolean appliedChecked()
    {
        return appliedChecked;
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
        closeMaps();
        try
        {
            for (final String file : FILES)
            {
                forceFile(dir.resolve(file));
            }
            point.force(); // the marker vouches for the point too: it must not be older than the maps on disk
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
        catch (final IOException | UncheckedIOException ex)
        {
            LOG.warn("could not mark the indexes in {} clean: they will be rebuilt at the next start", dir, ex);
        }
        finally
        {
            point.close();
        }
    }

    @Override
    public void close()
    {
        try
        {
            closeMaps();
        }
        finally
        {
            point.close();
        }
    }

    private void closeMaps()
    {
        point.enter();
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
                try
                {
                    pins.close();
                }
                finally
                {
                    point.exit();
                }
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
