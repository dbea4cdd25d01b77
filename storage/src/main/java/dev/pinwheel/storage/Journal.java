package dev.pinwheel.storage;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import dev.pinwheel.core.store.StoreUnavailableException;
import net.openhft.chronicle.wire.Wires;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * One Chronicle Queue of a shard (its state journal or its message journal) with what the store needs around it:
 * one appender, reads by address, group commit and retention of daily cycle files.
 * <pre>
 *   &lt;dir&gt;/20260612F.cq4   one file per UTC day (FAST_DAILY): records + Chronicle's index of them
 *   &lt;dir&gt;/metadata.cq4t  Chronicle's directory listing and write lock
 * </pre>
 * <b>Addresses.</b> A record is found again by its address, {@code cycle << 40 | position of its first byte in the
 * cycle file} ({@link #address}), read straight from a read-only mapping of the file ({@link #read}): one memory
 * access instead of Chronicle's index lookup and header scan ({@code moveToIndex}), 2-4x faster for a page of
 * history. Chronicle never moves or rewrites a complete record, so an address stays valid until retention deletes
 * the file.
 * <p>
 * <b>Group commit.</b> Appends never sync. {@link #sync()} makes everything appended since the previous call durable
 * with one {@code fdatasync} per cycle file written (one in practice; two across midnight UTC), which writes the
 * dirty pages of the memory-mapped file — records, Chronicle's index and header — and flushes the device cache; a
 * cycle file new since the previous call also gets {@code metadata.cq4t} and the directory synced, so the file
 * itself survives a power cut. On Linux {@code fdatasync} of a file covers pages dirtied through any shared mapping
 * of it, exactly as {@code msync(MS_SYNC)} of those pages would.
 * <p>
 * <b>Retention.</b> With {@code retentionDays > 0}, cycle files older than that many days (the current day counts
 * as one) are deleted when the journal opens and when the appender starts a new day.
 * <p>
 * <b>Not thread-safe:</b> owned by one {@link ChronicleShardStore}.
 */
final class Journal implements AutoCloseable
{
    /** Roll cycle of every journal: one file per UTC day. */
    static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;

    /**
     * Records between two entries of Chronicle's index (FAST_DAILY's default is 256). A random read
     * ({@code moveToIndex}) scans at most this many headers forward from the nearest indexed record. A cycle holds at
     * most 4096 × 4096 × this many records: 67 million per shard per day.
     */
    static final int INDEX_SPACING = 4;

    /**
     * Bytes Chronicle maps at a time from a cycle file. A random read in another block than the tailer's current one
     * costs an mmap and an munmap (10+ µs); 1 GiB keeps a day of a busy shard in one or two blocks. Cycle files are
     * sparse: only written pages take disk.
     */
    static final long BLOCK_SIZE = 1L << 30;

    /** Bits of a record's position in its cycle file within an address (1 TiB). */
    static final int POSITION_BITS = 40;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    private static final long READ_OVERLAP = 1L << 20;
    /** Cycle files mapped for reads at most (each holds a file descriptor); more and all are unmapped. */
    static final int MAX_READERS = 16;

    /** Suffix of a cycle file. */
    static final String CYCLE_SUFFIX = ".cq4";

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final DateTimeFormatter CYCLE_NAME = DateTimeFormatter.ofPattern(ROLL_CYCLE.format());
    private static final int NO_CYCLE = Integer.MIN_VALUE;

    static
    {
        if (ROLL_CYCLE.lengthInMillis() != 24 * 60 * 60 * 1000)
        {
            throw new ExceptionInInitializerError("cycle file names assume daily cycles");
        }
    }

    private final String name;
    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final int retentionDays;
    private final Int2ObjectHashMap<CycleReader> readers = new Int2ObjectHashMap<>();
    private final boolean groupCommit;
    private final IntArrayList unsyncedCycles = new IntArrayList();
    private final StorageHousekeeper housekeeper;
    private final JournalSpace space;
    private int lastAppendCycle = NO_CYCLE;
    private long lastAppendEnd;
    private int deletedAfterOpen;
    private boolean opened;
    private int highestSyncedCycle = NO_CYCLE;
    private FileChannel syncChannel;
    private int syncChannelCycle = NO_CYCLE;

    /**
     * Opens (creating if needed) a journal and applies retention.
     *
     * @param name          "state" or "messages" (logs).
     * @param dir           its directory.
     * @param clock         the clock it rolls by.
     * @param retentionDays days of cycles kept, 0 = all.
     * @param groupCommit   whether {@link #sync()} will be called (else appends are not tracked).
     * @param housekeeper   reserves disk ahead of the appends, checks free space, deletes expired files.
     * @param preallocate   bytes of disk kept reserved ahead of the appends.
     */
    Journal(final String name, final Path dir, final TimeProvider clock, final int retentionDays,
        final boolean groupCommit, final StorageHousekeeper housekeeper, final long preallocate)
    {
        this.name = name;
        this.dir = dir;
        this.retentionDays = retentionDays;
        this.groupCommit = groupCommit;
        this.housekeeper = housekeeper;
        this.queue = builder(dir, clock).build();
        try
        {
            EmbeddedStoreFactory.releaseLockOfEarlierSelf(queue, dir);
            this.appender = queue.createAppender();
            if (retentionDays > 0)
            {
                deleteExpiredCycles(queue.cycle(), false);
            }
            final int last = newestCycle();
            if (last != NO_CYCLE)
            {
                lastAppendCycle = last;
                lastAppendEnd = endOfWrittenData(last);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            queue.close();
            throw ex;
        }
        this.space = new JournalSpace(this::cycleFile, preallocate);
        if (lastAppendCycle != NO_CYCLE)
        {
            space.wrote(lastAppendCycle, lastAppendEnd);
        }
        housekeeper.watch(space, queue::cycle, name + " " + dir);
        opened = true;
    }

    private int newestCycle()
    {
        int newest = NO_CYCLE;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + CYCLE_SUFFIX))
        {
            for (final Path file : files)
            {
                newest = Math.max(newest, cycleOf(file));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list journal " + dir, ex);
        }
        return newest;
    }

    /**
     * @return the oldest cycle with a file, or {@link Integer#MIN_VALUE} if the journal has none.
     */
    int oldestCycle()
    {
        int oldest = Integer.MAX_VALUE;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + CYCLE_SUFFIX))
        {
            for (final Path file : files)
            {
                final int cycle = cycleOf(file);
                if (cycle != NO_CYCLE)
                {
                    oldest = Math.min(oldest, cycle);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list journal " + dir, ex);
        }
        return oldest == Integer.MAX_VALUE ? NO_CYCLE : oldest;
    }

    /**
     * Where the data of a cycle file ends: past the last complete document (Chronicle's write position) and any
     * complete document after it.
     */
    private long endOfWrittenData(final int cycle)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null)
        {
            return 0;
        }
        final long writePosition;
        final boolean padded;
        try
        {
            writePosition = store.writePosition();
            padded = store.dataVersion() > 0;
        }
        finally
        {
            queue.closeStore(store);
        }
        try (FileChannel file = FileChannel.open(cycleFile(cycle), StandardOpenOption.READ))
        {
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(Integer.BYTES)
                .order(java.nio.ByteOrder.nativeOrder());
            long p = writePosition;
            while (true)
            {
                header.clear();
                if (file.read(header, p) < Integer.BYTES)
                {
                    return p;
                }
                final int h = header.getInt(0);
                if (h == 0 || Wires.isNotComplete(h))
                {
                    return p;
                }
                p += Integer.BYTES + Wires.lengthOf(h);
                if (padded)
                {
                    p += -p & 3;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read journal file " + cycleFile(cycle), ex);
        }
    }

    /** Room an append needs past its own record: an index block Chronicle may add (32 KiB) and a new file's header. */
    private static final long APPEND_SLACK = 128 << 10;

    /**
     * Owner thread, before an append: the filesystem has the configured reserve free and the bytes the append will
     * write are reserved (so no write through the mapping can meet a full disk). Nothing is written otherwise.
     *
     * @param length the record's length.
     * @throws StoreUnavailableException ({@link StoreUnavailableException.Reason#DISK_FULL}) if not.
     */
    void beforeAppend(final int length)
    {
        if (!housekeeper.spaceForWrites())
        {
            throw new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL,
                "the disk of the data directory has " + (housekeeper.usableBytes() >> 20) + " MiB free, below the "
                + "reserve of " + (housekeeper.reserveBytes() >> 20) + " MiB (pinwheel.storage.min-free-bytes): "
                + "nothing was written; free disk space and try again");
        }
        final int cycle = queue.cycle();
        final long from = cycle == lastAppendCycle ? lastAppendEnd : 0;
        final long needed = from + length + APPEND_SLACK;
        if (!space.covers(cycle, needed))
        {
            try
            {
                space.reserve(cycle, from, needed);
            }
            catch (final IOException ex)
            {
                throw new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL,
                    "the disk of the data directory is full (" + ex.getMessage() + "): nothing was written; free "
                    + "disk space and try again");
            }
        }
    }

    /**
     * The one place a journal queue is configured (tests open raw queues on a journal through it too).
     *
     * @param dir   the journal directory.
     * @param clock the roll clock.
     * @return a builder for the journal's queue.
     */
    static SingleChronicleQueueBuilder builder(final Path dir, final TimeProvider clock)
    {
        return SingleChronicleQueueBuilder.binary(dir)
            .rollCycle(ROLL_CYCLE)
            .indexSpacing(INDEX_SPACING)
            .blockSize(BLOCK_SIZE)
            .timeProvider(clock)
            .checkInterrupts(false)
            .storeFileListener(StoreFileListener.noOp())
            .syncMode(SyncMode.NONE); // durability is ours: see sync()
    }

    /**
     * @return the queue.
     */
    SingleChronicleQueue queue()
    {
        return queue;
    }

    /**
     * @return the appender (owner thread only); a record's address is {@link #address}(appender cycle, write
     *         position when its document was opened).
     */
    ExcerptAppender appender()
    {
        return appender;
    }

    /**
     * @param cycle    a cycle.
     * @param position the position of a record's first byte (after Chronicle's 4-byte header) in its cycle file.
     * @return the record's address.
     */
    static long address(final int cycle, final long position)
    {
        return (long)cycle << POSITION_BITS | position;
    }

    /** {@link #read} found the record, intact. */
    static final int READ_OK = 0;
    /** {@link #read} found no record there (its file deleted by retention, a position past the end...). */
    static final int READ_MISSING = 1;
    /** {@link #read} found a record whose checksum or framing is wrong. */
    static final int READ_DAMAGED = 2;
    /** Largest record {@link #read} believes (a damaged length field must not make it copy gigabytes). */
    static final int MAX_RECORD_BYTES = 64 << 20;

    /**
     * Reads and verifies the record at an address: a checked record is framed and verified by itself (a damaged
     * Chronicle header does not hide it); a legacy record needs a ready header and is not verified.
     *
     * @param address from {@link #address}.
     * @param into    receives a copy of the record; on {@link #READ_OK} its kind and body.
     * @param codec   the owner's codec (checksums).
     * @return {@link #READ_OK}, {@link #READ_MISSING} or {@link #READ_DAMAGED} (then {@code into.problem} says why).
     */
    int read(final long address, final JournalRecord into, final JournalRecordCodec codec)
    {
        final int cycle = (int)(address >>> POSITION_BITS);
        final long position = address & POSITION_MASK;
        final CycleReader reader = reader(cycle);
        if (reader == null || position < Integer.BYTES || !reader.covers(position + JournalRecordCodec.CHECKED_HEADER))
        {
            return READ_MISSING;
        }
        final MappedBytes bytes = reader.bytes;
        final byte kind = bytes.readByte(position);
        final int header = bytes.readVolatileInt(position - Integer.BYTES);
        final long length;
        if (JournalRecordCodec.isChecked(kind))
        {
            final int body = bytes.readInt(position + 1);
            length = JournalRecordCodec.CHECKED_HEADER + (long)body;
            if (body < 0 || length > MAX_RECORD_BYTES || !reader.covers(position + length))
            {
                return into.damaged("implausible record length " + body);
            }
        }
        else
        {
            if (!Wires.isReadyData(header))
            {
                return header == 0 ? READ_MISSING : into.damaged("no checksummed record and no complete header");
            }
            length = Wires.lengthOf(header);
            if (!reader.covers(position + length))
            {
                return into.damaged("document length " + length + " runs past the end of the file");
            }
        }
        final byte[] copy = into.ensure((int)length);
        bytes.readLimit(position + length);
        bytes.readPosition(position);
        bytes.read(copy, 0, (int)length);
        if (JournalRecordCodec.isChecked(kind))
        {
            if (codec.checksum(copy, 0, (int)length) != JournalRecordCodec.storedChecksum(into.buffer(), 0))
            {
                return into.damaged("checksum mismatch");
            }
            return into.ok(JournalRecordCodec.baseKind(kind), JournalRecordCodec.CHECKED_HEADER,
                (int)length - JournalRecordCodec.CHECKED_HEADER);
        }
        if (kind != JournalRecordCodec.STATE && kind != JournalRecordCodec.MESSAGE
            && kind != JournalRecordCodec.TOMBSTONE)
        {
            return into.damaged("unknown record kind " + kind);
        }
        return into.ok(kind, 1, (int)length - 1);
    }

    /** The read-only mapping of a cycle file, opened on first use; null if the file does not exist. */
    private CycleReader reader(final int cycle)
    {
        CycleReader reader = readers.get(cycle);
        if (reader == null)
        {
            if (readers.size() >= MAX_READERS)
            {
                releaseReaders(); // rare: reads spread over more than MAX_READERS days of history
            }
            try
            {
                reader = new CycleReader(
                    MappedBytes.mappedBytes(cycleFile(cycle).toFile(), BLOCK_SIZE, READ_OVERLAP, true));
            }
            catch (final FileNotFoundException ex)
            {
                return null;
            }
            readers.put(cycle, reader);
        }
        return reader;
    }

    /**
     * A read-only mapping of one cycle file and the file's size as last seen: a position past it is never touched
     * (a mapped page past the end of a file faults), and the size is asked again only when a read reaches past it.
     */
    private static final class CycleReader
    {
        final MappedBytes bytes;
        long size;

        CycleReader(final MappedBytes bytes)
        {
            this.bytes = bytes;
            this.size = bytes.mappedFile().actualSize();
        }

        boolean covers(final long end)
        {
            if (end <= size)
            {
                return true;
            }
            size = bytes.mappedFile().actualSize();
            return end <= size;
        }
    }

    /**
     * @return the directory.
     */
    Path dir()
    {
        return dir;
    }

    /**
     * Call after every append: tracks the cycle files that {@link #sync()} must sync and where the data ends, and
     * applies retention when a new day starts (the files are deleted by the housekeeper, off this thread).
     *
     * @param position where the record starts.
     * @param length   its length.
     */
    void appended(final long position, final int length)
    {
        final int cycle = appender.cycle();
        if (cycle != lastAppendCycle)
        {
            if (lastAppendCycle != NO_CYCLE && retentionDays > 0 && cycle > lastAppendCycle)
            {
                deleteExpiredCycles(cycle, true);
            }
            lastAppendCycle = cycle;
        }
        lastAppendEnd = position + length;
        if (space.wrote(cycle, lastAppendEnd))
        {
            housekeeper.wake();
        }
        if (groupCommit && (unsyncedCycles.isEmpty() || unsyncedCycles.getInt(unsyncedCycles.size() - 1) != cycle))
        {
            unsyncedCycles.addInt(cycle);
        }
    }

    /**
     * @return the address right after the last record appended (or, before any append since opening, after the
     *         journal's written data): the next record lies at or past it; -1 if the journal has no cycle file yet.
     */
    long endAddress()
    {
        return lastAppendCycle == NO_CYCLE ? -1 : address(lastAppendCycle, lastAppendEnd);
    }

    /**
     * Touches the page the next append will write (best effort; owner thread only).
     */
    void pretouch()
    {
        if (lastAppendCycle != NO_CYCLE && !readers.containsKey(lastAppendCycle))
        {
            reader(lastAppendCycle); // map today's file for reads now, not in the middle of a read request
        }
        if (!space.covers(lastAppendCycle, lastAppendEnd + APPEND_SLACK))
        {
            return; // the page after the end may have no disk block yet: touching it could fault on a full disk
        }
        try
        {
            if (appender instanceof net.openhft.chronicle.queue.util.MicroTouched touched)
            {
                touched.microTouch();
            }
        }
        catch (final RuntimeException ex)
        {
            // best effort: the append itself will fault the page in
        }
    }

    /**
     * Makes every record appended since the previous call durable on the device (see the class comment).
     *
     * @return number of cycle files synced (0 if nothing was appended).
     */
    int sync()
    {
        final int n = unsyncedCycles.size();
        if (n == 0)
        {
            return 0;
        }
        try
        {
            boolean newFile = false;
            for (int i = 0; i < n; i++)
            {
                final int cycle = unsyncedCycles.getInt(i);
                channelFor(cycle).force(false);
                if (cycle > highestSyncedCycle)
                {
                    newFile = true;
                    highestSyncedCycle = cycle;
                }
            }
            if (newFile) // the file's directory entry and Chronicle's listing of it
            {
                forceFile(dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE));
                forceFile(dir);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot sync journal " + dir, ex);
        }
        unsyncedCycles.clear();
        return n;
    }

    /**
     * @return cycle files retention deleted after the journal was opened (the indexes still list their records).
     */
    int deletedAfterOpen()
    {
        return deletedAfterOpen;
    }

    /**
     * @return index of the last record, or -1 if the journal is empty.
     */
    long lastIndex()
    {
        return queue.lastIndex();
    }

    /**
     * @return number of records in the journal's cycles.
     */
    long recordCount()
    {
        return queue.entryCount();
    }

    /**
     * @return bytes the journal's records occupy on disk (allocated blocks: cycle files are sparse), not counting the
     *         space reserved ahead of the appends.
     */
    long diskBytes()
    {
        return space.writtenBytes(dir, lastAppendCycle, lastAppendEnd);
    }

    /**
     * Deletes the cycle files older than the retention allows.
     *
     * @param currentCycle the cycle of today.
     * @param offThread    true: the housekeeper unlinks them (an owner thread must not wait for that); false: now.
     * @return number of files deleted (or queued for deletion).
     */
    int deleteExpiredCycles(final int currentCycle, final boolean offThread)
    {
        final long oldestKept = (long)currentCycle - retentionDays + 1;
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + CYCLE_SUFFIX))
        {
            for (final Path file : files)
            {
                final int cycle = cycleOf(file);
                if (cycle != NO_CYCLE && cycle < oldestKept)
                {
                    final CycleReader reader = readers.remove(cycle);
                    if (reader != null)
                    {
                        reader.bytes.releaseLast();
                    }
                    if (offThread)
                    {
                        housekeeper.delete(file);
                        deleted++;
                        continue;
                    }
                    try
                    {
                        Files.delete(file);
                        deleted++;
                        LOG.info("{} journal: deleted cycle {} ({} days kept)", name, file, retentionDays);
                    }
                    catch (final NoSuchFileException ignore)
                    {
                        // deleted by someone else
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.error("{} journal: cannot apply retention in {}", name, dir, ex);
        }
        if (deleted > 0)
        {
            if (!offThread)
            {
                queue.refreshDirectoryListing();
            }
            if (opened)
            {
                deletedAfterOpen += deleted;
            }
        }
        return deleted;
    }

    /**
     * @param file a file of the journal.
     * @return its cycle, or {@link Integer#MIN_VALUE} if it is not a cycle file.
     */
    static int cycleOf(final Path file)
    {
        final String fileName = file.getFileName().toString();
        if (!fileName.endsWith(CYCLE_SUFFIX))
        {
            return NO_CYCLE;
        }
        try
        {
            return (int)LocalDate.parse(fileName.substring(0, fileName.length() - CYCLE_SUFFIX.length()), CYCLE_NAME)
                .toEpochDay();
        }
        catch (final DateTimeParseException ex)
        {
            return NO_CYCLE;
        }
    }

    /**
     * @param cycle a cycle (days since 1970-01-01 UTC).
     * @return its file.
     */
    Path cycleFile(final int cycle)
    {
        return dir.resolve(LocalDate.ofEpochDay(cycle).format(CYCLE_NAME) + CYCLE_SUFFIX);
    }

    @Override
    public void close()
    {
        housekeeper.unwatch(space);
        try
        {
            closeSyncChannel();
            releaseReaders();
        }
        finally
        {
            appender.close();
            queue.close();
        }
    }

    private void releaseReaders()
    {
        final Int2ObjectHashMap<CycleReader>.ValueIterator values = readers.values().iterator();
        while (values.hasNext())
        {
            values.next().bytes.releaseLast();
        }
        readers.clear();
    }

    /**
     * Chronicle's appender and tailer check that one thread uses them; the store moves with its owner thread.
     */
    void ownerChanged()
    {
        appender.singleThreadedCheckReset();
        final Int2ObjectHashMap<CycleReader>.ValueIterator values = readers.values().iterator();
        while (values.hasNext())
        {
            values.next().bytes.singleThreadedCheckReset();
        }
    }

    private FileChannel channelFor(final int cycle) throws IOException
    {
        if (syncChannelCycle != cycle)
        {
            closeSyncChannel();
            syncChannel = FileChannel.open(cycleFile(cycle), StandardOpenOption.READ);
            syncChannelCycle = cycle;
        }
        return syncChannel;
    }

    private void closeSyncChannel()
    {
        if (syncChannel != null)
        {
            try
            {
                syncChannel.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("{} journal: cannot close {}", name, dir, ex);
            }
            syncChannel = null;
            syncChannelCycle = NO_CYCLE;
        }
    }

    private static void forceFile(final Path path) throws IOException
    {
        if (Files.exists(path))
        {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
            {
                channel.force(true);
            }
        }
    }
}
