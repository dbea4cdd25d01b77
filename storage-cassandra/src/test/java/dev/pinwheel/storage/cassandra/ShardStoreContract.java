package dev.pinwheel.storage.cassandra;

import static dev.pinwheel.core.store.HistoryQuery.AFTER;
import static dev.pinwheel.core.store.HistoryQuery.AROUND;
import static dev.pinwheel.core.store.HistoryQuery.BEFORE;
import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StoredMessage;

/**
 * What every {@link ShardStore} promises, run against each store (embedded Chronicle, Cassandra): history pages
 * (latest, before, after, around, limits), edits as versions, deletes as tombstones, reactions and other extra fields,
 * pins, DM channels, and what a restart recovers. Ids are real snowflakes spread over several 10-day buckets.
 */
abstract class ShardStoreContract
{
    protected static final long GUILD = 7;
    protected static final long AUTHOR = 42;
    private static final long DAY = TimeUnit.DAYS.toMillis(1);
    private static int worker;
    protected ShardStore store;
    private final SnowflakeIds channelIds = new SnowflakeIds(worker++ & 31, 1);

    /** @return a fresh store (recovered) on empty or kept data, as the subclass keeps it between reopen calls. */
    protected abstract ShardStore open();

    /** Closes the store and opens the same data again (not recovered). */
    protected abstract ShardStore reopen();

    @AfterEach
    void closeStore()
    {
        if (store != null)
        {
            store.close();
        }
    }

    /** A channel created {@code daysAgo} days ago. */
    protected long channel(final int daysAgo)
    {
        return snowflake(System.currentTimeMillis() - daysAgo * DAY, channelIds.next() & 0x3FFFFF);
    }

    /** A message id at {@code millisAgo} before now, with a distinguishing low part. */
    protected static long snowflake(final long unixMillis, final long low)
    {
        return ((unixMillis - 1_420_070_400_000L) << 22) | (low & 0x3FFFFF);
    }

    protected static StoredMessage message(final long id, final long channel)
    {
        return new StoredMessage(id, channel, GUILD, AUTHOR, "message " + id, 0, 0, false, false);
    }

