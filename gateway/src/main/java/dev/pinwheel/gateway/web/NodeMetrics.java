package dev.pinwheel.gateway.web;

import java.util.Map;
import java.util.WeakHashMap;

import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.GatewayContext;

/**
 * The metrics state of one node: a {@link ShardProbe} per shard and the admin check. Created on the first
 * web request the node serves ({@code /}, {@code /dashboard}, {@code /metrics}...), which also installs each
 * probe's ticker by sending a task to its shard — tickers are registered on the shard's own thread.
 * <p>
 * Kept in a weak map keyed by the node's {@link GatewayContext}; nothing here refers back to the context or
 * the shards, so a closed node (tests start many) is collected with its metrics.
 */
public final class NodeMetrics
{
    private static final Map<GatewayContext, NodeMetrics> NODES = new WeakHashMap<>();

    private final ShardProbe[] probes;
    private final AdminPolicy admin = new AdminPolicy();
    private final long startedMillis = System.currentTimeMillis();

    private NodeMetrics(final int shards)
    {
        probes = new ShardProbe[shards];
        for (int i = 0; i < shards; i++)
        {
            probes[i] = new ShardProbe();
        }
    }

    /**
     * @param ctx a node.
     * @return its metrics (created, and the probes installed, on first use; installation is retried on later
     * calls for a shard whose ring was full).
     */
    public static NodeMetrics of(final GatewayContext ctx)
    {
        final NodeMetrics m;
        synchronized (NODES)
        {
            m = NODES.computeIfAbsent(ctx, c -> new NodeMetrics(c.shards().shardCount()));
        }
        m.install(ctx.shards());
        return m;
    }

    private void install(final ShardGroup group)
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

    /**
     * @return when the metrics of this node were first asked for (wall clock).
     */
    public long startedMillis()
    {
        return startedMillis;
    }
}
