package dev.pinwheel.gateway.web;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.session.ShardSessions;

/**
 * What the metrics endpoint knows about one shard that only the shard's thread may read: its gateway
 * connections and sessions, the guilds it owns and the guilds its sessions follow. A ticker on the shard
 * (every ~50 ms) copies them into volatile fields here, so that another thread never touches
 * shard-confined collections.
 * <p>
 * The same ticker is the node's own latency probe: every {@value #PROBE_EVERY_TICKS} ticks it sends each
 * shard (itself included, through its own ring) a task stamped with {@link System#nanoTime()}; the receiving
 * shard records {@code now - stamp} into its {@link LatencyHistogram}. That is the inbox hand-off latency a
 * fanout or a REST command sees — ring publish, the consumer's wake-up from its idle strategy, and the
 * work queued ahead of it.
 * <pre>
 *   shard i ticker ──snapshot──▶ volatile fields  ◀── metrics reader (any thread)
 *         └──probe(stamp)──▶ ring of shard j ──▶ shard j: histogram[j].record(now - stamp)
 * </pre>
 * Fields are written by the shard thread only; the histogram is written by its own shard only.
 */
public final class ShardProbe
{
    static final int PROBE_EVERY_TICKS = 2;
    static final int WINDOW_TICKS = 20;

    private final ShardSessions gateway;
    private final LatencyHistogram handoffLatency = new LatencyHistogram();
    private volatile boolean installed;
    private volatile int connections;
    private volatile int sessions;
    private volatile int guildsOwned;
    private volatile int guildsFollowed;
    private volatile long lastTickNanos;
    private int ticks;

    /**
     * @param gateway the shard's gateway sessions (counted on the shard's thread).
     */
    public ShardProbe(final ShardSessions gateway)
    {
        this.gateway = gateway;
    }

    /**
     * The shard's ticker body: publishes the snapshot, rolls the max window, sends probes. Shard thread only.
     *
     * @param shard  the shard this probe belongs to.
     * @param probes every shard's probe, by shard index.
     */
    void tick(final Shard shard, final ShardProbe[] probes)
    {
        connections = gateway.connectionCount();
        sessions = gateway.sessionCount();
        guildsOwned = shard.guilds().size();
        guildsFollowed = shard.sessions().guildCount();
        lastTickNanos = System.nanoTime();
        ticks++;
        if (ticks % WINDOW_TICKS == 0)
        {
            handoffLatency.rollWindow();
        }
        if (ticks % PROBE_EVERY_TICKS == 0)
        {
            for (int target = 0; target < probes.length; target++)
            {
                final ShardProbe to = probes[target];
                final long stamp = System.nanoTime();
                if (target == shard.id())
                {
                    // Through the own ring (Shard#send would run it inline); a full ring is a real refusal.
                    shard.group().send(target, s -> to.handoffLatency.record(System.nanoTime() - stamp));
                }
                else
                {
                    shard.send(target, s -> to.handoffLatency.record(System.nanoTime() - stamp));
                }
            }
        }
    }

    void markInstalled()
    {
        installed = true;
    }

    /**
     * @return whether the shard runs this probe's ticker.
     */
    public boolean installed()
    {
        return installed;
    }

    /**
     * @return gateway WebSocket connections on the shard at the last tick.
     */
    public int connections()
    {
        return connections;
    }

    /**
     * @return gateway sessions (connected or awaiting RESUME) at the last tick.
     */
    public int sessions()
    {
        return sessions;
    }

    /**
     * @return guilds the shard owns at the last tick.
     */
    public int guildsOwned()
    {
        return guildsOwned;
    }

    /**
     * @return guilds with at least one subscribed session on the shard at the last tick.
     */
    public int guildsFollowed()
    {
        return guildsFollowed;
    }

    /**
     * @return {@link System#nanoTime()} of the last tick (0 before the first): a stuck shard stops ticking.
     */
    public long lastTickNanos()
    {
        return lastTickNanos;
    }

    /**
     * @return the inbox hand-off latency this shard observed.
     */
    public LatencyHistogram handoffLatency()
    {
        return handoffLatency;
    }
}
