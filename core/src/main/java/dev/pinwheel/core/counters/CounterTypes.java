package dev.pinwheel.core.counters;

/**
 * The type id of every kind of counter a node keeps in its {@link NodeCounters}. Stable: readers outside the process
 * ({@code pinwheel top --data}) rely on them; add new ones at the end, never renumber (Aeron's
 * {@code SystemCounterDescriptor} idea). Every counter's key is {@link NodeCounters#KEY_LENGTH} bytes: the scope it
 * belongs to (a shard, a media loop, a collector) and its id within its kind.
 * <pre>
 *   type          scope          id                      writer                 kind
 *   SHARD         shard          ShardCounters id        shard thread           counter
 *   SHARD_GAUGE   shard          ShardGauges id          shard thread           gauge
 *   STORE         shard          StoreCounters id        shard thread           counter
 *   STORE_GAUGE   shard          StoreCounters id        shard thread           gauge
 *   COMMAND       shard          command type            shard thread           counter
 *   EDGE          shard          EdgeCounters id         shard thread (some: any thread, atomically)  counter
 *   MEDIA         media loop     MediaCounter ordinal    media loop thread      counter
 *   NODE_GAUGE    0 / collector  NodeSampler id          sampler thread         gauge
 *   NODE_COUNTER  0 / collector  NodeSampler id          sampler thread         counter
 *   LATE_GUILDS   shard          LateGuildCounters id    shard thread           counter
 *   LATE_GUILDS_GAUGE shard      LateGuildCounters id    shard thread           gauge
 * </pre>
 * {@code NODE_GAUGE} and {@code NODE_COUNTER} scopes from 1000 on belong to the cluster module: the link (1000), the
 * membership (1001), catch-ups of node-wide records (1002).
 */
public final class CounterTypes
{
    /** A shard's counters ({@code dev.pinwheel.core.shard.ShardCounters}). */
    public static final int SHARD = 1;
    /** A shard's gauges ({@code dev.pinwheel.core.shard.ShardGauges}). */
    public static final int SHARD_GAUGE = 2;
    /** A shard store's health counters ({@code dev.pinwheel.core.store.StoreCounters}). */
    public static final int STORE = 3;
    /** A shard store's health gauges ({@code dev.pinwheel.core.store.StoreCounters}). */
    public static final int STORE_GAUGE = 4;
    /** Typed commands a shard ran, one counter per command type. */
    public static final int COMMAND = 5;
    /** A shard's edge closes and refusals (the gateway's {@code EdgeCounters}). */
    public static final int EDGE = 6;
    /** A voice media loop's datagram outcomes (voice-sfu's {@code MediaCounters}). */
    public static final int MEDIA = 7;
    /** The node's JVM and directory gauges ({@link NodeSampler}). */
    public static final int NODE_GAUGE = 8;
    /** The node's JVM counters ({@link NodeSampler}). */
    public static final int NODE_COUNTER = 9;
    /** Guild subscriptions a shard's sessions wait to make again (the gateway's {@code LateGuildCounters}). */
    public static final int LATE_GUILDS = 10;
    /** Their level: (session, guild) pairs waiting now. */
    public static final int LATE_GUILDS_GAUGE = 11;

    private static final String[] NAMES = {
        "none", "shard", "shard_gauge", "store", "store_gauge", "command", "edge", "media", "node_gauge",
        "node_counter", "late_guilds", "late_guilds_gauge",
    };

    private CounterTypes()
    {
    }

    /**
     * @param type a type id.
     * @return true if its counters are gauges (a level that goes up and down), false if they only grow.
     */
    public static boolean isGauge(final int type)
    {
        return type == SHARD_GAUGE || type == STORE_GAUGE || type == NODE_GAUGE || type == LATE_GUILDS_GAUGE;
    }

    /**
     * @param type a type id.
     * @return its name, or {@code "type-N"} for one this build does not know.
     */
    public static String name(final int type)
    {
        return type >= 0 && type < NAMES.length ? NAMES[type] : "type-" + type;
    }
}
