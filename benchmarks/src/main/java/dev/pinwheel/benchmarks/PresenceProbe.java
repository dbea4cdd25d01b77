package dev.pinwheel.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.PresenceLoad;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;

/**
 * Presence in one big guild, eager against lazy, in one run (issue 16): N users each hold one identified session with
 * GUILD_PRESENCES; L of them "look at the member list" (op 14, rows 0-99 of the guild's first channel); every 100 ms
 * a tenth of {@code --change-percent}% of the users send op 3 (idle/dnd/online in turn). Measured per phase: frames
 * delivered per second (PRESENCE_UPDATE and GUILD_MEMBER_LIST_UPDATE, counted by the client), and server CPU per
 * second of load, and per status change (counted until the server has delivered everything the changes caused, so a
 * server that falls behind is charged for its backlog). Phase 1 runs the server with lazy guilds off (every session gets every PRESENCE_UPDATE, Discord's
 * eager behaviour), phase 2 restarts it on the same data directory with the guild above
 * {@code --lazy-members} (PRESENCE_UPDATE only to the lookers). Then, on the lazy server, the guild grows to
 * {@code --sync-members} members (offline accounts joined over REST) and one session sends op 14 for a new range
 * {@code --sync-requests} times: op 14 to SYNC latency (the first one includes building the list).
 */
public final class PresenceProbe
{
    private static final String USAGE = """
        usage: PresenceProbe [--sessions N=19000] [--lookers L=200] [--change-percent P=5] [--seconds S=20]
                             [--warmup S=5] [--lazy-members M=1000] [--sync-members K=100000] [--sync-requests R=200]
                             [--in-flight N=256] [--client-threads T=2] [--shards S=2]
                             [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                             [--deadline SECONDS=3600] [--out DIR=bench-results]""";
    private static final int GUILDS = 1;
    private static final int GUILD_PRESENCES = 1 << 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STATUSES = {"idle", "dnd", "online"};

    private PresenceProbe()
    {
    }

