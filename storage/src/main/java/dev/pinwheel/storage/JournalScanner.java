package dev.pinwheel.storage;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.Wires;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads every record of a journal for recovery, straight from read-only mappings of its cycle files, checking each
 * record's CRC32C and never letting a damaged region hide the records after it.
 * <pre>
 *  cycle file:  [file header (meta)] [hdr|record] [hdr|index array (meta)] [hdr|record] ... [hdr|record] 0 0 0 ...
 *                                                                                          ^ Chronicle's writePosition
 *  hdr = Chronicle's 4-byte document header: bit 31 not complete, bit 30 metadata, bits 0-29 length
 * </pre>
 * Chronicle's own tailer stops for good at a header whose "not complete" bit is set — a flipped bit in the middle
 * of a journal used to silently drop every record after it (and every record appended later). This scanner walks
 * the documents itself:
 * <ul>
 *   <li>a ready data document holding a checked record is verified (CRC32C) and visited; a checksum mismatch loses
 *       that record only (framing comes from the header) and is reported;</li>
 *   <li>a document before the end of written data (Chronicle's {@code writePosition}, kept in the file's own
 *       header) whose header is not ready, zero or implausible is <em>damage</em>: if the checked record behind it
 *       is intact by its own framing and CRC, it is visited (only the header was hit, nothing lost); otherwise the
 *       scanner searches forward, byte by byte, for the next record that verifies, and reports the region in between
 *       ({@link JournalDamage});</li>
 *   <li>past the end of written data, the first header that is zero or not complete ends the file: a record torn by
 *       a crash in the middle of its append, never acknowledged.</li>
 * </ul>
 * Legacy records (written before checksums) are read unverified, as before; a scan cannot re-synchronise on them.
 * <p>
 * A scan may start after a given record ({@link #scanFrom}: the records after an index's recovery point) and may
 * stop before a given position ({@link #verify}: the records before it, checked in the background).
 * <p>
 * <b>Not thread-safe</b>: one scan at a time per instance; the store's owner thread runs its scans before the shard
 * serves, a {@link JournalVerifier} has an instance of its own (which touches no Chronicle object).
 */
final class JournalScanner
{
    /** Receives each intact record. */
    @FunctionalInterface
    interface RecordHandler
    {
        /**
         * @param address journal address of the record ({@link Journal#address}).
         * @param kind    {@link JournalRecordCodec#STATE}, {@link JournalRecordCodec#MESSAGE} or
         *                {@link JournalRecordCodec#TOMBSTONE}.
         * @param in      a buffer holding the record's body, valid during the call.
         * @param offset  the body's first byte in {@code in}.
         * @param length  the body's length.
         */
        void onRecord(long address, byte kind, DirectBuffer in, int offset, int length);
    }

    /** Receives each damaged region and each record that could not be decoded. */
    @FunctionalInterface
    interface DamageHandler
    {
        /**
         * @param damage what was found.
         */
        void onDamage(JournalDamage damage);
    }

    /** The extent of one cycle file as far as a scan is concerned. */
    record CycleExtent(int cycle, Path file, long end, boolean padded)
    {
    }

    /** Bytes mapped at a time. */
    private static final long WINDOW = 1L << 30;
    /** {@link #scanFile}: start at the file's own header. */
    private static final long FILE_START = -1;
    /** Documents between two looks at a scan's cancel flag. */
    private static final int CANCEL_CHECK_DOCUMENTS = 1024;
    /** How far past the end of written data a re-synchronisation looks for a record start. */
    private static final long RESYNC_TAIL = 16L << 20;

    private final JournalRecordCodec codec;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private FileChannel channel;
    private MappedByteBuffer window;
    private long windowBase;
    private long windowLength;
    private long fileSize;
    private Path file;
    private long records;
    private boolean checkedSeen;
    private boolean padded;
    private int lastLength;
    private int lastChecksum;
    private byte claimedKind;
    private long claimedChannel;
    private BooleanSupplier cancel;
    /** {@link #scanSlice}: the slice ends once this many records, or this many body bytes, were visited. */
    private long maxRecords = Long.MAX_VALUE;
    private long maxBytes = Long.MAX_VALUE;
    private long bytes;
    private boolean sliceFilled;
    /** The cycle a {@link #scanSlice} last looked up, and whether its file pads documents. */
    private int sliceCycle = Integer.MIN_VALUE;
    private boolean slicePadded;
    /**
     * The file a resumed {@link #scanSlice} keeps open and mapped for the next slice (one slice per duty cycle: opening
     * and mapping the file again each time was most of a slice's cost), with its size as last seen and its window.
     */
    private Path keptFile;
    private FileChannel keptChannel;
    private long keptSize;
    private MappedByteBuffer keptWindow;
    private long keptBase;
    private long keptLength;

    /**
     * @param codec the owner's codec (for checksums).
     */
    JournalScanner(final JournalRecordCodec codec)
    {
        this.codec = codec;
    }

    /**
     * Scans every cycle file of a journal, oldest first.
     *
     * @param journal the journal (its appender has not written since it was opened, or the scan sees the current
     *                end).
     * @param records receives intact records in journal order.
     * @param damage  receives damage and undecodable records.
     * @return intact records visited.
     */
    long scan(final Journal journal, final RecordHandler records, final DamageHandler damage)
    {
        return scanFrom(journal, Integer.MIN_VALUE, 0, false, records, damage);
    }

    /**
     * Scans the records after a given one: the rest of its cycle file, then every later cycle file.
     *
     * @param journal   the journal.
     * @param cycle     the given record's cycle ({@link Integer#MIN_VALUE}: scan everything).
     * @param end       the position in that cycle file right after the given record (its start plus its length).
     * @param checked   whether the given record was a checked one (a legacy record after it is then damage).
     * @param records   receives intact records in journal order.
     * @param damage    receives damage and undecodable records.
     * @return intact records visited.
     */
    long scanFrom(final Journal journal, final int cycle, final long end, final boolean checked,
        final RecordHandler records, final DamageHandler damage)
    {
        this.records = 0;
        this.checkedSeen = checked;
        this.cancel = null;
        unlimited();
        for (final int c : cycles(journal.dir()))
        {
            if (c < cycle)
            {
                continue;
            }
            final long writtenEnd = endOfWrittenData(journal.queue(), c);
            scanFile(journal.cycleFile(c), c, writtenEnd, c == cycle ? aligned(end) : FILE_START, Long.MAX_VALUE,
                records, damage);
        }
        return this.records;
    }

    /**
     * Scans one bounded slice of the records after a given one and before a stop position: a resumable read of a
     * journal that is being appended to (a catch-up reads the state journal this way, a slice per duty cycle). Where
     * to continue is the last visited record's address plus {@link #lastLength()}.
     *
     * @param journal    the journal.
     * @param cycle      the given record's cycle ({@link Integer#MIN_VALUE}: from the first record).
     * @param end        the position in that cycle file right after the given record.
     * @param stopCycle  the cycle of the stop position.
     * @param stopEnd    the stop position in that cycle file: a record that starts at or after it is not visited, nor
     *                   any of a later cycle.
     * @param maxRecords the slice ends once this many records were visited.
     * @param maxBytes   or once the bodies visited reach this many bytes.
     * @param records    receives intact records in journal order.
     * @param damage     receives damage and undecodable records.
     * @return intact records visited.
     */
    long scanSlice(final Journal journal, final int cycle, final long end, final int stopCycle, final long stopEnd,
        final int maxRecords, final int maxBytes, final RecordHandler records, final DamageHandler damage)
    {
        this.records = 0;
        this.checkedSeen = false; // what came before the slice is not known: a legacy record is read, as in a new scan
        this.cancel = null;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.bytes = 0;
        try
        {
            if (cycle == stopCycle && cycle == sliceCycle)
            {
                // resumed in the journal's last cycle (the common case: one file a day): no listing, no look at
                // Chronicle's header — every record before the stop is complete written data, and the file's
                // padding was read by an earlier slice — and the file is still open and mapped from that slice
                padded = slicePadded;
                scanKeptFile(journal.cycleFile(cycle), cycle, stopEnd, aligned(end), aligned(stopEnd), records,
                    damage);
                return this.records;
            }
            releaseKept();
            for (final int c : cycles(journal.dir()))
            {
                if (c < cycle)
                {
                    continue;
                }
                if (c > stopCycle || sliceFull())
                {
                    break;
                }
                final long writtenEnd = endOfWrittenData(journal.queue(), c);
                sliceCycle = c;
                slicePadded = padded;
                final Path file = journal.cycleFile(c);
                if (!Files.exists(file))
                {
                    continue; // deleted by retention since it was listed
                }
                scanFile(file, c, writtenEnd, c == cycle ? aligned(end) : FILE_START,
                    c == stopCycle ? aligned(stopEnd) : Long.MAX_VALUE, records, damage);
            }
        }
        finally
        {
            sliceFilled = sliceFull();
            unlimited();
            if (!sliceFilled)
            {
                releaseKept(); // this scan is over (another one in progress opens the file again)
            }
        }
        return this.records;
    }

    /**
     * Closes the file a resumed slice kept open; its mapping goes with its last reference. The store's thread, at
     * close, and whenever a slice ends a scan or reads another file.
     */
    void releaseKept()
    {
        if (keptChannel != null)
        {
            try
            {
                keptChannel.close();
            }
            catch (final IOException ex)
            {
                // read-only: nothing to lose
            }
        }
        keptFile = null;
        keptChannel = null;
        keptWindow = null;
        keptSize = 0;
        keptBase = 0;
        keptLength = 0;
    }

    /** {@link #scanFile} for a resumed slice: on the file and window kept from the slice before, opened once. */
    private void scanKeptFile(final Path path, final int cycle, final long end, final long from, final long until,
        final RecordHandler handler, final DamageHandler damage)
    {
        boolean failed = true;
        try
        {
            if (keptChannel == null || !path.equals(keptFile))
            {
                releaseKept();
                keptChannel = FileChannel.open(path, StandardOpenOption.READ);
                keptFile = path;
                keptSize = keptChannel.size();
            }
            if (keptSize < until)
            {
                keptSize = keptChannel.size(); // appended to since: a scan that began later stops further on
            }
            file = path;
            channel = keptChannel;
            fileSize = keptSize;
            window = keptWindow;
            windowBase = keptBase;
            windowLength = keptLength;
            if (window != null)
            {
                view.wrap(window);
            }
            scanOpenFile(cycle, end, from, until, handler, damage);
            keptWindow = window;
            keptBase = windowBase;
            keptLength = windowLength;
            failed = false;
        }
        catch (final IOException ex)
        {
            throw unreadable(path, ex);
        }
        finally
        {
            detach();
            if (failed)
            {
                releaseKept();
            }
        }
    }

    /**
     * @return whether the last {@link #scanSlice} ended because it visited what it may (else it reached its stop
     *         position or the journal's end: nothing is left to read before the stop).
     */
    boolean sliceFilled()
    {
        return sliceFilled;
    }

    /** @return whether a {@link #scanSlice} visited what it may. */
    private boolean sliceFull()
    {
        return records >= maxRecords || bytes >= maxBytes;
    }

    private void unlimited()
    {
        maxRecords = Long.MAX_VALUE;
        maxBytes = Long.MAX_VALUE;
        bytes = 0;
    }

    /**
     * The cycle files of a journal up to a cycle, with where their written data ends: what {@link #verify} needs,
     * taken on the journal's owner thread (it asks Chronicle).
     *
     * @param journal the journal.
     * @param last    the last cycle wanted.
     * @return the extents, oldest first.
     */
    List<CycleExtent> extents(final Journal journal, final int last)
    {
        final List<CycleExtent> extents = new ArrayList<>();
        for (final int c : cycles(journal.dir()))
        {
            if (c > last)
            {
                break;
            }
            final long end = endOfWrittenData(journal.queue(), c);
            extents.add(new CycleExtent(c, journal.cycleFile(c), end, padded));
        }
        return extents;
    }

    /**
     * Verifies the records before a position: every cycle file of {@code extents} from its start, the one of
     * {@code stopCycle} until {@code stopEnd}. Reads the files only (no Chronicle object): any thread may run it. A
     * cycle file deleted meanwhile (retention) is skipped.
     *
     * @param extents   from {@link #extents}.
     * @param stopCycle the cycle of the position.
     * @param stopEnd   the position in that cycle file: a record that starts at or after it is not visited.
     * @param records   receives intact records.
     * @param damage    receives damage and undecodable records.
     * @param cancelled polled every {@value #CANCEL_CHECK_DOCUMENTS} documents: true stops the scan.
     * @return intact records visited.
     */
    long verify(final List<CycleExtent> extents, final int stopCycle, final long stopEnd,
        final RecordHandler records, final DamageHandler damage, final BooleanSupplier cancelled)
    {
        this.records = 0;
        this.checkedSeen = false;
        this.cancel = cancelled;
        unlimited();
        try
        {
            for (final CycleExtent extent : extents)
            {
                if (extent.cycle() > stopCycle || cancelled.getAsBoolean())
                {
                    break;
                }
                padded = extent.padded();
                if (!Files.exists(extent.file()))
                {
                    continue; // deleted by retention since
                }
                scanFile(extent.file(), extent.cycle(), extent.end(), FILE_START,
                    extent.cycle() == stopCycle ? aligned(stopEnd) : Long.MAX_VALUE, records, damage);
            }
        }
        finally
        {
            this.cancel = null;
        }
        return this.records;
    }

    /**
     * @return the document length of the record just visited (inside {@link RecordHandler#onRecord}).
     */
    int lastLength()
    {
        return lastLength;
    }

    /**
     * @return the CRC32C of the record just visited, 0 for a legacy record (inside {@link RecordHandler#onRecord}).
     */
    int lastChecksum()
    {
        return lastChecksum;
    }

    /**
     * @return the base kind the damaged record claims (its unverified bytes), 0 if unreadable or not a lost
     *         record (inside {@link DamageHandler#onDamage}).
     */
    byte claimedKind()
    {
        return claimedKind;
    }

    /**
     * @return the channel a damaged message or tombstone claims (its unverified bytes), else 0 (inside
     *         {@link DamageHandler#onDamage}).
     */
    long claimedChannel()
    {
        return claimedChannel;
    }

    private static List<Integer> cycles(final Path dir)
    {
        final List<Integer> cycles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Journal.CYCLE_SUFFIX))
        {
            for (final Path f : files)
            {
                final int cycle = Journal.cycleOf(f);
                if (cycle != Integer.MIN_VALUE)
                {
                    cycles.add(cycle);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list journal " + dir, ex);
        }
        cycles.sort(null);
        return cycles;
    }

    /**
     * Chronicle keeps, in each cycle file's header, the position of the last complete document's header and the
     * data version (1: documents start at multiples of 4).
     */
    private long endOfWrittenData(final SingleChronicleQueue queue, final int cycle)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null)
        {
            padded = true;
            return 0;
        }
        try
        {
            padded = store.dataVersion() > 0;
            return store.writePosition();
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    private void scanFile(final Path path, final int cycle, final long end, final long from, final long until,
        final RecordHandler handler, final DamageHandler damage)
    {
        file = path;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel = ch;
            fileSize = ch.size();
            windowLength = 0;
            windowBase = 0;
            scanOpenFile(cycle, end, from, until, handler, damage);
        }
        catch (final IOException ex)
        {
            throw unreadable(path, ex);
        }
        finally
        {
            detach();
        }
    }

    /** After a file's scan: nothing points into its channel or mapping any more. */
    private void detach()
    {
        channel = null;
        window = null;
        view.wrap(0, 0);
    }

    private static UncheckedIOException unreadable(final Path path, final IOException ex)
    {
        return new UncheckedIOException("cannot read journal file " + path, ex);
    }

    /** {@link #scanFile}'s reading, on {@link #channel} (open) and the window as it stands. */
    private void scanOpenFile(final int cycle, final long end, final long from, final long until,
        final RecordHandler handler, final DamageHandler damage) throws IOException
    {
        long p;
        if (from != FILE_START)
        {
            p = from;
        }
        else
        {
            if (!ensure(0, Integer.BYTES))
            {
                return;
            }
            final int first = intAt(0);
            if (Wires.isReadyMetaData(first) && ensure(0, Integer.BYTES + (long)Wires.lengthOf(first)))
            {
                p = aligned(Integer.BYTES + (long)Wires.lengthOf(first));
            }
            else
            {
                p = resync(0, end, cycle, handler, damage, "the file's own header is damaged");
            }
        }
        int documents = 0;
        while (p >= 0 && p < until && !sliceFull() && ensure(p, Integer.BYTES))
        {
            p = next(p, cycle, end, handler, damage);
            if (cancel != null && ++documents % CANCEL_CHECK_DOCUMENTS == 0 && cancel.getAsBoolean())
            {
                return;
            }
        }
    }

    /**
     * Handles the document whose header is at {@code p}.
     *
     * @return the next header's position, or -1 when the file ends.
     */
    private long next(final long p, final int cycle, final long end, final RecordHandler handler,
        final DamageHandler damage) throws IOException
    {
        final int header = intAt(p);
        final long length = Wires.lengthOf(header);
        final long after = aligned(p + Integer.BYTES + length);
        if (header == 0 || Wires.isNotComplete(header))
        {
            if (p > end)
            {
                return -1; // the end, or a record torn by a crash in the middle of its append: never acknowledged
            }
            return recoverAt(p, cycle, end, handler, damage, header == 0 ? "zeroed document header"
                : "document header marked incomplete before the end of written data");
        }
        if (!ensure(p, Integer.BYTES + length))
        {
            return recoverAt(p, cycle, end, handler, damage, "document header length " + length
                + " runs past the end of the file");
        }
        final long record = p + Integer.BYTES;
        if (Wires.isReadyMetaData(header))
        {
            if (length > JournalRecordCodec.CHECKED_HEADER && verifiedAt(p, length))
            {
                // one of our records whose header gained the metadata bit: keep it
                return recoverAt(p, cycle, end, handler, damage, "data document marked as metadata");
            }
            return after; // Chronicle's own index arrays
        }
        final int at = offset(record);
        final byte kind = length > 0 ? view.getByte(at) : 0;
        if (JournalRecordCodec.isChecked(kind))
        {
            final int body = checkedBody(at, length);
            if (body >= 0)
            {
                checkedSeen = true;
                if (JournalRecordCodec.CHECKED_HEADER + body != length)
                {
                    // We write documents of exactly one record: the header's length was hit. The record's own
                    // framing says where the next document is.
                    damage.onDamage(new JournalDamage(file, p, p + Integer.BYTES, "document header length " + length
                        + " disagrees with the record's own", 0, true));
                    visit(cycle, record, JournalRecordCodec.baseKind(kind),
                        offset(record) + JournalRecordCodec.CHECKED_HEADER, body, handler, damage);
                    return followingHeader(record + JournalRecordCodec.CHECKED_HEADER + body);
                }
                visit(cycle, record, JournalRecordCodec.baseKind(kind), offset(record) + JournalRecordCodec.CHECKED_HEADER,
                    body, handler, damage);
                return after;
            }
            if (verifiedAt(p, Long.MAX_VALUE))
            {
                return recoverAt(p, cycle, end, handler, damage, "document header length " + length
                    + " disagrees with the record's own");
            }
            return skipDocument(p, after, end, record, damage, "checksum mismatch in a " + length + "-byte document");
        }
        if (!checkedSeen && (kind == JournalRecordCodec.STATE || kind == JournalRecordCodec.MESSAGE
            || kind == JournalRecordCodec.TOMBSTONE))
        {
            visit(cycle, record, kind, at + 1, (int)length - 1, handler, damage); // legacy: unverified
            return after;
        }
        return skipDocument(p, after, end, record, damage, checkedSeen && kind >= JournalRecordCodec.STATE
            && kind <= JournalRecordCodec.TOMBSTONE ? "a record without checksum after checksummed records"
            : "unknown record kind " + kind);
    }

    /**
     * A document with a ready header holds no usable record. If an intact record (or, in a journal of legacy
     * records, a plausible header) follows where the header says, only this document is lost; otherwise the header's
     * length may be damaged too: search for the next intact record.
     */
    private long skipDocument(final long p, final long after, final long end, final long record,
        final DamageHandler damage, final String reason) throws IOException
    {
        final boolean trusted = verifiedAt(after)
            || !checkedSeen && ensure(after, Integer.BYTES) && plausibleHeader(intAt(after));
        final long q = trusted ? after : findNextRecord(p + 1, end);
        report(damage, p, q >= 0 ? q : Math.max(after, Math.min(fileSize, end)), reason, record);
        return q;
    }

    /**
     * @return whether a document header sits at {@code p} and the checked record behind it verifies.
     */
    private boolean verifiedAt(final long p) throws IOException
    {
        return ensure(p, Integer.BYTES + JournalRecordCodec.CHECKED_HEADER) && plausibleHeader(intAt(p))
            && verifiedAt(p, Long.MAX_VALUE);
    }

    private boolean verifiedAt(final long p, final long documentLength) throws IOException
    {
        if (!ensure(p + Integer.BYTES, JournalRecordCodec.CHECKED_HEADER))
        {
            return false;
        }
        final int at = offset(p + Integer.BYTES);
        return JournalRecordCodec.isChecked(view.getByte(at)) && checkedBody(at, documentLength) >= 0;
    }

    /**
     * The header at {@code p} cannot be trusted: take the checked record behind it if it verifies on its own,
     * else search for the next one.
     */
    private long recoverAt(final long p, final int cycle, final long end, final RecordHandler handler,
        final DamageHandler damage, final String reason) throws IOException
    {
        final long record = p + Integer.BYTES;
        if (ensure(record, JournalRecordCodec.CHECKED_HEADER))
        {
            final byte kind = view.getByte(offset(record));
            if (JournalRecordCodec.isChecked(kind))
            {
                final int body = checkedBody(offset(record), Long.MAX_VALUE);
                if (body >= 0)
                {
                    checkedSeen = true;
                    damage.onDamage(new JournalDamage(file, p, p + Integer.BYTES, reason + " (header "
                        + Integer.toHexString(intAt(p)) + ")", 0, true));
                    visit(cycle, record, JournalRecordCodec.baseKind(kind),
                        offset(record) + JournalRecordCodec.CHECKED_HEADER, body, handler, damage);
                    return followingHeader(record + JournalRecordCodec.CHECKED_HEADER + body);
                }
            }
        }
        return resync(p, end, cycle, handler, damage, reason);
    }

    private long resync(final long p, final long end, final int cycle, final RecordHandler handler,
        final DamageHandler damage, final String reason) throws IOException
    {
        final long q = findNextRecord(p + 1, end);
        final long to = q >= 0 ? q : Math.max(p + Integer.BYTES, Math.min(fileSize, end));
        report(damage, p, to, reason, p + Integer.BYTES);
        return q;
    }

    /**
     * After a record found by its own framing: the next header sits right after it, or at the next multiple of 4
     * when the file pads documents (Chronicle's data version 1).
     */
    private long followingHeader(final long recordEnd)
    {
        return aligned(recordEnd);
    }

    private long aligned(final long position)
    {
        return padded ? position + (-position & 3) : position;
    }

    private static boolean plausibleHeader(final int header)
    {
        return header != 0 && (Wires.isReady(header) || header == Wires.NOT_COMPLETE);
    }

    /**
     * @return the position of the header of the next record at or after {@code from} whose checked record verifies,
     *         or -1 if none within reach.
     */
    private long findNextRecord(final long from, final long end) throws IOException
    {
        final long limit = Math.min(fileSize - Integer.BYTES - JournalRecordCodec.CHECKED_HEADER,
            Math.max(end, from) + RESYNC_TAIL);
        final int step = padded ? 4 : 1;
        for (long q = aligned(Math.max(from, 0)); q <= limit; q += step)
        {
            if (!ensure(q, Integer.BYTES + JournalRecordCodec.CHECKED_HEADER))
            {
                return -1;
            }
            final int at = offset(q + Integer.BYTES);
            if (JournalRecordCodec.isChecked(view.getByte(at)) && checkedBody(at, Long.MAX_VALUE) >= 0)
            {
                return q;
            }
        }
        return -1;
    }

    /**
     * @param at          window offset of a checked record.
     * @param documentLen the Chronicle document's length, or {@code Long.MAX_VALUE} if unknown.
     * @return the body length if the record's framing fits and its CRC32C matches, else -1. May remap the window:
     *         offsets are valid again only through {@link #offset}.
     */
    private int checkedBody(final int at, final long documentLen) throws IOException
    {
        final long start = windowBase + at;
        if (!ensure(start, JournalRecordCodec.CHECKED_HEADER))
        {
            return -1;
        }
        final int body = JournalRecordCodec.checkedBodyLength(view, offset(start));
        final long total = (long)JournalRecordCodec.CHECKED_HEADER + body;
        if (body < 0 || total > documentLen || !ensure(start, total))
        {
            return -1;
        }
        final int o = offset(start);
        final int stored = JournalRecordCodec.storedChecksum(view, o);
        return codec.checksum(window, o, (int)total) == stored ? body : -1;
    }

    private void visit(final int cycle, final long record, final byte kind, final int bodyAt, final int bodyLength,
        final RecordHandler handler, final DamageHandler damage)
    {
        final String bad = validate(kind, bodyAt, bodyLength);
        if (bad != null)
        {
            damage.onDamage(new JournalDamage(file, record - Integer.BYTES, record + bodyLength, bad, 0, false));
            return;
        }
        records++;
        bytes += bodyLength;
        final int at = offset(record);
        final boolean checked = bodyAt - at == JournalRecordCodec.CHECKED_HEADER;
        lastLength = bodyAt - at + bodyLength;
        lastChecksum = checked ? JournalRecordCodec.storedChecksum(view, at) : 0;
        handler.onRecord(Journal.address(cycle, record), kind, view, bodyAt, bodyLength);
    }

    private String validate(final byte kind, final int at, final int length)
    {
        try
        {
            switch (kind)
            {
                case JournalRecordCodec.STATE -> JournalRecordCodec.stateType(view, at, length);
                case JournalRecordCodec.MESSAGE -> JournalRecordCodec.requireMessageFixed(view, at, length);
                case JournalRecordCodec.TOMBSTONE ->
                {
                    if (length < JournalRecordCodec.TOMBSTONE_LENGTH)
                    {
                        return "tombstone too short: " + length + " bytes";
                    }
                }
                default -> throw new IllegalStateException("record kind " + kind);
            }
            return null;
        }
        catch (final IllegalStateException ex)
        {
            return "undecodable record: " + ex.getMessage();
        }
    }

    private void report(final DamageHandler damage, final long from, final long to, final String reason,
        final long record)
    {
        long id = 0;
        String claimed = "";
        byte claimedAs = 0;
        long inChannel = 0;
        if (ensureQuietly(record, JournalRecordCodec.CHECKED_HEADER + 16))
        {
            final int at = offset(record);
            final byte kind = view.getByte(at);
            final int body = JournalRecordCodec.isChecked(kind) ? at + JournalRecordCodec.CHECKED_HEADER : at + 1;
            claimedAs = JournalRecordCodec.baseKind(kind);
            switch (claimedAs)
            {
                case JournalRecordCodec.MESSAGE ->
                {
                    id = view.getLong(body + JournalRecordCodec.MESSAGE_ID_OFFSET);
                    inChannel = view.getLong(body + JournalRecordCodec.MESSAGE_CHANNEL_OFFSET);
                    claimed = "; it claims to be message " + id + " in channel " + inChannel;
                }
                case JournalRecordCodec.TOMBSTONE ->
                {
                    id = view.getLong(body + Long.BYTES);
                    inChannel = view.getLong(body);
                    claimed = "; it claims to be the deletion of message " + id + " in channel " + inChannel;
                }
                case JournalRecordCodec.STATE ->
                {
                    id = view.getInt(body);
                    claimed = "; it claims to be a state record of type " + id;
                }
                default -> claimed = "";
            }
        }
        claimedKind = claimedAs;
        claimedChannel = inChannel;
        try
        {
            damage.onDamage(new JournalDamage(file, from, to, reason + claimed, id, false));
        }
        finally
        {
            claimedKind = 0;
            claimedChannel = 0;
        }
    }

    private boolean ensureQuietly(final long position, final long length)
    {
        try
        {
            return ensure(position, length);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    // --------------------------------------------------------------------------------------------- mapping

    private int intAt(final long position)
    {
        return view.getInt(offset(position));
    }

    private int offset(final long position)
    {
        return (int)(position - windowBase);
    }

    /**
     * Makes {@code [position, position + length)} addressable through {@link #view}, remapping if needed.
     *
     * @return false if that range is not inside the file.
     */
    private boolean ensure(final long position, final long length) throws IOException
    {
        if (position < 0 || length < 0 || position + length > fileSize)
        {
            return false;
        }
        if (position >= windowBase && position + length <= windowBase + windowLength)
        {
            return true;
        }
        if (length > Integer.MAX_VALUE - 4096)
        {
            return false;
        }
        final long base = position & ~4095L;
        final long size = Math.min(fileSize - base, Math.max(WINDOW, position - base + length));
        if (size > Integer.MAX_VALUE)
        {
            return false;
        }
        window = channel.map(FileChannel.MapMode.READ_ONLY, base, size);
        window.order(ByteOrder.nativeOrder());
        view.wrap(window);
        windowBase = base;
        windowLength = size;
        return true;
    }
}