    /** n messages, the oldest {@code spanDays} ago, evenly spread until now; returns ids oldest first. */
    protected List<Long> post(final long channel, final int n, final int spanDays)
    {
        final long now = System.currentTimeMillis() - 1000;
        final long step = spanDays * DAY / Math.max(1, n);
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final long id = snowflake(now - (n - i) * step, i);
            store.appendMessage(message(id, channel));
            ids.add(id);
        }
        return ids;
    }

    protected static List<Long> ids(final List<StoredMessage> page)
    {
        final List<Long> out = new ArrayList<>();
        for (final StoredMessage m : page)
        {
            out.add(m.id());
        }
        return out;
    }

    /** ids[from..to] (inclusive, oldest-first indexes) newest first. */
    protected static List<Long> desc(final List<Long> ids, final int from, final int to)
    {
        final List<Long> out = new ArrayList<>();
        for (int i = to; i >= from; i--)
        {
            out.add(ids.get(i));
        }
        return out;
    }

    private List<Long> page(final long channel, final HistoryQuery q, final long anchor, final int limit)
    {
        return ids(store.history(channel, q, anchor, limit));
    }

    @Test
    void latestBeforeAfterAroundAcrossBuckets()
    {
        store = open();
        final long ch = channel(60);
        final List<Long> ids = post(ch, 30, 50); // 30 messages over 50 days: 5+ buckets
        assertEquals(desc(ids, 0, 29), page(ch, LATEST, 0, 50));
        assertEquals(desc(ids, 20, 29), page(ch, LATEST, 0, 10));
        assertEquals(desc(ids, 5, 14), page(ch, BEFORE, ids.get(15), 10));
        assertEquals(desc(ids, 0, 2), page(ch, BEFORE, ids.get(3), 10));
        assertEquals(desc(ids, 16, 20), page(ch, AFTER, ids.get(15), 5), "the 5 right after the anchor");
        assertEquals(desc(ids, 26, 29), page(ch, AFTER, ids.get(25), 50));
        assertEquals(desc(ids, 10, 19), page(ch, AROUND, ids.get(15), 10), "5 older, the anchor and 4 newer");
        assertEquals(List.of(), page(ch, AFTER, ids.get(29), 10));
        assertEquals(List.of(), page(ch, BEFORE, ids.get(0), 10));
        assertEquals(ids.get(29).longValue(), store.lastMessageId(ch));
        assertEquals(List.of(), page(channel(1), LATEST, 0, 50), "an unknown channel is empty");
    }

    @Test
    void pagesThroughMoreThanTheHotWindow()
    {
        store = open();
        final long ch = channel(40);
        final List<Long> ids = post(ch, 330, 35);
        final List<Long> seen = new ArrayList<>(page(ch, LATEST, 0, 100));
        while (seen.size() < 330)
        {
            final List<Long> next = page(ch, BEFORE, seen.get(seen.size() - 1), 100);
            assertFalse(next.isEmpty(), "history ended early at " + seen.size());
            seen.addAll(next);
        }
        assertEquals(desc(ids, 0, 329), seen);
        final List<Long> forward = new ArrayList<>();
        long anchor = ids.get(0) - 1;
        while (forward.size() < 330)
        {
            final List<Long> next = page(ch, AFTER, anchor, 100);
            assertFalse(next.isEmpty(), "AFTER ended early at " + forward.size());
            forward.addAll(0, next);
            anchor = next.get(0);
        }
        assertEquals(desc(ids, 0, 329), forward);
    }

    @Test
    void editsAreVersionsAndDeletesTombstones()
    {
        store = open();
        final long ch = channel(20);
        final List<Long> ids = post(ch, 5, 10);
        final StoredMessage m = store.message(ch, ids.get(2));
        store.appendMessage(m.withEdit("edited", 123_456L));
        assertEquals("edited", store.message(ch, ids.get(2)).content());
        assertEquals(123_456L, store.message(ch, ids.get(2)).editedTimestampMillis());
        assertEquals("edited", store.history(ch, LATEST, 0, 5).get(2).content());
        assertTrue(store.deleteMessage(ch, ids.get(4)));
        assertFalse(store.deleteMessage(ch, ids.get(4)), "a tombstone is not live");
        assertNull(store.message(ch, ids.get(4)));
        assertEquals(desc(ids, 0, 3), page(ch, LATEST, 0, 50));
        assertEquals(ids.get(3).longValue(), store.lastMessageId(ch));
        assertNull(store.message(channel(1), ids.get(1)), "an id is found in its own channel only");
        assertFalse(store.deleteMessage(channel(1), ids.get(1)));
        store.appendMessage(store.message(ch, ids.get(3)).withEdit("again", 999L));
        store = reopen();
        assertEquals("again", store.message(ch, ids.get(3)).content());
        assertEquals("edited", store.message(ch, ids.get(2)).content());
        assertNull(store.message(ch, ids.get(4)));
        assertEquals(desc(ids, 0, 3), page(ch, LATEST, 0, 50));
    }

    @Test
    void reactionsEmbedsAndRepliesKeptInExtra()
    {
        store = open();
        final long ch = channel(5);
        final List<Long> ids = post(ch, 3, 2);
        final String extra = "{\"embeds\":[{\"title\":\"t\",\"description\":\"caf\u00e9 \ud83c\udf89\"}],"
            + "\"message_reference\":{\"message_id\":\"" + ids.get(0) + "\"},\"reactions\":[{\"emoji\":\"\ud83d\udc4d\","
            + "\"users\":[\"42\"]}]}";
        store.appendMessage(store.message(ch, ids.get(1)).withExtra(extra));
        assertEquals(extra, store.message(ch, ids.get(1)).extra());
        assertEquals("message " + ids.get(1), store.message(ch, ids.get(1)).content(), "a reaction is not an edit");
        assertEquals(0, store.message(ch, ids.get(1)).editedTimestampMillis());
        store = reopen();
        assertEquals(extra, store.message(ch, ids.get(1)).extra());
        assertEquals(extra, store.history(ch, LATEST, 0, 3).get(1).extra());
    }

    @Test
    void pinsMostRecentFirstUnpinAndDeleteUnpins()
    {
        store = open();
        final long ch = channel(30);
        final List<Long> ids = post(ch, 6, 25);
        assertEquals(List.of(), store.pinned(ch));
        for (final int i : new int[] {1, 4, 0})
        {
            store.appendMessage(store.message(ch, ids.get(i)).withPinned(true));
        }
        assertEquals(List.of(ids.get(0), ids.get(4), ids.get(1)), ids(store.pinned(ch)));
        store.appendMessage(store.message(ch, ids.get(4)).withPinned(false));
        assertTrue(store.deleteMessage(ch, ids.get(1)));
        assertEquals(List.of(ids.get(0)), ids(store.pinned(ch)));
        store.appendMessage(store.message(ch, ids.get(0)).withEdit("pinned and edited", 5L));
        assertEquals(List.of(ids.get(0)), ids(store.pinned(ch)), "an edit keeps the pin");
        store = reopen();
        assertEquals(List.of(ids.get(0)), ids(store.pinned(ch)));
        assertEquals("pinned and edited", store.pinned(ch).get(0).content());
        assertTrue(store.message(ch, ids.get(0)).pinned());
    }

    @Test
    void aMessagePinnedThenUnpinnedByAnEditAfterARestartStaysUnpinned()
    {
        store = open();
        final long ch = channel(8);
        final List<Long> ids = post(ch, 4, 3);
        store.appendMessage(store.message(ch, ids.get(2)).withPinned(true));
        store = reopen(); // nothing of the channel in memory: neither the message nor the pins
        final StoredMessage pinned = store.message(ch, ids.get(2));
        assertTrue(pinned.pinned());
        store.appendMessage(pinned.withEdit("edited", 7L).withPinned(false));
        assertEquals(List.of(), store.pinned(ch));
        assertFalse(store.message(ch, ids.get(2)).pinned());
        store = reopen();
        assertEquals(List.of(), store.pinned(ch));
        assertEquals("edited", store.message(ch, ids.get(2)).content());
        assertFalse(store.message(ch, ids.get(2)).pinned());
        store.appendMessage(store.message(ch, ids.get(2)).withPinned(true));
        assertEquals(List.of(ids.get(2)), ids(store.pinned(ch)), "pinned again");
    }

    @Test
    void directMessagesAreChannelsWithoutGuild()
    {
        store = open();
        final long dm = channel(3);
        final long now = System.currentTimeMillis();
        final long a = snowflake(now - 2000, 1);
        final long b = snowflake(now - 1000, 2);
        store.appendMessage(new StoredMessage(a, dm, 0, AUTHOR, "hi", 0, 0, false, false));
        store.appendMessage(new StoredMessage(b, dm, 0, 43, "hello", 0, 0, true, false));
        assertEquals(List.of(b, a), page(dm, LATEST, 0, 50));
        store = reopen();
        final StoredMessage m = store.message(dm, b);
        assertEquals(0, m.guildId());
        assertEquals(43, m.authorId());
        assertTrue(m.tts());
        assertEquals(List.of(b, a), page(dm, LATEST, 0, 50));
    }

    @Test
    void restartRecoversStateRecordsInOrderAndMessages()
    {
        store = open();
        final long ch = channel(15);
        final List<Long> ids = post(ch, 12, 12);
        // state records of two scopes (a guild, a user), interleaved
        store.appendState(3, guildCreated(GUILD, "g"));
        store.appendState(1, userRegistered(AUTHOR, "alice"));
        store.appendState(4, channelCreated(ch, GUILD, "general"));
        store = reopen();
        final List<Integer> types = new ArrayList<>();
        final long n = store.recover((type, payload) -> types.add(type));
        assertEquals(List.of(3, 1, 4), types.subList(types.size() - 3, types.size()));
        assertTrue(n >= 3);
        assertEquals(desc(ids, 0, 11), page(ch, LATEST, 0, 50));
        assertEquals(ids.get(11).longValue(), store.lastMessageId(ch));
    }

    private static byte[] guildCreated(final long id, final String name)
    {
        return dev.pinwheel.core.state.StateRecords.guildCreated(id, name, AUTHOR, 0);
    }

    private static byte[] userRegistered(final long id, final String name)
    {
        return dev.pinwheel.core.state.StateRecords.userRegistered(new dev.pinwheel.core.directory.Account(id, name,
            "hash", false));
    }

    private static byte[] channelCreated(final long id, final long guild, final String name)
    {
        return dev.pinwheel.core.state.StateRecords.channelCreated(new dev.pinwheel.core.guild.GuildChannel(id, guild,
            0, name, 0, null, 0, 0, 0));
    }
}
