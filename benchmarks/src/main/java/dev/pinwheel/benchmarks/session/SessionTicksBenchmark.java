package dev.pinwheel.benchmarks.session;

import java.nio.charset.StandardCharsets;
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
import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.owner.MemberListService;
import dev.pinwheel.gateway.owner.SessionProxy;
import dev.pinwheel.gateway.owner.SessionRequestAdapter;
import dev.pinwheel.gateway.owner.SubscriptionService;
import dev.pinwheel.gateway.owner.UserSessionService;
import dev.pinwheel.gateway.owner.VoiceService;
import dev.pinwheel.gateway.session.GatewayEntry;
import dev.pinwheel.gateway.session.SessionStartLimits;
import dev.pinwheel.gateway.session.SessionTimers;
import dev.pinwheel.gateway.session.ShardSessions;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * What the gateway's session deadlines cost a shard at {@code sessions} sessions:
 * <ul>
 *   <li>{@link #tick}: one 50 ms ticker pass over that many identified sessions, each on its own connection (Netty
 *   {@code EmbeddedChannel}s), none of them due (heartbeats every hour and an hour to identify here, so that no
 *   deadline comes during the run; with Discord's 30 s to identify, each connection's timer fires once, 30 s after
 *   it opened, to find its session identified and re-arm for its heartbeat).
 *   Before the timer wheel, a pass walked a fifth of the connections and every session; now it polls the wheel.</li>
 *   <li>{@link #heartbeatsFlowing}: the wheel alone in its steady state with heartbeats arriving: each op is one
 *   ticker pass 50 ms of clock later; {@code sessions} timers spread over Discord's 41.25 s interval plus half the
 *   grace fire as their deadline passes, find the heartbeat that came meanwhile and re-arm one interval later
 *   (about 20 per pass at 20,000 sessions).</li>
 * </ul>
 * <pre>
 *   java -jar benchmarks/target/pinwheel-benchmarks.jar SessionTicksBenchmark -f 1 -wi 5 -i 10 -w 2s -r 2s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SessionTicksBenchmark
{
    /** Discord's heartbeat interval plus half the grace: when a silent session is asked for a heartbeat. */
    private static final long HEARTBEAT_DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(41_250 + 10_000);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Identified sessions on one shard's gateway. */
    @State(Scope.Benchmark)
    public static class Sessions
    {
        @Param({"20000"})
        public int sessions;

        ShardGroup group;
        ShardSessions gateway;
        EmbeddedChannel[] channels;

        @Setup(Level.Trial)
        public void open()
        {
            final NodeState node = NodeState.create();
            final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 1, 64), (v, p, o) -> { });
            group = new ShardGroup(0, 1, 1024, routing, id -> new NullShardStore(), (s, t) -> IoDriver.parking(),
                ThreadPlacement.unpinned(), null);
            final Shard shard = group.shard(0);
            final GatewayConfig config = new GatewayConfig().sessionStartTotal(sessions).maxConcurrency(16)
                .heartbeatIntervalMillis((int)TimeUnit.HOURS.toMillis(1))
                .identifyTimeoutMillis((int)TimeUnit.HOURS.toMillis(1));
            final GatewayContext context = new GatewayContext(config, node, null, 0, 1);
            final AuthService auth = new AuthService(node.accounts(), 1000);
            final SessionStartLimits starts = new SessionStartLimits(config.sessionStartTotal(),
                config.sessionStartResetMillis(), config.maxConcurrency(), config.identifyWindowMillis());
            final SessionProxy toSessions = new SessionProxy(shard);
            final VoiceService voice = new VoiceService(context);
            final SessionRequestAdapter requests = new SessionRequestAdapter(
                new SubscriptionService(node.accounts(), voice, toSessions),
                new MemberListService(node.accounts(), toSessions), voice, new UserSessionService(toSessions));
            shard.commandHandler(new CommandHandler()
            {
                @Override
                public void onCommand(final Shard s, final CommandReader command)
                {
                    requests.onCommand(s, command); // IDENTIFY tells the user's owner (this shard) about the session
                }

                @Override
                public void failed(final Shard s, final CommandReader command, final Throwable cause)
                {
                }
            });
            // one shard, no event loop: nothing resumes elsewhere here
            gateway = new ShardSessions(shard, context, auth, starts, new EdgeCounters(), null, id -> null);
            channels = new EmbeddedChannel[sessions];
            for (int i = 0; i < sessions; i++)
            {
                final long userId = 1_000_000 + i;
                node.accounts().put(new Account(userId, "user" + i, "x", true));
                final String token = auth.newToken(userId);
                node.accounts().addToken(userId, AuthService.tokenHash(token));
                channels[i] = new EmbeddedChannel(GatewayEntry.connection(gateway,
                io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig.newBuilder().build(), false, 10, 0, null, "127.0.0.1"));
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
    }

    /** The timer wheel alone, with heartbeats arriving: every timer re-arms one interval after it fires. */
    @State(Scope.Benchmark)
    public static class Wheel
    {
        @Param({"20000"})
        public int sessions;

        SessionTimers timers;
        long now;

        @Setup(Level.Trial)
        public void open()
        {
            now = 0;
            timers = new SessionTimers(now);
            final SessionTimers.Deadline heartbeated = at -> at + HEARTBEAT_DEADLINE_NANOS;
            for (int i = 0; i < sessions; i++)
            {
                timers.schedule(timers.timer(heartbeated), 1 + HEARTBEAT_DEADLINE_NANOS * i / sessions);
            }
        }
    }

    /**
     * @param s the sessions.
     * @return deadlines that fired (0).
     */
    @Benchmark
    public int tick(final Sessions s)
    {
        return s.gateway.pollTimers(System.nanoTime());
    }

    /**
     * @param w the wheel.
     * @return timers that fired (about {@code sessions * 50 ms / 51.25 s}).
     */
    @Benchmark
    public int heartbeatsFlowing(final Wheel w)
    {
        w.now += TICK_NANOS;
        return w.timers.poll(w.now);
    }
}
