package dev.pinwheel.storage.cassandra;

import java.util.ArrayList;
import java.util.List;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;

import org.agrona.collections.Long2LongHashMap;

import dev.pinwheel.core.store.StoredMessage;

/**
 * One read the owner could not answer from memory, asked of Cassandra by its {@link ReadPipeline}: a message by id, a
 * channel's pins, or a walk over a channel's buckets (its newest page, an extension of its hot window, a page before or
 * after an id). Owner thread only, except {@link Request}'s fields, written by a driver thread before the request is
 * handed over through the pipeline's queue.
 * <pre>
 *   walk (descending):  bucket ─▶ bucket-1 ─▶ …  down to the channel's own bucket, the newest one (or two) alone first,
 *                       then {@value #PARALLEL_BUCKETS} at once; a full bucket continues from its last row
 *   walk (ascending):   bucket ─▶ bucket+1 ─▶ …  up to the current bucket + 1
 * </pre>
 */
final class ReadFetch
{
    /** Buckets queried together while walking a channel's history. */
    static final int PARALLEL_BUCKETS = 4;

    /** What is read. */
    enum Kind
    {
        /** A message by id: {@link #message}, or null if there is none. */
        MESSAGE,
        /** A channel's pinned ids and when each was pinned: {@link #pins}. */
        PINS,
        /** A cold channel's newest page: becomes its hot window. */
        WINDOW,
        /** Older messages below a hot window's floor ({@code anchor}): extend it. */
        EXTEND,
        /** A page of ids below {@code anchor}, newest first. */
        BEFORE,
        /** A page of ids above {@code anchor}, oldest first. */
        AFTER
    }

    /** Identifies a fetch: two reads of the same thing share one. */
    record Key(Kind kind, long channel, long anchor, int limit)
    {
    }

    /** One driver request of a fetch; its outcome is written by a driver thread, then queued to the owner. */
    static final class Request
    {
        final ReadFetch fetch;
        final int index;
        AsyncResultSet result;
        Throwable error;

        Request(final ReadFetch fetch, final int index)
        {
            this.fetch = fetch;
            this.index = index;
        }
    }

    final Key key;
    final long ticket;
    /** The store's durable watermark when the fetch was issued: writes above it may be missing from the answer. */
    final long durableAtIssue;
    /** Rows Cassandra may return per bucket (the page wanted plus room for deletes in flight). */
    final int rowLimit;
    /** Walks: live messages found, in walk order, overlaid with the owner's newer versions. */
    final List<StoredMessage> rows;
    /** Walks: how many more are wanted. */
    int need;
    /** Walks: the bucket of request 0 of the current round; the id bound within it. */
    int bucket;
    long bound;
    /** Walks: rounds issued. */
    int round;
    /** Walks from the newest end: the first round asks the current bucket and the next one together. */
    boolean top;
    /** Walks: true if the walk reached the channel's end with rows still wanted. */
    boolean exhausted;
    /** MESSAGE: the message, or null. */
    StoredMessage message;
    /** PINS: pinned id → pinned-at. */
    Long2LongHashMap pins;
    /** Results of the current round, by request index; how many are still out. */
    final AsyncResultSet[] results = new AsyncResultSet[PARALLEL_BUCKETS];
    int sent;
    int outstanding;
    /** The first failure: the fetch is complete and its reads answer 503. */
    Throwable error;
    boolean done;

    ReadFetch(final Key key, final long ticket, final long durableAtIssue, final int want, final int rowLimit)
    {
        this.key = key;
        this.ticket = ticket;
        this.durableAtIssue = durableAtIssue;
        this.need = want;
        this.rowLimit = rowLimit;
        this.rows = key.kind() == Kind.MESSAGE || key.kind() == Kind.PINS ? List.of() : new ArrayList<>(want);
    }

    boolean descending()
    {
        return key.kind() != Kind.AFTER;
    }

    @Override
    public String toString()
    {
        return "fetch " + ticket + " " + key;
    }
}
