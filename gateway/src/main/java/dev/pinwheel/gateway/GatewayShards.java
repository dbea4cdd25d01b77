package dev.pinwheel.gateway;

import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.IoDriverFactory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.edge.NettyIoDriver;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.session.SessionStartLimits;

/**
 * The gateway of every shard of the node, and the I/O driver factory of its {@code ShardGroup}: as each shard thread
 * starts, it creates the shard's Netty driver and, with it, the shard's {@link GatewayShard}; so the gateway holds
 * the driver as the type it made, and nothing downcasts core's {@link IoDriver}. Built before the shards, with the
 * node context only (the shards are reached through {@code Shard#group()}).
 * <p>
 * A shard's gateway is published when its thread has built it, before the group reports the shard started: read it
 * after {@code ShardGroup#start} returned, or from a shard thread serving a connection.
 */
final class GatewayShards implements IoDriverFactory
{
    private final GatewayContext context;
    private final AuthService auth;
    private final SessionStartLimits sessionStarts;
    private final AtomicReferenceArray<GatewayShard> shards;

    /**
     * @param context       the node.
     * @param auth          token checks.
     * @param sessionStarts the node's session start limits.
     * @param shardCount    shards on the node.
     */
    GatewayShards(final GatewayContext context, final AuthService auth, final SessionStartLimits sessionStarts,
        final int shardCount)
    {
        this.context = context;
        this.auth = auth;
        this.sessionStarts = sessionStarts;
        this.shards = new AtomicReferenceArray<>(shardCount);
    }

    @Override
    public IoDriver create(final Shard shard, final Thread thread)
    {
        final NettyIoDriver driver = new NettyIoDriver(shard, thread);
        shards.set(shard.id(), new GatewayShard(shard, driver, context, auth, sessionStarts,
            id -> shards.get(id).sessions()));
        return driver;
    }

    /**
     * @param id a shard id.
     * @return its gateway, or null if its thread has not built it (it failed to start).
     */
    GatewayShard shard(final int id)
    {
        return shards.get(id);
    }

    /**
     * @return shards on the node.
     */
    int count()
    {
        return shards.length();
    }
}
