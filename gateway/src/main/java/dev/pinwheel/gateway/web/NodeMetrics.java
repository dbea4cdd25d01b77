package dev.pinwheel.gateway.web;

import dev.pinwheel.core.shard.ShardGroup;

/**
 * The metrics state of one node: each shard's {@link ShardProbe} and the admin check (the counters themselves are
 * the node's counters, {@code ShardGroup#counters()}). Built by the composition root once the shards serve (each
 * shard's gateway made its probe); the probes' tickers are installed on the first web request the node serves
 * ({@code /}, {@code /dashboard}, {@code /metrics}...) by sending a task to each shard — tickers are registered on the
 * shard's own thread.
 */
public final class NodeMetrics
{
    private final ShardProbe[] probes;
    private final AdminPolicy admin = new AdminPolicy();

    /**
     * @param probes each shard's probe, by shard index.
     */
    public NodeMetrics(final ShardProbe[] probes)
    {
        this.probes = probes.clone();
    }

    /**
     * Installs the probes' tickers (once; retried on later calls for a shard whose ring was full).
     *
     * @param group the node's shards.
     */
    void install(final ShardGroup group)
    {
        for (int i = 0; i < probes.length; i++)
        {
            final ShardProbe probe = probes[i];
            if (!probe.installed())
            {
                final ShardProbe[] all = probes;
                // Racing requests may each send this before the first one ran; the shard thread keeps one.
                group.send(i, shard ->
                {
                    if (!probe.installed())
                    {
                        probe.markInstalled();
                        shard.addTicker(() -> probe.tick(shard, all));
                    }
                });
            }
        }
    }

    /**
     * @param shard shard index.
     * @return its probe.
     */
    public ShardProbe probe(final int shard)
    {
        return probes[shard];
    }

    /**
     * @return shards.
     */
    public int shardCount()
    {
        return probes.length;
    }

    /**
     * @return the admin check of this node.
     */
    public AdminPolicy admin()
    {
        return admin;
    }
}
