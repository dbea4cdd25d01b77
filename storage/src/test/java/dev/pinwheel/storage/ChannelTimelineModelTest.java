package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.pinwheel.storage.Messages.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The off-heap timeline against the reference model ({@link ChannelMessageIds}): random histories spanning many
 * 10-day buckets with gaps, pages filled and split, ids out of order, deletes and edits; every query kind with
 * anchors at and around ids, bucket edges and the extremes, every limit edge; then again after a clean reopen
 * (index files reused) and after a rebuild from the journal.
 */
class ChannelTimelineModelTest
{
    private static final int CHANNELS = 3;
    private static final long DAY = 24L * 60 * 60 * 1000;
    private static final long EPOCH_2026 = 1_767_225_600_000L - 1_420_070_400_000L; // ms since the Discord epoch

    @TempDir
    Path dataDir;

    private final SplittableRandom random = new SplittableRandom(20260612);
    private final ChannelMessageIds[] model = new ChannelMessageIds[CHANNELS];
    private final List<Long> everId = new ArrayList<>();
    private long sequence;

    private static long channel(final int c)
    {
        return 5000 + c;
    }

    private long snowflake(final long millis)
    {
        return millis << 22 | (sequence++ & 0xFFF);
    }

    @Test
    void randomHistoriesMatchTheModel()
    {
        for (int c = 0; c < CHANNELS; c++)
        {
            model[c] = new ChannelMessageIds();
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            long now = EPOCH_2026;
            for (int i = 0; i < 6000; i++)
            {
                final int c = random.nextInt(CHANNELS);
                final int op = random.nextInt(100);
                if (op < 80 || model[c].size() == 0)
                {
                    now += random.nextInt(1000) < 3 ? random.nextLong(40 * DAY) : random.nextLong(60_000);
                    final long id = op < 5 && model[c].size() > 0
                        ? snowflake(now - random.nextLong(60 * DAY)) // out of order, maybe in an older bucket
                        : snowflake(now);
                    if (model[c].add(id))
                    {
                        store.appendMessage(Messages.message(id, channel(c)));
                        everId.add(id);
                    }
                }
                else if (op < 93)
                {
                    final long id = model[c].get(random.nextInt(model[c].size()));
                    model[c].remove(id);
                    assertEquals(true, store.deleteMessage(channel(c), id));
                }
                else
                {
                    final long id = model[c].get(random.nextInt(model[c].size()));
                    store.appendMessage(Messages.message(id, channel(c)).withEdit("edit " + i, i));
                }
            }
            compare(store, "live");
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            assertEquals(true, store.indexesReused());
            compare(store, "reused");
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(
            new EmbeddedStoreContext().dataDir(dataDir).reuseCleanIndex(false).reuseIndexAfterKill(false)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            assertEquals(false, store.indexesReused());
            compare(store, "rebuilt");
        }
    }

    @Test
    void rebuildWithMoreChannelsThanTheBulkLoadHolds()
    {
        final int channels = ChannelTimeline.MAX_BULK_TAILS + 700;
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (int round = 0; round < 3; round++)
            {
                for (int c = 0; c < channels; c++)
                {
                    store.appendMessage(Messages.message(snowflake(EPOCH_2026 + round * 11 * DAY + c), channel(c)));
                }
            }
            for (int c = 0; c < channels; c += 100)
            {
                store.deleteMessage(channel(c), store.lastMessageId(channel(c)));
            }
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(
            new EmbeddedStoreContext().dataDir(dataDir).reuseCleanIndex(false).reuseIndexAfterKill(false)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (int c = 0; c < channels; c++)
            {
                final List<StoredMessage> page = store.history(channel(c), HistoryQuery.LATEST, 0, 10);
                assertEquals(c % 100 == 0 ? 2 : 3, page.size(), "channel " + c);
                assertEquals(page.get(0).id(), store.lastMessageId(channel(c)));
                assertTrue(ChannelTimeline.bucket(page.get(page.size() - 1).id())
                    < ChannelTimeline.bucket(page.get(0).id()), "several buckets");
            }
            assertEquals(channels * 3 - (channels + 99) / 100, store.liveMessageCount());
        }
    }

    private void compare(final ChronicleShardStore store, final String phase)
    {
        int live = 0;
        for (int c = 0; c < CHANNELS; c++)
        {
            final ChannelMessageIds ids = model[c];
            live += ids.size();
            assertEquals(ids.size() == 0 ? 0 : ids.get(ids.size() - 1), store.lastMessageId(channel(c)),
                phase + " newest of channel " + c);
            final List<Long> anchors = new ArrayList<>(List.of(0L, 1L, -5L, Long.MIN_VALUE, Long.MAX_VALUE,
                Long.MAX_VALUE - 1));
            for (int k = 0; k < 25; k++)
            {
                final long id = everId.get(random.nextInt(everId.size()));
                anchors.add(id);
                anchors.add(id + 1);
                anchors.add(id - 1);
                final long bucketStart = (ChannelTimeline.bucket(id) * ChannelTimeline.BUCKET_MILLIS) << 22;
                anchors.add(bucketStart);
                anchors.add(bucketStart - 1);
            }
            for (final long anchor : anchors)
            {
                for (final int limit : new int[] {1, 2, 3, 31, 32, 33, 50, 99, 100})
                {
                    for (final HistoryQuery query : HistoryQuery.values())
                    {
                        final List<Long> expected = expected(ids, query, anchor, limit);
                        assertEquals(expected, ids(store.history(channel(c), query, anchor, limit)),
                            () -> phase + " " + query + " " + anchor + " limit " + limit);
                    }
                }
            }
            for (int k = 0; k < 200; k++)
            {
                final long id = everId.get(random.nextInt(everId.size()));
                final StoredMessage message = store.message(channel(c), id);
                if (ids.contains(id))
                {
                    assertNotNull(message, phase + " message " + id);
                    assertEquals(id, message.id());
                }
                else
                {
                    assertNull(message, phase + " message " + id);
                }
            }
        }
        assertEquals(live, store.liveMessageCount(), phase);
    }

    private static List<Long> expected(
        final ChannelMessageIds ids, final HistoryQuery query, final long anchor, final int limit)
    {
        final long range = ids.pageRange(query, anchor, limit);
        final List<Long> out = new ArrayList<>();
        for (int i = ChannelMessageIds.rangeTo(range) - 1; i >= ChannelMessageIds.rangeFrom(range); i--)
        {
            out.add(ids.get(i));
        }
        return out;
    }
}
