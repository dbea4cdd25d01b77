package dev.pinwheel.cluster;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * What the link did and refused, in the node's counters ({@code /metrics}, {@code pinwheel top}): every reason a
 * message did not go out at once is a named counter. Written by several shard threads and the receiver: atomic adds.
 */
final class LinkCounters
{
    /** The scope of the link's counters among the node's {@link CounterTypes#NODE_COUNTER}s. */
    static final int SCOPE = 1000;
    static final int SENT = 0;
    static final int RECEIVED = 1;
    static final int BACK_PRESSURED = 2;
    static final int RETRIED = 3;
    static final int REFUSED_NODE_DOWN = 4;
    static final int REFUSED_QUEUE_FULL = 5;
    static final int EVENTS_DROPPED = 6;
    static final int RECEIVER_HELD = 7;
    static final int MALFORMED = 8;
    static final int ANSWERS_OVER_LIMIT = 9;
    /** The link's cycle run by the receiving shard, woken by the data socket ({@link LinkAgent#runOnShard}). */
    static final int SHARD_RECEIVED = 10;
    /** The link's cycle run by a shard at the end of a duty cycle in which it offered. */
    static final int SHARD_SENT = 11;

    private final CounterBlock block;

    LinkCounters(final NodeCounters counters)
    {
        block = new CounterBlock(counters, CounterTypes.NODE_COUNTER, SCOPE,
            "pinwheel_cluster_sent_total",
            "pinwheel_cluster_received_total",
            "pinwheel_cluster_back_pressured_total",
            "pinwheel_cluster_retried_total",
            "pinwheel_cluster_refused_total{reason=\"node_down\"}",
            "pinwheel_cluster_refused_total{reason=\"queue_full\"}",
            "pinwheel_cluster_events_dropped_total",
            "pinwheel_cluster_receiver_ring_full_total",
            "pinwheel_cluster_malformed_total",
            "pinwheel_cluster_answers_held_over_limit_total",
            "pinwheel_cluster_link_cycles_on_shards_total{why=\"readable\"}",
            "pinwheel_cluster_link_cycles_on_shards_total{why=\"offered\"}");
    }

    void increment(final int id)
    {
        block.incrementConcurrent(id);
    }

    long get(final int id)
    {
        return block.get(id);
    }
}