    /**
     * @param argv see {@link #USAGE}.
     * @throws Exception on a setup failure.
     */
    public static void main(final String[] argv) throws Exception
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("sessions", "19000");
        d.put("lookers", "200");
        d.put("change-percent", "5");
        d.put("seconds", "20");
        d.put("warmup", "5");
        d.put("lazy-members", "1000");
        d.put("sync-members", "100000");
        d.put("sync-requests", "200");
        d.put("in-flight", "256");
        d.put("client-threads", "2");
        d.put("shards", "2");
        d.put("server-profile", "dev");
        d.put("deadline", "3600");
        d.put("out", "bench-results");
        System.exit(run(new ProbeSupport.Args(USAGE, d, argv)));
    }

    /** The guild the probe builds. */
    private record Setup(String guildId, String channelId, String invite, List<String> tokens)
    {
    }

    /** One phase's numbers. */
    private record Phase(String name, int ready, double seconds, long changes, long presences, long listUpdates,
        double serverCpu)
    {
        double deliveriesPerSecond()
        {
            return (presences + listUpdates) / seconds;
        }

        double cpuPerSecond()
        {
            return serverCpu / seconds;
        }

        double deliveriesPerChange()
        {
            return (presences + listUpdates) / (double)Math.max(1, changes);
        }

        double cpuMicrosPerChange()
        {
            return serverCpu * 1e6 / Math.max(1, changes);
        }
    }

    private static int run(final ProbeSupport.Args a) throws Exception
    {
        final int sessions = a.positiveInt("sessions");
        final int lookers = Math.min(sessions, a.positiveInt("lookers"));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("deadline"));
        System.out.printf(Locale.ROOT, "presence-probe: %d sessions (one user each) in one guild, %d looking at the "
            + "member list, %s%% of users change status per second, %d shards%n", sessions, lookers,
            a.string("change-percent"), a.positiveInt("shards"));
        if (!ProbeSupport.checkDescriptors(sessions))
        {
            return 2;
        }
        final String loadAtStart = ProbeSupport.loadAverage();
        ProbeSupport.startWatchdog("presence-probe", deadline);
        final Path work = Files.createTempDirectory("pinwheel-presence-probe");
        final ServerProcess.Layout layout = new ServerProcess.Layout(work, work.resolve("data"), "server.log", 0,
            false);
        final String stamp = ProbeSupport.stamp();
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", a.asMap());
        try
        {
            final Map<String, String> eagerProps = ProbeSupport.serverProperties();
            eagerProps.put("pinwheel.gateway.lazy-guild-members", Integer.toString(Integer.MAX_VALUE));
            Setup setup;
            final Phase eager;
            try (ServerProcess server = start(a, layout, eagerProps, deadline))
            {
                r.put("environment", ProbeSupport.environment(server, loadAtStart));
                try (RestClient rest = new RestClient(server.host(), server.port()))
                {
                    setup = setUp(rest, "presence-" + ProbeSupport.runId(), sessions);
                }
                eager = measure(a, server, setup, "eager", lookers, deadline);
            }
            final Map<String, String> lazyProps = ProbeSupport.serverProperties();
            lazyProps.put("pinwheel.gateway.lazy-guild-members", a.string("lazy-members"));
            final Phase lazy;
            Histogram sync = null;
            int syncMembers = 0;
            final ServerProcess last;
            try (ServerProcess server = start(a, layout, lazyProps, deadline))
            {
                last = server;
                lazy = measure(a, server, setup, "lazy", lookers, deadline);
                syncMembers = Math.max(sessions, a.positiveInt("sync-members"));
                try (RestClient rest = new RestClient(server.host(), server.port()))
                {
                    grow(rest, setup, "presence-extra-" + ProbeSupport.runId(), syncMembers - sessions);
                }
                sync = syncLatency(a, server, setup, deadline);
            }

            System.out.println();
            System.out.printf(Locale.ROOT, "=== presence: %d sessions, %d lookers, %s%%/s change ===%n", sessions,
                lookers, a.string("change-percent"));
            for (final Phase p : List.of(eager, lazy))
            {
                System.out.printf(Locale.ROOT, "%-5s: %d sessions ready, %d status changes, delivered in %.1f s: "
                    + "%.0f deliveries/s (PRESENCE_UPDATE %.0f/s, GUILD_MEMBER_LIST_UPDATE %.0f/s), %.1f deliveries "
                    + "per change; server CPU %.2f s per s, %.0f us per change%n",
                    p.name(), p.ready(), p.changes(), p.seconds(), p.deliveriesPerSecond(),
                    p.presences() / p.seconds(), p.listUpdates() / p.seconds(), p.deliveriesPerChange(),
                    p.cpuPerSecond(), p.cpuMicrosPerChange());
            }
            final double deliveryRatio = eager.deliveriesPerChange() / Math.max(1e-9, lazy.deliveriesPerChange());
            final double cpuRatio = eager.cpuMicrosPerChange() / Math.max(1e-9, lazy.cpuMicrosPerChange());
            System.out.printf(Locale.ROOT, "eager/lazy per status change: %.1fx the deliveries, %.1fx the server CPU%n",
                deliveryRatio, cpuRatio);
            ProbeSupport.printLatency("op 14 to SYNC at " + syncMembers + " members", sync);
            for (final Phase p : List.of(eager, lazy))
            {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("sessions_ready", p.ready());
                m.put("seconds", p.seconds());
                m.put("status_changes", p.changes());
                m.put("presence_updates", p.presences());
                m.put("member_list_updates", p.listUpdates());
                m.put("deliveries_per_second", p.deliveriesPerSecond());
                m.put("server_cpu_seconds", p.serverCpu());
                m.put("server_cpu_per_second", p.cpuPerSecond());
                m.put("deliveries_per_change", p.deliveriesPerChange());
                m.put("server_cpu_us_per_change", p.cpuMicrosPerChange());
                r.put(p.name(), m);
            }
            r.put("eager_over_lazy_deliveries", deliveryRatio);
            r.put("eager_over_lazy_cpu", cpuRatio);
            r.put("sync_members", syncMembers);
            r.put("op14_to_sync_ms", ProbeSupport.summary(sync));
            r.put("load_average_at_end", ProbeSupport.loadAverage());
            final Map<String, Histogram> plot = new LinkedHashMap<>();
            plot.put("op 14 to SYNC", sync);
            ProbeSupport.writeResults(Path.of(a.string("out")), "presence", stamp, r, String.format(Locale.ROOT,
                "presence-probe: eager/lazy %.1fx deliveries, %.1fx CPU; op 14 to SYNC at %d members", deliveryRatio,
                cpuRatio, syncMembers), plot, last);
            return eager.ready() == sessions && lazy.ready() == sessions ? 0 : 1;
        }
        finally
        {
            ServerProcess.deleteTree(work);
        }
    }

    private static ServerProcess start(final ProbeSupport.Args a, final ServerProcess.Layout layout,
        final Map<String, String> props, final long deadline) throws IOException
    {
        final long t0 = System.nanoTime();
        final ServerProcess server = ServerProcess.start(layout, a.string("server-profile"), a.positiveInt("shards"),
            props, a.serverFlags(), Math.min(TimeUnit.SECONDS.toNanos(180), deadline - t0));
        System.out.printf(Locale.ROOT, "server pid %d serving on %s:%d after %d ms%n", server.pid(), server.host(),
            server.port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return server;
    }

    /** Registers an owner, creates the guild and an unlimited invite, and N-1 members who join with it. */
    private static Setup setUp(final RestClient rest, final String prefix, final int sessions) throws Exception
    {
        final long t0 = System.nanoTime();
        final RestClient.User owner = rest.register(prefix + "-owner");
        final JsonNode g = JSON.readTree(rest.send("POST", "guilds", owner.token(), "{\"name\":\"" + prefix + "\"}")
            .body());
        final String guildId = g.path("id").asText();
        final String channelId = g.path("channels").path(0).path("id").asText();
        final String invite = JSON.readTree(rest.send("POST", "channels/" + channelId + "/invites", owner.token(),
            "{\"max_age\":0,\"max_uses\":0}").body()).path("code").asText();
        final List<String> tokens = new ArrayList<>(sessions);
        tokens.add(owner.token());
        tokens.addAll(joinMany(rest, prefix, invite, sessions - 1));
        System.out.printf(Locale.ROOT, "REST setup: guild of %d members in %d ms%n", sessions,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return new Setup(guildId, channelId, invite, tokens);
    }

    private static void grow(final RestClient rest, final Setup setup, final String prefix, final int more)
        throws Exception
    {
        final long t0 = System.nanoTime();
        joinMany(rest, prefix, setup.invite(), more);
        System.out.printf(Locale.ROOT, "REST: %d more members joined in %d ms%n", more,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Registers {@code n} users and makes each join with the invite, 64 at a time; their tokens in order. */
    private static List<String> joinMany(final RestClient rest, final String prefix, final String invite, final int n)
        throws Exception
    {
        final String[] tokens = new String[n];
        final Semaphore inFlight = new Semaphore(16);
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<String> failure = new AtomicReference<>();
        for (int i = 0; i < n && failure.get() == null; i++)
        {
            inFlight.acquire();
            final int k = i;
            final String name = prefix + "-" + i;
            rest.sendAsync("POST", "auth/register", null, "{\"username\":\"" + name + "\",\"password\":\""
                + RestClient.passwordOf(name) + "\",\"bot\":true}").thenCompose(reg ->
                {
                    if (reg.status() / 100 != 2)
                    {
                        throw new IllegalStateException("register " + reg.status() + " " + reg.body());
                    }
                    tokens[k] = reg.json().path("token").asText();
                    return rest.sendAsync("POST", "invites/" + invite, tokens[k], "{}");
                }).whenComplete((join, ex) ->
                {
                    if (ex != null || join.status() / 100 != 2)
                    {
                        failure.compareAndSet(null, ex != null ? ex.toString() : join.status() + " " + join.body());
                    }
                    done.incrementAndGet();
                    inFlight.release();
                });
        }
        inFlight.acquire(16);
        if (failure.get() != null)
        {
            throw new IOException("setup failed: " + failure.get());
        }
        return List.of(tokens);
    }

    private static String op14(final Setup setup, final int from)
    {
        return "{\"op\":14,\"d\":{\"guild_id\":\"" + setup.guildId() + "\",\"typing\":true,\"activities\":true,"
            + "\"threads\":true,\"channels\":{\"" + setup.channelId() + "\":[[" + from + "," + (from + 99) + "]]}}}";
    }

    private static Phase measure(final ProbeSupport.Args a, final ServerProcess server, final Setup setup,
        final String name, final int lookers, final long deadline) throws Exception
    {
        final int sessions = setup.tokens().size();
        final PresenceLoad load = new PresenceLoad(sessions);
        final DeliveryStats stats = new DeliveryStats(0, TimeUnit.SECONDS.toNanos(1));
        try (GatewayLoadClient client = new GatewayLoadClient(server.host(), server.port(),
            a.positiveInt("client-threads"), stats))
        {
            load.attach(client, GUILDS | GUILD_PRESENCES);
            final long t0 = System.nanoTime();
            final int ready = client.open(setup.tokens(), a.positiveInt("in-flight"), deadline);
            System.out.printf(Locale.ROOT, "%s: %d of %d sessions ready in %d ms%n", name, ready, sessions,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            for (int i = 0; i < lookers; i++)
            {
                load.sendOp14(client, i, op14(setup, 0));
            }
            final long syncDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (load.syncs() < lookers && System.nanoTime() - syncDeadline < 0)
            {
                Thread.sleep(20);
            }
            System.out.printf(Locale.ROOT, "%s: %d of %d lookers got their SYNC%n", name, load.syncs(), lookers);
            final double perTick = sessions * a.number("change-percent") / 100.0 / 10.0;
            final SplittableRandom random = new SplittableRandom(7);
            final int[] turn = new int[sessions];
            final long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("warmup"));
            changeUntil(client, random, turn, perTick, warmupEnd, new double[1]);
            final long p0 = load.presences();
            final long l0 = load.listUpdates();
            final long cpu0 = server.cpuNanos();
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(a.positiveInt("seconds"));
            final long changes = changeUntil(client, random, turn, perTick, end, new double[1]);
            // drain: what the changes caused is counted until nothing more arrives for 2 s (at most 120 s), so a
            // server that falls behind is charged for its whole backlog
            long last = -1;
            final long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() - drainEnd < 0)
            {
                final long now = load.presences() + load.listUpdates();
                if (now == last)
                {
                    break;
                }
                last = now;
                Thread.sleep(2000);
            }
            final double seconds = (System.nanoTime() - start) / 1e9 - 2;
            final Phase p = new Phase(name, ready, seconds, changes, load.presences() - p0,
                load.listUpdates() - l0, (server.cpuNanos() - cpu0) / 1e9);
            System.out.printf(Locale.ROOT, "%s: %.0f deliveries/s, server CPU %.2f s/s%n", name,
                p.deliveriesPerSecond(), p.cpuPerSecond());
            return p;
        }
    }

    /** Every 100 ms, {@code perTick} random users (carried over as a fraction) send op 3; returns how many did. */
    private static long changeUntil(final GatewayLoadClient client, final SplittableRandom random, final int[] turn,
        final double perTick, final long end, final double[] carry) throws InterruptedException
    {
        long changes = 0;
        long next = System.nanoTime();
        while (System.nanoTime() - end < 0)
        {
            carry[0] += perTick;
            while (carry[0] >= 1)
            {
                carry[0] -= 1;
                final int i = random.nextInt(turn.length);
                final String status = STATUSES[turn[i]++ % STATUSES.length];
                if (client.send(i, "{\"op\":3,\"d\":{\"status\":\"" + status
                    + "\",\"since\":null,\"activities\":[],\"afk\":false}}"))
                {
                    changes++;
                }
            }
            next += TimeUnit.MILLISECONDS.toNanos(100);
            ProbeSupport.parkUntil(next);
        }
        return changes;
    }

    /** One session asks op 14 for a new range each time, waiting for each SYNC. */
    private static Histogram syncLatency(final ProbeSupport.Args a, final ServerProcess server, final Setup setup,
        final long deadline) throws Exception
    {
        final PresenceLoad load = new PresenceLoad(1);
        try (GatewayLoadClient client = new GatewayLoadClient(server.host(), server.port(), 1,
            new DeliveryStats(0, TimeUnit.SECONDS.toNanos(1))))
        {
            load.attach(client, GUILDS);
            client.open(List.of(setup.tokens().get(0)), 1, deadline);
            final int requests = a.positiveInt("sync-requests");
            for (int i = 0; i < requests; i++)
            {
                final long before = load.syncs();
                load.sendOp14(client, 0, op14(setup, (i % 500) * 100));
                final long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (load.syncs() == before && System.nanoTime() - wait < 0)
                {
                    Thread.onSpinWait();
                    Thread.sleep(0, 200_000);
                }
            }
            System.out.printf(Locale.ROOT, "op 14 to SYNC: %d of %d answered%n", load.syncs(), requests);
            return load.syncLatency();
        }
    }
}
