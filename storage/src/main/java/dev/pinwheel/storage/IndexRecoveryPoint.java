package dev.pinwheel.storage;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The recovery point of a shard's index maps (Kafka's idea): one memory-mapped page beside the maps, saying which
 * prefix of the message journal the maps hold exactly, and whether the process was inside a map operation when it
 * died. Like the maps it is a shared mapping of a file: every store a killed process made into it is in the page
 * cache, so the next process on the same boot reads it exactly as it was at the instant of the kill.
 * <pre>
 *  0       4        8              12      16                     32      36      40
 *  +-------+--------+--------------+-------+----------------------+-------+-------+
 *  | magic | layout | index format | busy  | boot id (2 × i64)    | state | pid   |
 *  +-------+--------+--------------+-------+----------------------+-------+-------+
 *  40                48            52    56            64          72
 *  +-----------------+-------------+-----+-------------+-----------+
 *  | message entries | first cycle | pad | journal key | maps key  |
 *  +-----------------+-------------+-----+-------------+-----------+
 *  72                80               84            88           96              104               112
 *  +-----------------+----------------+-------------+------------+---------------+-----------------+
 *  | applied address | applied length | applied crc | applied id | live messages | indexed records |
 *  +-----------------+----------------+-------------+------------+---------------+-----------------+
 * (native byte order)
 *  busy:     1 while the owner thread is inside any map access (reads too: a read takes a segment lock in the
 *            map's shared memory), set before the first map store, cleared after the last (a release store)
 *  state:    VALID: the maps hold exactly the records up to and including the applied one; otherwise why not
 *  applied:  the last message journal record whose index updates completed: its address, length (the document's),
 *            CRC32C and message id; {@link #NOTHING_APPLIED} (empty maps) or {@link #APPLIED_UNKNOWN}
 *  first cycle, journal key: the oldest cycle file of the message journal and its file identity (device, inode)
 *  maps key: the file identities of the four map files
 * </pre>
 * Every field but {@code busy} is written inside the critical section it describes (between {@link #enter()} and
 * {@link #exit()}), so a kill half-way through updating them leaves {@code busy} set. The file is never synced: it
 * only speaks for the boot it was written in (a new boot id makes it void).
 * <p>
 * <b>Not thread-safe</b>: owned by one {@link ShardIndexes} and its store's thread.
 */
final class IndexRecoveryPoint implements AutoCloseable
{
    /** The file, in {@code <shard>/index}. */
    static final String FILE = "recovery-point.dat";

    static final int MAGIC_OFFSET = 0;
    static final int LAYOUT_OFFSET = 4;
    static final int INDEX_FORMAT_OFFSET = 8;
    static final int BUSY_OFFSET = 12;
    static final int BOOT_ID_OFFSET = 16;
    static final int STATE_OFFSET = 32;
    static final int PID_OFFSET = 36;
    static final int MESSAGE_ENTRIES_OFFSET = 40;
    static final int FIRST_CYCLE_OFFSET = 48;
    static final int JOURNAL_KEY_OFFSET = 56;
    static final int MAPS_KEY_OFFSET = 64;
    static final int APPLIED_ADDRESS_OFFSET = 72;
    static final int APPLIED_LENGTH_OFFSET = 80;
    static final int APPLIED_CRC_OFFSET = 84;
    static final int APPLIED_ID_OFFSET = 88;
    static final int LIVE_MESSAGES_OFFSET = 96;
    static final int INDEXED_RECORDS_OFFSET = 104;
    static final int LENGTH = 4096;

    static final int MAGIC = 0x50525750; // "PWRP" little-endian
    static final int LAYOUT = 1;

    /** {@code state}: a new file; nothing is known. */
    static final int STATE_NONE = 0;
    /** {@code state}: the maps hold exactly the journal's records through the applied one. */
    static final int STATE_VALID = 1;
    /** {@code state}: the maps are being rebuilt from the journal. */
    static final int STATE_REBUILDING = 2;
    /** {@code state}: an index update failed half-way; the maps disagree with the journal. */
    static final int STATE_INDEX_FAILED = 3;
    /** {@code state}: retention deleted journal files the maps still point into. */
    static final int STATE_RETENTION = 4;

    /** {@code applied address}: no record yet; the maps are empty. */
    static final long NOTHING_APPLIED = -1;
    /** {@code applied address}: the maps hold every record, but which one is last was not recorded. */
    static final long APPLIED_UNKNOWN = -2;
    /** {@code first cycle}: the journal has no cycle file yet. */
    static final int NO_CYCLE = Integer.MIN_VALUE;

    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;

    private IndexRecoveryPoint(final Path file, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
    }

    /**
     * Maps the file, creating it (zeroed: {@link #STATE_NONE}) if missing.
     *
     * @param dir the index directory.
     * @return the recovery point.
     */
    static IndexRecoveryPoint open(final Path dir)
    {
        final Path file = dir.resolve(FILE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH);
            return new IndexRecoveryPoint(file, mapped);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map the index recovery point " + file, ex);
        }
    }

    /**
     * @return whether the file has this layout and this index format (otherwise nothing in it is meaningful).
     */
    boolean formatted()
    {
        return buffer.getInt(MAGIC_OFFSET) == MAGIC && buffer.getInt(LAYOUT_OFFSET) == LAYOUT
            && buffer.getInt(INDEX_FORMAT_OFFSET) == ShardIndexes.FORMAT;
    }

    // ------------------------------------------------------------------------------------------ the critical section

    /**
     * Before any access to the maps: marks the point busy, and orders that store before every store that follows
     * (the map's lock words and entries).
     */
    void enter()
    {
        buffer.putInt(BUSY_OFFSET, 1);
        VarHandle.storeStoreFence();
    }

    /**
     * After the last access to the maps: clears busy, ordered after every load and store before it (a release).
     */
    void exit()
    {
        buffer.putIntRelease(BUSY_OFFSET, 0);
    }

    /**
     * Inside a critical section: the maps now hold the journal through this record.
     *
     * @param address        its journal address.
     * @param length         its document's length.
     * @param crc            its CRC32C (0 for a legacy record).
     * @param id             the message id it carries (0 if none).
     * @param liveMessages   live messages in the maps.
     * @param indexedRecords message journal records the maps reflect.
     */
    void applied(final long address, final int length, final int crc, final long id, final long liveMessages,
        final long indexedRecords)
    {
        buffer.putLong(APPLIED_ADDRESS_OFFSET, address);
        buffer.putInt(APPLIED_LENGTH_OFFSET, length);
        buffer.putInt(APPLIED_CRC_OFFSET, crc);
        buffer.putLong(APPLIED_ID_OFFSET, id);
        buffer.putLong(LIVE_MESSAGES_OFFSET, liveMessages);
        buffer.putLong(INDEXED_RECORDS_OFFSET, indexedRecords);
    }

    /**
     * Inside a critical section: the maps changed without a journal record (a damaged record dropped).
     *
     * @param liveMessages live messages in the maps.
     */
    void liveMessages(final long liveMessages)
    {
        buffer.putLong(LIVE_MESSAGES_OFFSET, liveMessages);
    }

    /**
     * Inside a critical section (or while the maps are closed): where the maps' journal starts.
     *
     * @param firstCycle its oldest cycle, or {@link #NO_CYCLE}.
     * @param journalKey that cycle file's identity.
     */
    void journal(final int firstCycle, final long journalKey)
    {
        buffer.putInt(FIRST_CYCLE_OFFSET, firstCycle);
        buffer.putLong(JOURNAL_KEY_OFFSET, journalKey);
    }

    /**
     * Writes who uses the maps from now on; call while the point is busy or the maps closed.
     *
     * @param bootId         this boot's id, or null.
     * @param pid            this process.
     * @param messageEntries the maps' sizing.
     * @param mapsKey        the map files' identity.
     */
    void owner(final String bootId, final long pid, final long messageEntries, final long mapsKey)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putInt(LAYOUT_OFFSET, LAYOUT);
        buffer.putInt(INDEX_FORMAT_OFFSET, ShardIndexes.FORMAT);
        buffer.putLong(BOOT_ID_OFFSET, bootIdHigh(bootId));
        buffer.putLong(BOOT_ID_OFFSET + Long.BYTES, bootIdLow(bootId));
        buffer.putInt(PID_OFFSET, (int)pid);
        buffer.putLong(MESSAGE_ENTRIES_OFFSET, messageEntries);
        buffer.putLong(MAPS_KEY_OFFSET, mapsKey);
    }

    /**
     * Says the maps no longer hold a prefix of the journal (sticky until a rebuild or a clean reopen sets
     * {@link #STATE_VALID} again); the store is ordered before any map store that follows.
     *
     * @param why {@link #STATE_REBUILDING}, {@link #STATE_INDEX_FAILED} or {@link #STATE_RETENTION}.
     */
    void invalidate(final int why)
    {
        buffer.putInt(STATE_OFFSET, why);
        VarHandle.storeStoreFence();
    }

    /**
     * Inside a critical section: the maps hold a prefix of the journal again.
     */
    void validate()
    {
        buffer.putInt(STATE_OFFSET, STATE_VALID);
    }

    // ------------------------------------------------------------------------------------------ reads

    int state()
    {
        return buffer.getInt(STATE_OFFSET);
    }

    boolean busy()
    {
        return buffer.getIntVolatile(BUSY_OFFSET) != 0;
    }

    int pid()
    {
        return buffer.getInt(PID_OFFSET);
    }

    boolean sameBoot(final String bootId)
    {
        return bootId != null && buffer.getLong(BOOT_ID_OFFSET) == bootIdHigh(bootId)
            && buffer.getLong(BOOT_ID_OFFSET + Long.BYTES) == bootIdLow(bootId);
    }

    long messageEntries()
    {
        return buffer.getLong(MESSAGE_ENTRIES_OFFSET);
    }

    int firstCycle()
    {
        return buffer.getInt(FIRST_CYCLE_OFFSET);
    }

    long journalKey()
    {
        return buffer.getLong(JOURNAL_KEY_OFFSET);
    }

    long mapsKey()
    {
        return buffer.getLong(MAPS_KEY_OFFSET);
    }

    long appliedAddress()
    {
        return buffer.getLong(APPLIED_ADDRESS_OFFSET);
    }

    int appliedLength()
    {
        return buffer.getInt(APPLIED_LENGTH_OFFSET);
    }

    int appliedCrc()
    {
        return buffer.getInt(APPLIED_CRC_OFFSET);
    }

    long appliedId()
    {
        return buffer.getLong(APPLIED_ID_OFFSET);
    }

    long liveMessages()
    {
        return buffer.getLong(LIVE_MESSAGES_OFFSET);
    }

    long indexedRecords()
    {
        return buffer.getLong(INDEXED_RECORDS_OFFSET);
    }

    /**
     * @return the file.
     */
    Path file()
    {
        return file;
    }

    /**
     * @param state a {@code state} value.
     * @return what it means, for logs.
     */
    static String describe(final int state)
    {
        return switch (state)
        {
            case STATE_NONE -> "no recovery point was ever written";
            case STATE_VALID -> "valid";
            case STATE_REBUILDING -> "a rebuild of the maps was interrupted";
            case STATE_INDEX_FAILED -> "an index update failed half-way";
            case STATE_RETENTION -> "retention deleted journal files the maps point into";
            default -> "unknown state " + state;
        };
    }

    /**
     * Writes the page to the disk (a clean close: the marker written next vouches for it).
     */
    void force()
    {
        mapped.force();
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    // ------------------------------------------------------------------------------------------ boot id

    private static long bootIdHigh(final String bootId)
    {
        if (bootId == null)
        {
            return 0;
        }
        try
        {
            return UUID.fromString(bootId).getMostSignificantBits();
        }
        catch (final IllegalArgumentException notAUuid)
        {
            return fnv(bootId, 0xcbf29ce484222325L);
        }
    }

    private static long bootIdLow(final String bootId)
    {
        if (bootId == null)
        {
            return 0;
        }
        try
        {
            return UUID.fromString(bootId).getLeastSignificantBits();
        }
        catch (final IllegalArgumentException notAUuid)
        {
            return fnv(bootId, 0x84222325cbf29ce4L);
        }
    }

    /**
     * @return a 64-bit FNV-1a hash of the text's chars from the given offset basis.
     */
    static long fnv(final CharSequence text, final long basis)
    {
        long h = basis;
        for (int i = 0; i < text.length(); i++)
        {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
