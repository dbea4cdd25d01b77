package dev.pinwheel.gateway.web;

import dev.pinwheel.core.shard.Shard;

/**
 * The node's own latency probe, one per shard. (What a shard holds — connections, sessions, guilds, ring depth — is
 * in the node's counters, {@code ShardGauges}, sampled by the shard and its transport at every tick.)
 * <p>
 * A ticker on the shard (every ~50 ms) sends, every {@value #PROBE_EVERY_TICKS} ticks, each shard (itself included,
 * through its own ring) a task stamped with {@link System#nanoTime()}; the receiving shard records
 * {@code now - stamp} into its {@link LatencyHistogram}. That is the inbox hand-off latency a fanout or a REST
 * command sees — ring publish, the consumer's wake-up from its idle strategy, and the work queued ahead of it.
 * <pre>
 *   shard i ticker ──probe(stamp)──▶ ring of shard j ──▶ shard j: histogram[j].record(now - stamp)
 *                                                                   ◀── metrics reader (any thread)
 * </pre>
 * The histogram is written by its own shard only.
 */
public final class ShardProbe
{
    static final int PROBE_EVERY_TICKS = 2;
    static final int WINDOW_TICKS = 20;

    private final LatencyHistogram handoffLatency = new LatencyHistogram();
    private volatile boolean installed;
    private int ticks;

    /**
     * The shard's ticker body: rolls the max window, sends probes. Shard thread only.
     *
     * @param shard  the shard this probe belongs to.
     * @param probes every shard's probe, by shard index.
     */
    void tick(final Shard shard, final ShardProbe[] probes)
    {
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
     * @return the inbox hand-off latency this shard observed.
     */
    public LatencyHistogram handoffLatency()
    {
        return handoffLatency;
    }
}
