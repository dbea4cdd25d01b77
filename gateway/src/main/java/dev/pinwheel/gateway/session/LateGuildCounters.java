package dev.pinwheel.gateway.session;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * What one shard's {@link LateGuilds} did, in the node's counters ({@code /metrics}, {@code pinwheel top}), named like
 * the cluster link's: subscriptions that failed for a reason that may heal (deferred: the session was told the guild
 * is unavailable, or told again), sent again, healed (GUILD_CREATE came), not remembered (the table was full), and how
 * many (session, guild) pairs wait now. Types {@link CounterTypes#LATE_GUILDS} and
 * {@link CounterTypes#LATE_GUILDS_GAUGE}, scope the shard. Its shard's thread writes them (release stores).
 */
final class LateGuildCounters
{
    static final int DEFERRED = 0;
    static final int RETRIED = 1;
    static final int HEALED = 2;
    static final int DROPPED = 3;

    private final CounterBlock counters;
    private final CounterBlock waiting;

    /**
     * @param counters the node's counters.
     * @param shard    the shard.
     */
    LateGuildCounters(final NodeCounters counters, final int shard)
    {
        final String label = "{shard=\"" + shard + "\"}";
        this.counters = new CounterBlock(counters, CounterTypes.LATE_GUILDS, shard,
            "pinwheel_cluster_late_guilds_deferred_total" + label,
            "pinwheel_cluster_late_guilds_retried_total" + label,
            "pinwheel_cluster_late_guilds_healed_total" + label,
            "pinwheel_cluster_late_guilds_dropped_total" + label);
        this.waiting = new CounterBlock(counters, CounterTypes.LATE_GUILDS_GAUGE, shard,
            "pinwheel_cluster_late_guilds_waiting" + label);
    }

    void increment(final int id)
    {
        counters.increment(id);
    }

    void waiting(final int pairs)
    {
        waiting.set(0, pairs);
    }

    long get(final int id)
    {
        return counters.get(id);
    }
}
