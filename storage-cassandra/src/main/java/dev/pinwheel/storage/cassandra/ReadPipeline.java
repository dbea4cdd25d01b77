package dev.pinwheel.storage.cassandra;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's reads from Cassandra, never waited for: the owner issues a {@link ReadFetch} and goes on; the driver's
 * threads only record each request's outcome and wake the owner; the owner takes them in with {@link #poll()}, walks on
 * (the next buckets) or completes the fetch, whose result the store puts in memory ({@link Owner#fetched}).
 * <pre>
 *   owner thread                                  driver I/O threads
 *   issue(key) → ticket t, requests ────────────▶ executeAsync ──▶ Cassandra
 *                                                 │ whenComplete: the request into an MPSC queue, wake the owner
 *   poll(): results of a round ◀──────────────────┘
 *           more buckets wanted? the next round ─▶ …
 *           else complete: Owner.fetched(f) (hot window, versions, pins), t complete
 * </pre>
 * Two reads of the same thing share one fetch (by {@link ReadFetch.Key}). A completed fetch stays findable until the
 * next {@link #poll()}: the reads parked on it run again between the two (the shard re-runs them right after polling)
 * and find its pages or its failure. At most {@code maxReads} fetches are in flight: beyond, reads are refused (503).
 * <p>
 * <b>Not thread-safe</b> except {@link #hasCompletions()} and the completion callbacks.
 */
final class ReadPipeline
{
    private static final Logger LOG = LoggerFactory.getLogger(ReadPipeline.class);

    /** The store: what it knows better than Cassandra, and where fetched answers go. Owner thread. */
    interface Owner
    {
        /**
         * @return the owner's version of a message read from Cassandra: a newer one, null if deleted, or the same.
         */
        StoredMessage overlay(long channel, StoredMessage fromCassandra);

        /**
         * A fetch completed without failure: put its answer in memory (not BEFORE/AFTER pages: those are taken by the
         * reads that wait for them).
         */
        void fetched(ReadFetch fetch);
    }

    private final CqlSession session;
    private final CassandraStatements st;
    private final int shard;
    private final int maxReads;
    private final Owner owner;
    private final ManyToOneConcurrentArrayQueue<ReadFetch.Request> completions;
    private final HashMap<ReadFetch.Key, ReadFetch> byKey = new HashMap<>();
    private final Long2ObjectHashMap<ReadFetch> inFlight = new Long2ObjectHashMap<>();
    /** Fetches completed since the last poll began: findable until the next one begins. */
    private final ArrayList<ReadFetch> completed = new ArrayList<>();
    private volatile Runnable wakeup = () -> { };
    private long tickets;
    private long failures;

    ReadPipeline(final CqlSession session, final CassandraStatements statements, final int shard, final int maxReads,
        final Owner owner)
    {
        this.session = session;
        this.st = statements;
        this.shard = shard;
        this.maxReads = maxReads;
        this.owner = owner;
        this.completions = new ManyToOneConcurrentArrayQueue<>(maxReads * ReadFetch.PARALLEL_BUCKETS + 16);
    }

    void wakeup(final Runnable value)
    {
        wakeup = value;
    }

    /**
     * @return the fetch of that key: in flight, or completed since the last poll but one; null if none.
     */
    ReadFetch find(final ReadFetch.Key key)
    {
        return byKey.get(key);
    }

    /**
     * Issues a fetch (it may complete at once: a walk with no bucket to ask).
     *
     * @param key            what to read.
     * @param want           walks: live messages wanted.
     * @param rowLimit       walks: rows asked per bucket.
     * @param durableAtIssue the store's durable watermark now.
     * @return the fetch.
     * @throws StoreUnavailableException if {@code maxReads} fetches are in flight already.
     */
    ReadFetch issue(final ReadFetch.Key key, final int want, final int rowLimit, final long durableAtIssue)
    {
        if (inFlight.size() >= maxReads)
        {
            throw new StoreUnavailableException(StoreUnavailableException.Reason.UNAVAILABLE,
                "Cassandra read backlog full (" + maxReads + " reads in flight)");
        }
        final ReadFetch f = new ReadFetch(key, ++tickets, durableAtIssue, want, rowLimit);
        byKey.put(key, f);
        inFlight.put(f.ticket, f);
        final long channel = key.channel();
        switch (key.kind())
        {
            case MESSAGE -> send(f, 0, execute(st.bind(st.selectMessage, channel, Buckets.of(key.anchor()),
                key.anchor())));
            case PINS -> send(f, 0, execute(st.bind(st.selectPins, channel)));
            case AFTER ->
            {
                f.bucket = Math.max(Buckets.of(channel), Buckets.of(key.anchor() + 1));
                f.bound = key.anchor();
                sendRound(f);
            }
            default -> // WINDOW, EXTEND, BEFORE: down from the anchor (the newest end for a window)
            {
                final long max = key.kind() == ReadFetch.Kind.WINDOW ? Long.MAX_VALUE : key.anchor();
                // from the top: the next bucket too (a writer whose clock runs ahead), asked with the current one
                f.top = max == Long.MAX_VALUE || Buckets.of(max - 1) > Buckets.now();
                f.bucket = f.top ? Buckets.now() + 1 : Buckets.of(max - 1);
                f.bound = max;
                sendRound(f);
            }
        }
        return f;
    }

    /**
     * @param ticket a fetch's ticket.
     * @return true unless that fetch is in flight.
     */
    boolean complete(final long ticket)
    {
        return !inFlight.containsKey(ticket);
    }

    int inFlight()
    {
        return inFlight.size();
    }

    /**
     * @return fetches that failed (timeouts, Cassandra unreachable) so far.
     */
    long failures()
    {
        return failures;
    }

    boolean hasCompletions()
    {
        return !completions.isEmpty();
    }

    /**
     * Forgets the fetches completed before this poll (the reads parked on them ran again since), takes in the requests completed since, walks on or completes
     * their fetches.
     *
     * @return requests taken in.
     */
    int poll()
    {
        for (int i = 0; i < completed.size(); i++)
        {
            final ReadFetch f = completed.get(i);
            byKey.remove(f.key, f);
        }
        completed.clear();
        int n = 0;
        for (ReadFetch.Request r = completions.poll(); r != null; r = completions.poll())
        {
            n++;
            onRequestDone(r);
        }
        return n;
    }

    private void onRequestDone(final ReadFetch.Request r)
    {
        final ReadFetch f = r.fetch;
        f.outstanding--;
        if (r.error != null)
        {
            if (f.error == null)
            {
                f.error = r.error;
            }
        }
        else
        {
            switch (f.key.kind())
            {
                case MESSAGE ->
                {
                    final Row row = r.result.one();
                    f.message = row == null ? null : CassandraStatements.message(f.key.channel(), row);
                }
                case PINS ->
                {
                    if (f.pins == null)
                    {
                        f.pins = new Long2LongHashMap(0);
                    }
                    for (final Row row : r.result.currentPage())
                    {
                        f.pins.put(row.getLong(0), row.getLong(1));
                    }
                    if (r.result.hasMorePages())
                    {
                        send(f, 0, r.result.fetchNextPage());
                    }
                }
                default -> f.results[r.index] = r.result;
            }
        }
        if (f.outstanding > 0)
        {
            return;
        }
        if (f.error != null || f.key.kind() == ReadFetch.Kind.MESSAGE || f.key.kind() == ReadFetch.Kind.PINS)
        {
            finish(f);
        }
        else
        {
            walkOn(f);
        }
    }

    /** A walk's round is in: take its rows, then stop, continue in a full bucket, or ask the next buckets. */
    private void walkOn(final ReadFetch f)
    {
        final boolean desc = f.descending();
        final long channel = f.key.channel();
        for (int i = 0; i < f.sent; i++)
        {
            final AsyncResultSet rs = f.results[i];
            f.results[i] = null;
            int rows = 0;
            long last = 0;
            for (final Row row : rs.currentPage())
            {
                rows++;
                last = row.getLong(0);
                if (f.need > 0)
                {
                    final StoredMessage m = owner.overlay(channel, CassandraStatements.message(channel, row));
                    if (m != null)
                    {
                        f.rows.add(m);
                        f.need--;
                    }
                }
            }
            if (f.need == 0)
            {
                java.util.Arrays.fill(f.results, null);
                finish(f);
                return;
            }
            if (rows == f.rowLimit) // that bucket has more beyond its last row: continue there
            {
                java.util.Arrays.fill(f.results, null);
                f.bucket = desc ? f.bucket - i : f.bucket + i;
                f.bound = last;
                sendRound(f);
                return;
            }
        }
        f.bucket = desc ? f.bucket - f.sent : f.bucket + f.sent;
        sendRound(f);
    }

    /** Asks the next buckets of a walk (the newest one or two alone first, then several at once), or completes it. */
    private void sendRound(final ReadFetch f)
    {
        final long channel = f.key.channel();
        final boolean desc = f.descending();
        final int left = desc ? f.bucket - Buckets.of(channel) + 1 : Buckets.now() + 1 - f.bucket + 1;
        final int k = Math.min(f.round++ == 0 ? (f.top ? 2 : 1) : ReadFetch.PARALLEL_BUCKETS, left);
        if (f.need <= 0 || k <= 0)
        {
            f.exhausted = f.need > 0;
            finish(f);
            return;
        }
        f.sent = k;
        for (int i = 0; i < k; i++)
        {
            send(f, i, execute(desc ? st.bind(st.selectBefore, channel, f.bucket - i, f.bound, f.rowLimit)
                : st.bind(st.selectAfter, channel, f.bucket + i, f.bound, f.rowLimit)));
        }
    }

    private CompletionStage<AsyncResultSet> execute(final BoundStatement statement)
    {
        try
        {
            return session.executeAsync(statement);
        }
        catch (final RuntimeException ex) // a closed session: a failed request like any other
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void send(final ReadFetch f, final int index, final CompletionStage<AsyncResultSet> stage)
    {
        f.outstanding++;
        final ReadFetch.Request r = new ReadFetch.Request(f, index);
        stage.whenComplete((rs, err) -> complete(r, rs, err));
    }

    /** On a driver thread (or the owner, if the driver failed at once): record the outcome, wake the owner. */
    private void complete(final ReadFetch.Request r, final AsyncResultSet rs, final Throwable err)
    {
        r.result = rs;
        r.error = err;
        int attempts = 0;
        while (!completions.offer(r)) // cannot happen: the queue holds every request that can be in flight
        {
            if (++attempts == 1)
            {
                LOG.error("shard {}: read completion queue full, {} reported late", shard, r.fetch);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        wakeup.run();
    }

    private void finish(final ReadFetch f)
    {
        f.done = true;
        inFlight.remove(f.ticket);
        completed.add(f);
        if (f.error != null)
        {
            failures++;
            LOG.debug("shard {}: {} failed: {}", shard, f, f.error.toString());
            return;
        }
        owner.fetched(f);
    }
}
