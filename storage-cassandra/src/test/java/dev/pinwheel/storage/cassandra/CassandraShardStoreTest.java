package dev.pinwheel.storage.cassandra;

import static dev.pinwheel.core.store.HistoryQuery.BEFORE;
import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.store.BlockingReads;
import dev.pinwheel.core.store.ReadPendingException;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;

/**
 * What the Cassandra store does that the contract does not see: a read it cannot answer from memory never waits (it
 * issues the fetch, throws {@link ReadPendingException} and answers once the fetch is in); a failed read issues no
 * write and changes nothing; an unpin after a restart removes the pin row itself; reads beyond
 * {@code max-reads} are refused. On a real Cassandra.
 */
@Tag("cassandra")
@Tag("external")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CassandraShardStoreTest
{
    private static final long GUILD = 7;
    private static final long AUTHOR = 42;
    private static final String KEYSPACE = TestCassandra.keyspace("store");
    private static final java.util.concurrent.atomic.AtomicLong CHANNELS = new java.util.concurrent.atomic.AtomicLong(
        ProcessHandle.current().pid() << 8);
    private final List<CassandraStoreFactory> factories = new ArrayList<>();
    private final List<CassandraShardStore> stores = new ArrayList<>();

    @AfterEach
    void close()
    {
        stores.forEach(CassandraShardStore::close);
        factories.forEach(CassandraStoreFactory::close);
    }

    private CassandraStoreFactory factory(final CassandraStoreContext ctx)
    {
        final CassandraStoreFactory f = new CassandraStoreFactory(ctx);
        factories.add(f);
        return f;
    }

    private CassandraShardStore open(final CassandraStoreFactory f)
    {
        final CassandraShardStore s = f.open(0);
        stores.add(s);
        return s;
    }

    private static <T> T blocking(final CassandraShardStore store, final Supplier<T> read)
    {
        return BlockingReads.await(store, read, 30, TimeUnit.SECONDS);
    }

    /** n messages of a channel made 3 days ago, the newest first in the returned ids' order (oldest first). */
    private static List<Long> post(final CassandraShardStore store, final long channel, final int n)
    {
        final long now = System.currentTimeMillis() - 1000;
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final long id = ShardStoreContract.snowflake(now - (n - i) * 60_000L, i);
            BlockingReads.run(store, () -> store.appendMessage(new StoredMessage(id, channel, GUILD, AUTHOR,
                "message " + id, 0, 0, false, false)), 30, TimeUnit.SECONDS);
            ids.add(id);
        }
        // acknowledged = durable: another store (a cold reader) must find every one of them
        final Thread me = Thread.currentThread();
        store.bindWakeup(() -> java.util.concurrent.locks.LockSupport.unpark(me));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.durableSequence() < store.issuedSequence())
        {
            assertTrue(System.nanoTime() < deadline, "the " + n + " writes become durable");
            if (store.pollCompletions() == 0 && !store.hasCompletions())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        return ids;
    }

    private static long channel()
    {
        return ShardStoreContract.snowflake(System.currentTimeMillis() - TimeUnit.DAYS.toMillis(3),
            CHANNELS.incrementAndGet());
    }

    /** Waits (parked, woken by the driver's callback) until the fetch is in; then the read runs again. */
    private static void awaitFetch(final CassandraShardStore store, final long ticket)
    {
        final Thread me = Thread.currentThread();
        store.bindWakeup(() -> java.util.concurrent.locks.LockSupport.unpark(me));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!store.readComplete(ticket))
        {
            assertTrue(System.nanoTime() < deadline, "fetch " + ticket + " completes");
            if (store.pollCompletions() == 0 && !store.hasCompletions())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Test
    void aColdReadIssuesOneFetchThrowsPendingAndAnswersOnceItIsIn()
    {
        final String ks = KEYSPACE; // shared by the tests that leave its tables as they are
        final CassandraStoreFactory f = factory(TestCassandra.context(ks));
        final long ch = channel();
        final List<Long> ids = post(open(f), ch, 60);
        final CassandraShardStore cold = open(factory(TestCassandra.context(ks)));

        final ReadPendingException pending = assertThrows(ReadPendingException.class,
            () -> cold.history(ch, LATEST, 0, 50));
        assertEquals(0, cold.issuedSequence(), "a read issues no write");
        final ReadPendingException again = assertThrows(ReadPendingException.class,
            () -> cold.history(ch, LATEST, 0, 50));
        assertEquals(pending.ticket(), again.ticket(), "two reads of one page share one fetch");
        assertFalse(cold.readComplete(pending.ticket()));
        awaitFetch(cold, pending.ticket());
        final List<StoredMessage> page = cold.history(ch, LATEST, 0, 50);
        assertEquals(50, page.size());
        assertEquals(ids.get(59).longValue(), page.get(0).id());
        assertEquals(ids.get(59).longValue(), cold.history(ch, LATEST, 0, 1).get(0).id(), "now from memory");

        // a page older than the window, and a message by id below it: fetched the same way
        final List<StoredMessage> older = blocking(cold, () -> cold.history(ch, BEFORE, ids.get(5), 10));
        assertEquals(5, older.size());
        final ReadPendingException byId = assertThrows(ReadPendingException.class, () -> cold.message(ch, ids.get(1)));
        awaitFetch(cold, byId.ticket());
        assertEquals("message " + ids.get(1), cold.message(ch, ids.get(1)).content());
        assertEquals(0, cold.issuedSequence());
    }

    /** A fence a test moves by hand: the node's term (declared lost) and whether it may send writes. */
    private static final class TestFence implements dev.pinwheel.core.store.WriteFence
    {
        volatile long term;
        volatile boolean mayWrite = true;

        @Override
        public long term()
        {
            return term;
        }

        @Override
        public boolean mayWrite()
        {
            return mayWrite;
        }
    }

    /** Appends a message of the guild's author; returns the sequence number of the write it issued. */
    private static long appendAndSeq(final CassandraShardStore store, final long id, final long channel,
        final String content)
    {
        BlockingReads.run(store, () -> store.appendMessage(new StoredMessage(id, channel, GUILD, AUTHOR, content, 0, 0,
            false, false)), 30, TimeUnit.SECONDS);
        return store.issuedSequence();
    }

    /** Polls the store's completions for a while (its writes that may go out, go out). */
    private static void pollFor(final CassandraShardStore store, final long millis)
    {
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - until < 0)
        {
            store.pollCompletions();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * A node whose ownership lapsed holds its writes; if it was declared lost meanwhile (its keys went to others, who
     * read Cassandra without them) they are abandoned and never sent, and the acknowledgements they cover fail; if not,
     * they go out once it owns again. Before, a write the driver timed out during a stall was sent again on resuming,
     * over the new owner's (a chaos soak: a post written twice).
     */
    @Test
    void writesAreHeldWhileFencedAndAbandonedOnceTheNodeWasDeclaredLost()
    {
        final String ks = TestCassandra.keyspace("fence");
        final TestFence fence = new TestFence();
        final CassandraShardStore store = open(factory(TestCassandra.context(ks).fence(fence)));
        final CassandraShardStore cold = open(factory(TestCassandra.context(ks)));
        final long ch = channel();
        final long now = System.currentTimeMillis() - 1000;

        // held while it may not write, sent once it may again (no epoch without it came)
        fence.mayWrite = false;
        final long held = ShardStoreContract.snowflake(now - 3_000, 1);
        final long heldSeq = appendAndSeq(store, held, ch, "held");
        pollFor(store, 500);
        assertTrue(store.durableSequence() < heldSeq, "not sent while fenced");
        fence.mayWrite = true;
        post(store, channel(), 1); // waits until every write is durable
        assertFalse(store.abandoned(heldSeq, heldSeq));
        assertEquals("held", blocking(cold, () -> cold.message(ch, held)).content(), "written once it owns again");

        // issued, held, then the node is declared lost: never sent
        fence.mayWrite = false;
        final long lost = ShardStoreContract.snowflake(now - 2_000, 2);
        final long lostSeq = appendAndSeq(store, lost, ch, "lost");
        pollFor(store, 300);
        fence.term = 1;
        pollFor(store, 300);
        assertTrue(store.durableSequence() >= lostSeq, "abandoned: the watermark passes it");
        assertTrue(store.abandoned(lostSeq, lostSeq), "its acknowledgement fails");
        assertFalse(store.abandonedAfterSending(lostSeq, lostSeq), "never sent: certainly not applied");
        fence.mayWrite = true;
        pollFor(store, 500);
        final long after = ShardStoreContract.snowflake(now - 1_000, 3);
        final long afterSeq = appendAndSeq(store, after, ch, "after");
        post(store, channel(), 1);
        assertFalse(store.abandoned(afterSeq, afterSeq), "a write of the new term goes out");
        final CassandraShardStore reader = open(factory(TestCassandra.context(ks)));
        assertEquals("after", blocking(reader, () -> reader.message(ch, after)).content());
        assertEquals(null, blocking(reader, () -> reader.message(ch, lost)), "the abandoned write never landed");
    }

    /**
     * A write that went out and failed (or timed out) before the node was declared lost is abandoned too, but the
     * database may have applied it: its acknowledgement is told the outcome is unknown (the client hears "may or may
     * not have been applied"), not that it was never sent. Before, a delete whose write timed out during a stall was
     * answered "not written"; the client's retry found the message gone (404) — a chaos soak called it lost.
     */
    @Test
    void aWriteSentOnceAndUnansweredBeforeTheNodeWasDeclaredLostHasAnUnknownOutcome()
    {
        final String ks = TestCassandra.keyspace("fenceunknown");
        final TestFence fence = new TestFence();
        final CassandraStoreFactory f = factory(TestCassandra.context(ks).fence(fence).requestTimeoutMillis(2000));
        final CassandraShardStore store = open(f);
        final long ch = channel();
        final long now = System.currentTimeMillis() - 1000;
        post(store, ch, 1); // the channel's newest page is held: the next post reads nothing
        // every write of a message fails from now on: sent, answered with an error, waiting to be sent again
        f.session().execute(SimpleStatement.newInstance("DROP TABLE " + ks + ".messages").setTimeout(
            java.time.Duration.ofSeconds(30)));
        final long sentSeq = appendAndSeq(store, ShardStoreContract.snowflake(now, 1), ch, "sent once");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.writable() && System.nanoTime() - deadline < 0)
        {
            pollFor(store, 50);
        }
        assertFalse(store.writable(), "the write failed");
        fence.term = 1; // declared lost
        pollFor(store, 300);
        assertTrue(store.durableSequence() >= sentSeq && store.abandoned(sentSeq, sentSeq), "abandoned");
        assertTrue(store.abandonedAfterSending(sentSeq, sentSeq), "sent once: the database may have applied it");
    }

    /**
     * Two term changes while a write issued before the first is still in flight (the node declared lost, then lost
     * again after it came back): the write the first change abandoned stays abandoned once the one in flight is
     * answered and the watermark passes it — its acknowledgement fails. Before, each change kept one range of abandoned
     * writes and the second overwrote the first's: that acknowledgement ran as a success for a write never sent.
     */
    @Test
    void aWriteAbandonedByATermChangeStaysAbandonedThroughTheNext()
    {
        final String ks = TestCassandra.keyspace("fencetwice");
        final TestFence fence = new TestFence();
        final CassandraShardStore store = open(factory(TestCassandra.context(ks).fence(fence)));
        final long ch = channel();
        final long now = System.currentTimeMillis() - 1000;
        post(store, ch, 1); // the channel's newest page is held: the next appends read nothing
        try
        {
            CassandraShardStore.delayWritesInDriver(-1); // the next write waits in the driver, unanswered
            final long inFlightSeq = appendAndSeq(store, ShardStoreContract.snowflake(now - 2_000, 1), ch, "in flight");
            fence.mayWrite = false;
            final long lostSeq = appendAndSeq(store, ShardStoreContract.snowflake(now - 1_000, 2), ch, "lost");
            fence.term = 1; // declared lost: the queued write is abandoned
            pollFor(store, 200);
            fence.term = 2; // and again: nothing new to abandon
            pollFor(store, 200);
            assertTrue(store.durableSequence() < inFlightSeq, "the write in flight holds the watermark");
            fence.mayWrite = true;
            CassandraShardStore.delayWritesInDriver(0); // it goes out and is answered
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (store.durableSequence() < lostSeq)
            {
                assertTrue(System.nanoTime() < deadline, "the watermark passes the abandoned write");
                pollFor(store, 50);
            }
            assertTrue(store.abandoned(lostSeq, lostSeq), "the first change's abandoned write: its acknowledgement fails");
            assertFalse(store.abandonedAfterSending(lostSeq, lostSeq), "never sent");
            assertFalse(store.abandoned(inFlightSeq, inFlightSeq), "the write in flight was taken");
            assertTrue(store.abandoned(inFlightSeq, lostSeq), "an acknowledgement covering both fails");
        }
        finally
        {
            CassandraShardStore.delayWritesInDriver(0);
        }
    }

    @Test
    void aFailedReadIssuesNothingAndChangesNothing()
    {
        final String ks = TestCassandra.keyspace("failedread");
        final CassandraStoreFactory f = factory(TestCassandra.context(ks).requestTimeoutMillis(2000));
        final CassandraShardStore store = open(f);
        final long ch = channel();
        final List<Long> ids = post(store, ch, 3);
        final StoredMessage m = blocking(store, () -> store.message(ch, ids.get(1)));
        // the pin table goes away: pinning must read the channel's pins first, and that read fails
        f.session().execute(SimpleStatement.newInstance("DROP TABLE " + ks + ".pins").setTimeout(
            java.time.Duration.ofSeconds(30)));
        final long issued = store.issuedSequence();
        final StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
            () -> BlockingReads.run(store, () -> store.appendMessage(m.withPinned(true)), 30, TimeUnit.SECONDS));
        assertEquals(StoreUnavailableException.Reason.UNAVAILABLE, refused.reason());
        assertTrue(refused.getMessage().startsWith("Cassandra read failed"), refused.getMessage());
        assertEquals(issued, store.issuedSequence(), "the failed read issued no write");
        assertFalse(store.message(ch, ids.get(1)).pinned(), "memory unchanged");
        assertEquals(ids.get(2).longValue(), store.history(ch, LATEST, 0, 1).get(0).id());
        assertEquals(1, store.failedReads());
        // the message itself is still writable: an edit that does not touch the pin reads nothing
        store.appendMessage(m.withEdit("still writable", 1L));
        assertEquals(issued + 1, store.issuedSequence());
    }

    @Test
    void anUnpinAfterARestartDeletesThePinRow()
    {
        final String ks = KEYSPACE; // shared by the tests that leave its tables as they are
        final CassandraStoreFactory f = factory(TestCassandra.context(ks));
        final CassandraShardStore first = open(f);
        final long ch = channel();
        final List<Long> ids = post(first, ch, 3);
        BlockingReads.run(first, () -> first.appendMessage(blocking(first, () -> first.message(ch, ids.get(0)))
            .withPinned(true)), 30, TimeUnit.SECONDS);
        first.close(); // waits for its writes
        assertEquals(1, pinRows(f, ks, ch));
        final CassandraShardStore second = open(factory(TestCassandra.context(ks)));
        final StoredMessage pinned = blocking(second, () -> second.message(ch, ids.get(0)));
        BlockingReads.run(second, () -> second.appendMessage(pinned.withEdit("edited", 2L).withPinned(false)), 30,
            TimeUnit.SECONDS);
        second.close();
        assertEquals(0, pinRows(f, ks, ch), "the pin row is deleted, not only hidden");
    }

    private static long pinRows(final CassandraStoreFactory f, final String ks, final long ch)
    {
        return f.session().execute(SimpleStatement.newInstance("SELECT count(*) FROM " + ks
            + ".pins WHERE channel_id = ?", ch)).one().getLong(0);
    }

    @Test
    void readsBeyondMaxReadsAreRefused()
    {
        final String ks = KEYSPACE; // shared by the tests that leave its tables as they are
        final CassandraShardStore store = open(factory(TestCassandra.context(ks).maxReads(2)));
        final ReadPendingException a = assertThrows(ReadPendingException.class, () -> store.lastMessageId(channel()));
        final ReadPendingException b = assertThrows(ReadPendingException.class, () -> store.lastMessageId(channel()));
        final StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
            () -> store.lastMessageId(channel()));
        assertTrue(refused.getMessage().contains("read backlog full"), refused.getMessage());
        awaitFetch(store, a.ticket());
        awaitFetch(store, b.ticket());
        final long empty = channel();
        assertEquals(0, blocking(store, () -> store.lastMessageId(empty)), "room again");
    }
}
