package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.pinwheel.core.store.HistoryQuery.AFTER;
import static dev.pinwheel.core.store.HistoryQuery.AROUND;
import static dev.pinwheel.core.store.HistoryQuery.BEFORE;
import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static dev.pinwheel.storage.Messages.ids;
import static dev.pinwheel.storage.Messages.idsDescending;
import static dev.pinwheel.storage.Messages.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads and writes of one open store. Channel {@link #CHANNEL} holds ids 100, 200, ... 1000 unless a test says
 * otherwise.
 */
class ChronicleShardStoreTest
{
    private static final long CHANNEL = 10;
    private static final long OTHER_CHANNEL = 11;

    @TempDir
    Path dataDir;

    private EmbeddedStoreFactory factory;
    private ChronicleShardStore store;

    @BeforeEach
    void open()
    {
        factory = new EmbeddedStoreFactory(dataDir, Durability.OS);
        store = factory.open(0);
        assertEquals(0, store.recover((type, payload) -> { throw new AssertionError("empty journal"); }));
    }

    @AfterEach
    void close()
    {
        factory.close();
    }

    private void tenMessages()
    {
        for (long id = 100; id <= 1000; id += 100)
        {
            store.appendMessage(message(id, CHANNEL));
        }
    }

    private List<Long> page(final HistoryQuery query, final long anchor, final int limit)
    {
        return ids(store.history(CHANNEL, query, anchor, limit));
    }

    @Test
    void unknownChannelHasNoHistory()
    {
        tenMessages();
        for (final HistoryQuery query : HistoryQuery.values())
        {
            assertEquals(List.of(), store.history(OTHER_CHANNEL, query, 500, 50), query.name());
        }
        assertEquals(0, store.lastMessageId(OTHER_CHANNEL));
    }

    @Test
    void emptyChannelAfterDeletingEverything()
    {
        store.appendMessage(message(100, CHANNEL));
        assertTrue(store.deleteMessage(CHANNEL, 100));
        for (final HistoryQuery query : HistoryQuery.values())
        {
            assertEquals(List.of(), store.history(CHANNEL, query, 100, 100), query.name());
        }
        assertEquals(0, store.lastMessageId(CHANNEL));
    }

    @Test
    void latest()
    {
        tenMessages();
        assertEquals(List.of(1000L), page(LATEST, 0, 1));
        assertEquals(List.of(1000L, 900L, 800L), page(LATEST, 0, 3));
        assertEquals(idsDescending(1000, 100, 100), page(LATEST, 0, 100));
        assertEquals(List.of(1000L), page(LATEST, 12345, 1), "anchor ignored");
        assertEquals(1000, store.lastMessageId(CHANNEL));
    }

    @Test
    void before()
    {
        tenMessages();
        assertEquals(List.of(), page(BEFORE, 100, 50), "before the oldest");
        assertEquals(List.of(100L), page(BEFORE, 200, 100));
        assertEquals(List.of(900L, 800L, 700L), page(BEFORE, 1000, 3), "before the newest");
        assertEquals(List.of(500L, 400L), page(BEFORE, 600, 2), "middle");
        assertEquals(List.of(500L, 400L), page(BEFORE, 550, 2), "anchor between two ids");
        assertEquals(List.of(), page(BEFORE, 50, 10), "anchor below all");
        assertEquals(List.of(1000L, 900L, 800L), page(BEFORE, 5000, 3), "anchor above all");
        assertEquals(List.of(900L), page(BEFORE, 1000, 1));
        assertEquals(idsDescending(900, 100, 100), page(BEFORE, 1000, 100));
    }

    @Test
    void after()
    {
        tenMessages();
        assertEquals(List.of(), page(AFTER, 1000, 50), "after the newest");
        assertEquals(List.of(1000L), page(AFTER, 900, 100));
        assertEquals(List.of(400L, 300L, 200L), page(AFTER, 100, 3), "the oldest after the anchor, newest first");
        assertEquals(List.of(700L, 600L), page(AFTER, 500, 2), "middle");
        assertEquals(List.of(700L, 600L), page(AFTER, 550, 2), "anchor between two ids");
        assertEquals(List.of(200L, 100L), page(AFTER, 50, 2), "anchor below all");
        assertEquals(List.of(), page(AFTER, 5000, 10), "anchor above all");
        assertEquals(List.of(200L), page(AFTER, 100, 1));
        assertEquals(idsDescending(1000, 100, 100), page(AFTER, 0, 100));
    }

    @Test
    void around()
    {
        tenMessages();
        assertEquals(List.of(700L, 600L, 500L, 400L, 300L), page(AROUND, 500, 5));
        assertEquals(List.of(600L, 500L, 400L, 300L), page(AROUND, 500, 4), "limit/2 older, anchor, rest newer");
        assertEquals(List.of(700L, 600L, 500L, 400L), page(AROUND, 550, 4), "anchor between two ids");
        assertEquals(List.of(300L, 200L, 100L), page(AROUND, 100, 5), "anchor is the oldest");
        assertEquals(List.of(1000L, 900L, 800L), page(AROUND, 1000, 5), "anchor is the newest");
        assertEquals(List.of(200L, 100L), page(AROUND, 50, 4), "anchor below all");
        assertEquals(List.of(1000L, 900L), page(AROUND, 5000, 4), "anchor above all");
        assertEquals(List.of(500L), page(AROUND, 500, 1));
        assertEquals(List.of(600L), page(AROUND, 550, 1), "limit 1, anchor absent: the next newer");
        assertEquals(idsDescending(1000, 100, 100), page(AROUND, 500, 100));
    }

    @Test
    void deletedMessagesNeverAppear()
    {
        tenMessages();
        assertTrue(store.deleteMessage(CHANNEL, 800));
        assertTrue(store.deleteMessage(CHANNEL, 100));
        assertEquals(List.of(1000L, 900L, 700L), page(LATEST, 0, 3));
        assertEquals(List.of(900L, 700L), page(BEFORE, 1000, 2));
        assertEquals(List.of(900L, 700L), page(AFTER, 600, 2));
        assertEquals(List.of(1000L, 900L, 700L), page(AROUND, 800, 3), "deleted anchor");
        assertEquals(List.of(300L, 200L), page(AFTER, 50, 2));
        assertEquals(List.of(), page(BEFORE, 200, 10));
        assertNull(store.message(CHANNEL, 800));
        assertEquals(8, store.liveMessageCount());
        assertTrue(store.deleteMessage(CHANNEL, 1000));
        assertEquals(900, store.lastMessageId(CHANNEL));
    }

    @Test
    void deleteTwiceReturnsFalseTheSecondTime()
    {
        tenMessages();
        assertTrue(store.deleteMessage(CHANNEL, 500));
        assertFalse(store.deleteMessage(CHANNEL, 500));
        assertFalse(store.deleteMessage(OTHER_CHANNEL, 600), "wrong channel");
        assertFalse(store.deleteMessage(CHANNEL, 550), "unknown id");
        assertFalse(store.deleteMessage(99, 1), "unknown channel");
        assertEquals(message(600, CHANNEL), store.message(CHANNEL, 600));
    }

    @Test
    void editsReturnTheLatestVersion()
    {
        tenMessages();
        final StoredMessage original = message(500, CHANNEL);
        store.appendMessage(original.withEdit("first edit", 1_700_000_000_000L));
        store.appendMessage(original.withEdit("second edit", 1_700_000_001_000L));
        final StoredMessage latest = store.message(CHANNEL, 500);
        assertEquals("second edit", latest.content());
        assertEquals(1_700_000_001_000L, latest.editedTimestampMillis());
        final List<StoredMessage> page = store.history(CHANNEL, AROUND, 500, 3);
        assertEquals(List.of(600L, 500L, 400L), ids(page));
        assertEquals(latest, page.get(1));
        assertEquals(10, store.liveMessageCount());
    }

    @Test
    void messageInWrongChannelIsNull()
    {
        tenMessages();
        assertEquals(message(300, CHANNEL), store.message(CHANNEL, 300));
        assertNull(store.message(OTHER_CHANNEL, 300));
        assertNull(store.message(CHANNEL, 301));
    }

    @Test
    void everyFieldRoundTrips()
    {
        final String unicode = "héllo ✓ 𝄞 🎉 日本語 \u0000 end";
        final StoredMessage full = new StoredMessage(
            Long.MAX_VALUE - 1, CHANNEL, Long.MIN_VALUE + 5, -3, unicode, 1_700_000_000_123L, 0x7FFF_FFFF, true, true);
        final StoredMessage empty = new StoredMessage(5, CHANNEL, 0, 1, "", 0, 0, false, true);
        final StoredMessage longest = new StoredMessage(6, CHANNEL, 0, 1, "🎉".repeat(1000), 0, 4, true, false);
        store.appendMessage(full);
        store.appendMessage(empty);
        store.appendMessage(longest);
        assertEquals(full, store.message(CHANNEL, full.id()));
        assertEquals(empty, store.message(CHANNEL, 5));
        assertEquals(longest, store.message(CHANNEL, 6));
        assertEquals(List.of(full, longest, empty), store.history(CHANNEL, LATEST, 0, 100));
    }

    /**
     * What a cluster node sends a peer that asks for its node-wide records: every state record, in append order,
     * read while the store serves (messages interleaved), and reading changes nothing (the store appends and
     * recovers as before).
     */
    @Test
    void scanStateReadsEveryStateRecordInOrderAndChangesNothing()
    {
        final List<String> written = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            final byte[] payload = ("record-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            store.appendState(1 + i % 7, payload);
            written.add((1 + i % 7) + ":record-" + i);
            store.appendMessage(message(100 + i, CHANNEL));
        }
        final List<String> scanned = new ArrayList<>();
        final java.util.function.Function<List<String>, dev.pinwheel.core.store.StateRecordHandler> into =
            list -> (type, payload) -> list.add(type + ":" + new String(payload, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(40, store.scanState(into.apply(scanned)));
        assertEquals(written, scanned);
        store.appendState(3, "after".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        written.add("3:after");
        final List<String> again = new ArrayList<>();
        assertEquals(41, store.scanState(into.apply(again)));
        assertEquals(written, again, "a second scan sees the record appended after the first");
        assertEquals(40, store.history(CHANNEL, LATEST, 0, 100).size());
        store.close();
        store = factory.open(0);
        final List<String> recovered = new ArrayList<>();
        store.recover(into.apply(recovered));
        assertEquals(written, recovered, "recovery after scans replays the same records");
    }

    /**
     * A catch-up reads the state journal a bounded slice at a time while the shard keeps appending: the slices, taken
     * in turn, hold exactly the records journaled before the scan's end cursor, in order, each once — none of those
     * appended after it (a catch-up sends them live, behind the scan) — and so does a scan begun after a reopen.
     */
    @Test
    void slicesOfTheStateJournalReadExactlyTheRecordsBeforeTheirEndInOrder()
    {
        final java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        assertEquals(ShardStore.STATE_SCAN_DONE, store.scanState(ShardStore.STATE_SCAN_START, store.stateJournalEnd(),
            5, 1 << 16, (type, payload) -> { throw new AssertionError("an empty journal has no record"); }));
        final List<String> written = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            store.appendState(1 + i % 7, ("record-" + i).getBytes(utf8));
            written.add((1 + i % 7) + ":record-" + i);
            store.appendMessage(message(100 + i, CHANNEL));
        }
        final long end = store.stateJournalEnd();
        final List<String> scanned = new ArrayList<>();
        final dev.pinwheel.core.store.StateRecordHandler into =
            (type, payload) -> scanned.add(type + ":" + new String(payload, utf8));
        long cursor = ShardStore.STATE_SCAN_START;
        int slices = 0;
        while (cursor != ShardStore.STATE_SCAN_DONE)
        {
            final int before = scanned.size();
            cursor = store.scanState(cursor, end, 7, 1 << 16, into);
            assertTrue(scanned.size() - before <= 7, "a slice reads at most its records");
            slices++;
            // the shard journals more between two slices: never read by a scan that ends before them
            store.appendState(2, ("later-" + slices).getBytes(utf8));
        }
        assertEquals(written, scanned);
        assertEquals(6, slices, "40 records by 7: five full slices and the rest");

        // bounded by bytes: 16-byte records (8 of type and length, "record-N") and a 20-byte budget: two a slice
        final long end2 = store.stateJournalEnd();
        scanned.clear();
        cursor = store.scanState(ShardStore.STATE_SCAN_START, end2, 1000, 20, into);
        assertEquals(List.of(written.get(0), written.get(1)), scanned);
        final List<String> one = new ArrayList<>();
        store.scanState(cursor, end2, 1000, 1, (type, payload) -> one.add(type + ":" + new String(payload, utf8)));
        assertEquals(List.of(written.get(2)), one, "a budget of one byte still reads a record");
        while (cursor != ShardStore.STATE_SCAN_DONE)
        {
            cursor = store.scanState(cursor, end2, 1000, 20, into);
        }
        assertEquals(40 + 6, scanned.size(), "every record before the second end, the later ones included");
        assertEquals("2:later-6", scanned.get(scanned.size() - 1));

        store.close();
        store = factory.open(0);
        store.recover((type, payload) -> { });
        scanned.clear();
        cursor = ShardStore.STATE_SCAN_START;
        final long reopenedEnd = store.stateJournalEnd();
        store.appendState(5, "after-reopen".getBytes(utf8));
        while (cursor != ShardStore.STATE_SCAN_DONE)
        {
            cursor = store.scanState(cursor, reopenedEnd, 16, 1 << 16, into);
        }
        assertEquals(46, scanned.size(), "after a reopen the end is the journal's written data");
        assertEquals(written, scanned.subList(0, 40));
    }

    /**
     * Two catch-ups at once (two peers) take slices in turn from one file the store keeps open between slices: each
     * reads exactly the records before its own end, the later one those journaled after the first began too.
     */
    @Test
    void twoInterleavedSliceScansWithDifferentEndsEachReadTheirOwnRecords()
    {
        final java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        final List<String> written = new ArrayList<>();
        for (int i = 0; i < 30; i++)
        {
            store.appendState(1, ("a-" + i).getBytes(utf8));
            written.add("1:a-" + i);
        }
        final long endA = store.stateJournalEnd();
        final List<String> scannedA = new ArrayList<>();
        final List<String> scannedB = new ArrayList<>();
        long a = store.scanState(ShardStore.STATE_SCAN_START, endA, 4, 1 << 16,
            (type, payload) -> scannedA.add(type + ":" + new String(payload, utf8)));
        for (int i = 0; i < 20; i++)
        {
            store.appendState(2, ("b-" + i).getBytes(utf8));
        }
        final long endB = store.stateJournalEnd();
        long b = ShardStore.STATE_SCAN_START;
        int turns = 0;
        while ((a != ShardStore.STATE_SCAN_DONE || b != ShardStore.STATE_SCAN_DONE) && turns++ < 100)
        {
            if (b != ShardStore.STATE_SCAN_DONE)
            {
                b = store.scanState(b, endB, 3, 1 << 16,
                    (type, payload) -> scannedB.add(type + ":" + new String(payload, utf8)));
            }
            if (a != ShardStore.STATE_SCAN_DONE)
            {
                a = store.scanState(a, endA, 4, 1 << 16,
                    (type, payload) -> scannedA.add(type + ":" + new String(payload, utf8)));
            }
            store.appendState(3, ("later-" + turns).getBytes(utf8)); // after both ends: read by neither
        }
        assertEquals(written, scannedA);
        assertEquals(50, scannedB.size());
        assertEquals(written, scannedB.subList(0, 30));
        assertEquals("2:b-19", scannedB.get(49));
        // a scan after both ended, over everything, still reads from the start (the kept file was let go)
        final List<String> all = new ArrayList<>();
        long c = ShardStore.STATE_SCAN_START;
        final long end = store.stateJournalEnd();
        while (c != ShardStore.STATE_SCAN_DONE)
        {
            c = store.scanState(c, end, 64, 1 << 16, (type, payload) -> all.add(type + ":" + new String(payload,
                utf8)));
        }
        assertEquals(50 + turns, all.size());
    }

    @Test
    void extraFieldsRoundTripAndSurviveAReopen()
    {
        final String extra = "{\"embeds\":[{\"type\":\"rich\",\"title\":\"Ünïcode 🎉\"}],"
            + "\"message_reference\":{\"type\":0,\"message_id\":\"100\"}}";
        final StoredMessage plain = message(100, CHANNEL);
        final StoredMessage rich = new StoredMessage(200, CHANNEL, 1, 2, "", 0, 0, false, false, extra);
        store.appendMessage(plain);
        store.appendMessage(rich);
        store.appendMessage(rich.withEdit("now with text", extra.replace("🎉", "✓"), 1_700_000_000_000L));
        final StoredMessage edited = store.message(CHANNEL, 200);
        assertEquals("now with text", edited.content());
        assertEquals(extra.replace("🎉", "✓"), edited.extra());
        assertNull(store.message(CHANNEL, 100).extra());
        assertEquals(edited, edited.withPinned(true).withPinned(false), "pinning keeps the extras");
        store.close();
        store = factory.open(0);
        store.recover((type, payload) -> { });
        assertEquals(edited, store.message(CHANNEL, 200));
        assertEquals(plain, store.message(CHANNEL, 100));
    }

    @Test
    void contentIsStandardUtf8()
    {
        final String text = "a é ✓ 𝄞 🎉 \uD800 z"; // includes an unpaired surrogate
        final byte[] expected = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertArrayEquals(expected, JournalRecordCodec.utf8(text));
    }

    @Test
    void outOfOrderIdsAreInsertedInPlace()
    {
        store.appendMessage(message(300, CHANNEL));
        store.appendMessage(message(100, CHANNEL));
        store.appendMessage(message(500, CHANNEL));
        store.appendMessage(message(200, CHANNEL));
        assertEquals(List.of(500L, 300L, 200L, 100L), page(LATEST, 0, 10));
        assertEquals(List.of(200L, 100L), page(BEFORE, 300, 10));
    }

    @Test
    void limitMustBe1To100()
    {
        tenMessages();
        assertThrows(IllegalArgumentException.class, () -> store.history(CHANNEL, LATEST, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> store.history(CHANNEL, LATEST, 0, 101));
        assertThrows(IllegalArgumentException.class, () -> store.appendState(0, new byte[0]));
    }

    @Test
    void pagesOfALongInterleavedHistory()
    {
        // two channels interleaved, more records than Chronicle's index spacing, a few edits and deletes
        for (long id = 1; id <= 1000; id++)
        {
            store.appendMessage(message(id, id % 2 == 0 ? CHANNEL : OTHER_CHANNEL));
            if (id % 10 == 0)
            {
                store.appendState(1, new byte[] {(byte)id});
            }
        }
        store.appendMessage(message(500, CHANNEL).withEdit("edited", 1));
        store.deleteMessage(CHANNEL, 498);
        final List<Long> expected = new ArrayList<>();
        for (long id = 518; id >= 478; id -= 2)
        {
            if (id != 498)
            {
                expected.add(id);
            }
        }
        assertEquals(expected, page(AROUND, 500, 20));
        assertEquals("edited", store.history(CHANNEL, AROUND, 500, 20).get(9).content());
        assertEquals(idsDescending(1000, 802, 2), page(LATEST, 0, 100));
        assertEquals(idsDescending(200, 2, 2), page(AFTER, 1, 100));
        assertEquals(999, store.lastMessageId(OTHER_CHANNEL));
    }

    @Test
    void ownershipMayMoveToAnotherThread() throws Exception
    {
        tenMessages();
        final ExecutorService shardThread = Executors.newSingleThreadExecutor();
        try
        {
            final List<Long> seen = shardThread.submit(() ->
            {
                store.appendMessage(message(1100, CHANNEL));
                return page(LATEST, 0, 2);
            }).get(1, TimeUnit.MINUTES);
            assertEquals(List.of(1100L, 1000L), seen);
        }
        finally
        {
            shardThread.shutdown();
        }
        assertEquals(List.of(1100L), page(LATEST, 0, 1), "and back again");
    }

    @Test
    void aShardStoreOpensOnce()
    {
        assertThrows(IllegalStateException.class, () -> factory.open(0));
        store.close();
        store = factory.open(0);
        store.recover((type, payload) -> { });
    }
}
