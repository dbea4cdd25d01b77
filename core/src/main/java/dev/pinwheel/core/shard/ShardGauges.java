package dev.pinwheel.core.shard;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * Levels of one shard, in the node's {@link NodeCounters} (type {@link CounterTypes#SHARD_GAUGE}, key (shard, id),
 * label {@code pinwheel_shard_<name>{shard="i"}}), so that a reader of the counters file sees what the shard holds.
 * Written by the shard thread only: the shard itself samples its ring, guilds and clock at every tick (~50 ms); the
 * transport ({@link #CONNECTIONS}, {@link #SESSIONS}) from a ticker of its own. Ids are stable: add at the end.
 */
public final class ShardGauges
{
    /** Entries waiting in the inbox ring, at the last tick. */
    public static final int RING_DEPTH = 0;
    /** Inbox ring capacity. */
    public static final int RING_CAPACITY = 1;
    /** Guilds the shard owns. */
    public static final int GUILDS_OWNED = 2;
    /** Guilds with at least one subscribed local session. */
    public static final int GUILDS_FOLLOWED = 3;
    /** Wall-clock time of the shard's last tick (epoch ms): a stuck shard stops moving it. */
    public static final int TICK_EPOCH_MILLIS = 4;
    /** Gateway WebSocket connections on the shard (written by the transport). */
    public static final int CONNECTIONS = 5;
    /** Gateway sessions on the shard, connected or awaiting RESUME (written by the transport). */
    public static final int SESSIONS = 6;
    /**
     * Commands held back at the node's start until its peers follow it again ({@link Shard#holdCommands}), at the last
     * tick: 0 once the hold ended.
     */
    public static final int HELD_COMMANDS = 7;

    private static final String[] NAMES = {
        "ring_depth", "ring_capacity", "guilds_owned", "guilds_followed", "tick_epoch_millis", "connections",
        "sessions", "held_commands",
    };

    private final CounterBlock values;

    /**
     * @param counters the node's counters.
     * @param shard    the shard.
     */
    public ShardGauges(final NodeCounters counters, final int shard)
    {
        final String[] labels = new String[NAMES.length];
        for (int i = 0; i < labels.length; i++)
        {
            labels[i] = "pinwheel_shard_" + NAMES[i] + "{shard=\"" + shard + "\"}";
        }
        this.values = new CounterBlock(counters, CounterTypes.SHARD_GAUGE, shard, labels);
    }

    /**
     * @param id    gauge id; shard thread only.
     * @param value its level now.
     */
    public void set(final int id, final long value)
    {
        values.set(id, value);
    }

    /**
     * @param id gauge id.
     * @return its level (any thread).
     */
    public long get(final int id)
    {
        return values.get(id);
    }

    /**
     * @return gauge count.
     */
    public static int size()
    {
        return NAMES.length;
    }

    /**
     * @param id gauge id.
     * @return stable name.
     */
    public static String name(final int id)
    {
        return NAMES[id];
    }
}
