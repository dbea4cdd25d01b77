package dev.pinwheel.benchmarks.session;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.pinwheel.benchmarks.fanout.NullShardStore;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.gateway.GatewayConfig;
import dev.pinwheel.gateway.GatewayContext;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.session.GatewayEntry;
import dev.pinwheel.gateway.session.ShardGateway;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * What the gateway's session timers cost a shard: one 50 ms ticker pass over {@code sessions} identified sessions,
 * each on its own connection (Netty {@code EmbeddedChannel}s), none of them due (the steady state: heartbeats come
 * every 41.25 s, the resume window is minutes). Before the timer wheel: a tick walks a fifth of the connections and
 * every session. Reaches the ticker by reflection (it is private).
 * <pre>
 *   java -jar benchmarks/target/pinwheel-benchmarks.jar SessionTicksBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SessionTicksBenchmark
{
    @Param({"20000"})
    public int sessions;

    private ShardGroup group;
    private ShardGateway gateway;
    private EmbeddedChannel[] channels;
    private MethodHandle tick;

    @Setup(Level.Trial)
    public void open() throws Throwable
    {
        final NodeState node = NodeState.create();
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 1, 64), (v, p, o) -> { });
        group = new ShardGroup(0, 1, 1024, routing, id -> new NullShardStore(), (s, t) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null);
        final Shard shard = group.shard(0);
        final GatewayConfig config = new GatewayConfig().sessionStartTotal(sessions).maxConcurrency(16);
        final AuthService auth = new AuthService(node.accounts(), 1000);
        final Constructor<GatewayContext> make = GatewayContext.class.getDeclaredConstructor(GatewayConfig.class,
            ShardGroup.class, NodeState.class, AuthService.class, ExecutorService.class);
        make.setAccessible(true);
        final GatewayContext context = make.newInstance(config, group, node, auth, null);
        gateway = new ShardGateway(shard, context);
        shard.attach(gateway);
        tick = MethodHandles.privateLookupIn(ShardGateway.class, MethodHandles.lookup())
            .findVirtual(ShardGateway.class, "tick", MethodType.methodType(void.class));
        channels = new EmbeddedChannel[sessions];
        for (int i = 0; i < sessions; i++)
        {
            final long userId = 1_000_000 + i;
            node.accounts().put(new Account(userId, "user" + i, "x", true));
            final String token = auth.newToken(userId);
            node.accounts().addToken(userId, AuthService.tokenHash(token));
            channels[i] = new EmbeddedChannel(GatewayEntry.connection(gateway, false, 10, 0, null, "127.0.0.1"));
            channels[i].writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(("{\"op\":2,\"d\":{\"token\":\""
                + token + "\",\"intents\":513,\"properties\":{}}}").getBytes(StandardCharsets.UTF_8))));
            channels[i].flushOutbound();
            channels[i].releaseOutbound();
        }
        if (gateway.sessionCount() != sessions || gateway.connectionCount() != sessions)
        {
            throw new IllegalStateException("identified " + gateway.sessionCount() + " of " + sessions);
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        for (final EmbeddedChannel ch : channels)
        {
            ch.finishAndReleaseAll();
        }
        group.close();
    }

    /**
     * One ticker pass: what the shard pays 20 times a second.
     *
     * @throws Throwable never.
     */
    @Benchmark
    public void tick() throws Throwable
    {
        tick.invokeExact(gateway);
    }
}
