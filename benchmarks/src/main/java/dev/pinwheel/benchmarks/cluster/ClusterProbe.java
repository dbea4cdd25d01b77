package dev.pinwheel.benchmarks.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.PercentilePlot;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;
import dev.pinwheel.cluster.LinkFloorProbe;
import dev.pinwheel.cluster.NodeLinkContext;
import dev.pinwheel.core.routing.RoutingRing;

/**
 * Issue 12's measure: a cluster of N Pinwheel nodes on this host (child JVMs, {@code --node-id K --members ...}, the
 * Aeron link and consensus on free UDP ports of 127.0.0.1, temporary data directories), S identified idle sessions
 * spread evenly over the nodes by one load client process per node (a process holds at most 20,000 open files here),
 * all in one guild; and, in the same run, one node alone holding what one cluster node holds, for the CPU comparison.
 * <pre>
 *   single node ─ S/N sessions ─ idle CPU ─ M messages ─▶ time to last delivery, server CPU per delivery
 *   N nodes ─ consensus: all live ─ REST setup ─ S sessions (client k → node k) ─ hold H s (heartbeats, none lost)
 *     ─ Aeron ping-pong (the floor, two media drivers run as the nodes run their link: LinkFloorProbe)
 *     ─ hop: P small messages in a guild owned by node 0 with one observer session per node:
 *            delivery on node 0 (the owner) vs on the other nodes (one Aeron hop), same message; before them
 *            W warm-up messages one every --hop-warmup-interval-ms, so that the JIT has compiled the post, journal,
 *            link and delivery paths (350 messages 40 ms apart measured interpreted and C1 code: owner POST to
 *            MESSAGE_CREATE 3.0 ms and the hop 664 µs at p50, against 0.59 ms and 225 µs after 3,000 warm-up posts)
 *     ─ idle CPU ─ M messages to all S sessions ─▶ time to last delivery p50/p99, CPU per delivery vs single node
 * </pre>
 * Send and receive times are {@code System.nanoTime()} of different JVMs of this host: one monotonic clock
 * (CLOCK_MONOTONIC). CPU is each server's utime + stime from {@code /proc/PID/stat}; messages go one at a time (the
 * next when the last reached every session, and not before {@code --interval-ms}); per delivery it is the CPU of the
 * windows from each post to its last delivery, less the idle rate measured just before (heartbeats, consensus and
 * link keep-alives), over the deliveries; the figure without the subtraction is reported beside it.
 */
public final class ClusterProbe
{
    private static final String USAGE = """
        usage: ClusterProbe [--nodes N=6] [--sessions S=100000] [--shards P=1] [--users-per-node U=16]
                            [--heartbeat-ms MS=41250] [--hold SECONDS=60] [--messages M=15] [--warmup W=3]
                            [--interval-ms MS=4000] [--hop-messages P=300] [--hop-warmup W=10000] [--hop-interval-ms MS=40]
                            [--hop-warmup-interval-ms MS=2]
                            [--ping-count C=5000] [--paced-ping-count C=500] [--paced-ping-us US=5000]
                            [--single-sessions K=-1 (S/N; 0: no single-node phase)]
                            [--node-heap 1200m] [--client-heap 700m] [--in-flight K=128] [--idle-seconds 5]
                            [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                            [--deadline SECONDS=2400] [--out DIR=bench-results]""";
    private static final long NANOS_PER_TICK = clockTickNanos();
    private static final long STATUS_TIMEOUT = TimeUnit.SECONDS.toNanos(30);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ProbeSupport.Args a;
    private final long deadline;
    private final Path work;
    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<LoadClientProcess> clients = new ArrayList<>();
    private final Path out;
    private final String stamp = ProbeSupport.stamp();

    private ClusterProbe(final ProbeSupport.Args a) throws IOException
    {
        this.a = a;
        this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("deadline"));
        this.work = Files.createTempDirectory("pinwheel-cluster-probe");
        this.out = Path.of(a.string("out"));
    }

    /**
     * @param argv see {@link #USAGE}.
     * @throws Exception on a setup failure (children are stopped first).
     */
    public static void main(final String[] argv) throws Exception
    {
        System.exit(run(argv, true));
    }

    /**
     * Runs the probe.
     *
     * @param argv       see {@link #USAGE}.
     * @param standalone whether this JVM is the probe's own: a watchdog ends it a minute past the deadline and a
     *                   shutdown hook stops the children (a test calls with false and relies on the finally).
     * @return 0 when every session was held and every delivery made, 1 otherwise, 2 for options this host cannot
     *         run.
     * @throws Exception on a setup failure (children are stopped first).
     */
    static int run(final String[] argv, final boolean standalone) throws Exception
    {
        final Map<String, String> d = defaults();
        return new ClusterProbe(new ProbeSupport.Args(USAGE, d, argv)).run(standalone);
    }

    private static Map<String, String> defaults()
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("nodes", "6");
        d.put("sessions", "100000");
        d.put("shards", "1");
        d.put("users-per-node", "16");
        d.put("heartbeat-ms", "41250");
        d.put("hold", "60");
        d.put("messages", "15");
        d.put("warmup", "3");
        d.put("interval-ms", "4000");
        d.put("hop-messages", "300");
        d.put("hop-warmup", "10000");
        d.put("hop-warmup-interval-ms", "2");
        d.put("hop-interval-ms", "40");
        d.put("ping-count", "5000");
        d.put("paced-ping-count", "500");
        d.put("paced-ping-us", "5000");
        d.put("single-sessions", "-1");
        d.put("node-heap", "1200m");
        d.put("client-heap", "700m");
        d.put("in-flight", "128");
        d.put("idle-seconds", "5");
        d.put("server-profile", "dev");
        d.put("deadline", "2400");
        d.put("out", "bench-results");
        return d;
    }

    private int run(final boolean standalone) throws Exception
    {
        final int nodes = a.positiveInt("nodes");
        final int sessions = a.positiveInt("sessions");
        final int single = Integer.parseInt(a.string("single-sessions")) < 0 ? sessions / nodes
            : Integer.parseInt(a.string("single-sessions"));
        if (nodes < 2 || nodes > 31)
        {
            a.fail("--nodes must be 2..31", 2);
        }
        final long[] fds = ProbeSupport.openFileLimits();
        final int perNode = (sessions + nodes - 1) / nodes;
        System.out.printf(Locale.ROOT, "cluster-probe: %d nodes x %d shards, %d sessions (%d per node and client), "
            + "hold %d s, heartbeat %d ms, %d messages every %d ms; single node: %d sessions; open files per process: "
            + "soft %d, hard %d%n", nodes, a.positiveInt("shards"), sessions, perNode, a.positiveInt("hold"),
            a.positiveInt("heartbeat-ms"), a.positiveInt("messages"), a.positiveInt("interval-ms"), single, fds[0],
            fds[1]);
        if (fds[0] > 0 && Math.max(perNode, single) + 300 > fds[0])
        {
            System.err.printf("%d sessions per node need more than the %d descriptors a process may open: use more "
                + "nodes or fewer sessions%n", Math.max(perNode, single), fds[0]);
            return 2;
        }
        final String loadAtStart = ProbeSupport.loadAverage();
        System.out.println("load average at start: " + loadAtStart);
        if (standalone)
        {
            ProbeSupport.startWatchdog("cluster-probe", deadline);
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "cluster-probe-stop"));
        }
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", a.asMap());
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("open_files_soft", fds[0]);
        env.put("open_files_hard", fds[1]);
        env.put("memory_total_kib", meminfo("MemTotal"));
        env.put("memory_available_kib_at_start", meminfo("MemAvailable"));
        env.put("load_average_at_start", loadAtStart);
        r.put("environment", env);
        final Map<String, Histogram> fanoutPlot = new LinkedHashMap<>();
        final Map<String, Histogram> hopPlot = new LinkedHashMap<>();
        boolean ok;
        try
        {
            Fanout singleFanout = null;
            if (single > 0)
            {
                singleFanout = singlePhase(single, r);
                fanoutPlot.put("single node, " + single + " sessions: time to last delivery", singleFanout.ttl);
            }
            ok = clusterPhase(nodes, sessions, r, singleFanout, fanoutPlot, hopPlot);
        }
        catch (final Exception ex)
        {
            // what was measured before the failure is still written, with the error and every log
            ex.printStackTrace();
            r.put("error", ex.toString());
            keepLogs();
            ok = false;
        }
        finally
        {
            env.put("load_average_at_end", ProbeSupport.loadAverage());
            stopAll();
        }
        Files.createDirectories(out);
        final Path json = out.resolve("cluster-" + stamp + ".json");
        Files.writeString(json, JSON.writeValueAsString(r) + "\n", StandardCharsets.UTF_8);
        System.out.println("results: " + json.toAbsolutePath());
        final Path svg = out.resolve("cluster-" + stamp + ".svg");
        if (PercentilePlot.write(svg, String.format(Locale.ROOT, "cluster-probe: %d nodes, %d sessions, one guild: "
            + "time to last delivery", nodes, sessions), fanoutPlot))
        {
            System.out.println("plot: " + svg.toAbsolutePath());
        }
        final Path hopSvg = out.resolve("cluster-" + stamp + "-hop.svg");
        if (PercentilePlot.write(hopSvg, "cluster-probe: POST to MESSAGE_CREATE on the owner node vs a remote node; "
            + "Aeron round trip", hopPlot))
        {
            System.out.println("plot: " + hopSvg.toAbsolutePath());
        }
        return ok ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------------------ single node

    private Fanout singlePhase(final int sessions, final Map<String, Object> r) throws Exception
    {
        System.out.println();
        System.out.println("=== single node: " + sessions + " sessions ===");
        final Path dir = work.resolve("single");
        Files.createDirectories(dir);
        final ServerProcess server = ServerProcess.start(new ServerProcess.Layout(dir, dir.resolve("data"),
            "single.log", 0, false), a.string("server-profile"), a.positiveInt("shards"), serverProps(),
            nodeFlags(), List.of(), startupNanos(120));
        servers.add(server);
        System.out.printf(Locale.ROOT, "single node pid %d on %s:%d%n", server.pid(), server.host(), server.port());
        final RestClient rest = new RestClient(server.host(), server.port());
        final String run = ProbeSupport.runId();
        final RestClient.User owner = rest.register("cp-single-owner-" + run);
        final JsonNode guild = createGuild(rest, owner, "cp-single-" + run);
        final String channel = guild.path("channels").path(0).path("id").asText();
        final List<RestClient.User> users = new ArrayList<>();
        for (int u = 0; u < a.positiveInt("users-per-node"); u++)
        {
            final RestClient.User m = rest.register("cp-single-" + run + "-" + u);
            rest.join(owner, channel, m);
            users.add(m);
        }
        final LoadClientProcess client = LoadClientProcess.start(0, work, server.host(), server.port(),
            tokens(users, sessions), null, bigIds(), 0, a.positiveInt("in-flight"), a.string("client-heap"),
            openSeconds());
        clients.add(client);
        final long t0 = System.nanoTime();
        final long openCpu0 = procCpuNanos(server.pid());
        final String opened = client.await("opened ", deadline);
        final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        final double openCpu = (procCpuNanos(server.pid()) - openCpu0) / 1e9;
        final int ready = Integer.parseInt(opened.split(" ")[1]);
        System.out.printf(Locale.ROOT, "single node: %d of %d sessions ready in %d ms, server CPU %.1f s (%.2f ms per "
            + "session)%n", ready, sessions, openMs, openCpu, openCpu * 1e3 / Math.max(1, ready));
        Thread.sleep(1000);
        final Fanout f = fanout("single node", List.of(server), List.of(client), rest, owner, channel, 0);
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("sessions_ready", ready);
        s.put("open_ms", openMs);
        s.put("open_server_cpu_seconds", openCpu);
        s.put("server_rss_kib", ProbeSupport.rssKiB(server.pid()));
        s.put("fanout", f.json);
        s.put("sessions_lost", client.status(STATUS_TIMEOUT).lost());
        s.put("server_log_problems", server.problems());
        r.put("single_node", s);
        client.close();
        clients.remove(client);
        server.copyLog(logFile("single"));
        server.close();
        servers.remove(server);
        return f;
    }

    // ------------------------------------------------------------------------------------------------ the cluster

    private boolean clusterPhase(final int nodes, final int sessions, final Map<String, Object> r,
        final Fanout singleFanout, final Map<String, Histogram> fanoutPlot, final Map<String, Histogram> hopPlot)
        throws Exception
    {
        System.out.println();
        System.out.println("=== cluster: " + nodes + " nodes, " + sessions + " sessions ===");
        final int shards = a.positiveInt("shards");
        final String members = freeMemberPorts(nodes);
        final long startT0 = System.nanoTime();
        final ExecutorService starters = Executors.newFixedThreadPool(nodes);
        try
        {
            final List<Future<ServerProcess>> started = new ArrayList<>();
            for (int k = 0; k < nodes; k++)
            {
                final int node = k;
                final Path dir = work.resolve("node-" + k);
                Files.createDirectories(dir);
                started.add(starters.submit(() -> ServerProcess.start(new ServerProcess.Layout(dir,
                    dir.resolve("data"), "node-" + node + ".log", 0, false), a.string("server-profile"), shards,
                    serverProps(), nodeFlags(), List.of("--node-id", Integer.toString(node), "--members", members),
                    startupNanos(240))));
            }
            // every node that started is kept (stopped and its log kept on a failure), then the first failure thrown
            java.util.concurrent.ExecutionException failed = null;
            for (final Future<ServerProcess> f : started)
            {
                try
                {
                    servers.add(f.get());
                }
                catch (final java.util.concurrent.ExecutionException ex)
                {
                    failed = failed == null ? ex : failed;
                }
            }
            if (failed != null)
            {
                throw failed;
            }
        }
        finally
        {
            starters.shutdown();
        }
        final StringBuilder live = new StringBuilder("live nodes [");
        for (int k = 0; k < nodes; k++)
        {
            live.append(k == 0 ? "" : ", ").append(k);
        }
        live.append(']');
        awaitRing(servers, live.toString(), System.nanoTime() + TimeUnit.SECONDS.toNanos(180));
        final long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startT0);
        System.out.printf(Locale.ROOT, "%d nodes serving and agreed on a ring with all of them live in %d ms (members "
            + "%s)%n", nodes, startMs, members);
        for (int k = 0; k < nodes; k++)
        {
            System.out.printf(Locale.ROOT, "  node %d: pid %d, http://%s:%d%n", k, servers.get(k).pid(),
                servers.get(k).host(), servers.get(k).port());
        }

        // REST setup through node 0: both guilds owned by node 0, so that node 0's deliveries take no hop
        final RoutingRing ring = RoutingRing.build(1, nodes, shards, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final ServerProcess node0 = servers.get(0);
        final RestClient rest = new RestClient(node0.host(), node0.port());
        final String run = ProbeSupport.runId();
        final long setupT0 = System.nanoTime();
        final RestClient.User owner = rest.register("cp-owner-" + run);
        final JsonNode big = guildOwnedBy(rest, owner, "cp-big-" + run, ring, 0);
        final JsonNode hop = guildOwnedBy(rest, owner, "cp-hop-" + run, ring, 0);
        final String bigChannel = big.path("channels").path(0).path("id").asText();
        final String hopChannel = hop.path("channels").path(0).path("id").asText();
        final List<List<RestClient.User>> usersOf = new ArrayList<>();
        final List<RestClient.User> observers = new ArrayList<>();
        for (int k = 0; k < nodes; k++)
        {
            final List<RestClient.User> us = new ArrayList<>();
            for (int u = 0; u < a.positiveInt("users-per-node"); u++)
            {
                final RestClient.User m = rest.register("cp-" + run + "-" + k + "-" + u);
                rest.join(owner, bigChannel, m);
                us.add(m);
            }
            usersOf.add(us);
            final RestClient.User o = rest.register("cp-observer-" + run + "-" + k);
            rest.join(owner, hopChannel, o);
            observers.add(o);
        }
        final long setupMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - setupT0);
        System.out.printf(Locale.ROOT, "REST setup: guilds %s (big) and %s (hop), both owned by node 0; %d users in %d "
            + "ms%n", big.path("id").asText(), hop.path("id").asText(), nodes * (a.positiveInt("users-per-node") + 1) + 1,
            setupMs);

        // one client per node, each opening its share of the sessions on its node
        final long openT0 = System.nanoTime();
        final long cpuOpen0 = cpuNanos(servers);
        for (int k = 0; k < nodes; k++)
        {
            final int share = sessions / nodes + (k < sessions % nodes ? 1 : 0);
            clients.add(LoadClientProcess.start(k, work, servers.get(k).host(), servers.get(k).port(),
                tokens(usersOf.get(k), share), observers.get(k).token(), bigIds(), hopIds(),
                a.positiveInt("in-flight"), a.string("client-heap"), openSeconds()));
        }
        int ready = 0;
        for (final LoadClientProcess c : clients)
        {
            final String opened = c.await("opened ", deadline);
            ready += Integer.parseInt(opened.split(" ")[1]);
            System.out.printf(Locale.ROOT, "  client %d: %s (%d ms)%n", c.node(), opened,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openT0));
        }
        final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openT0);
        final double openCpu = (cpuNanos(servers) - cpuOpen0) / 1e9;
        Totals t = totals();
        System.out.printf(Locale.ROOT, "sessions ready: %d of %d in %d ms (%.0f/s), observers %d of %d; server CPU %.1f "
            + "s (%.2f ms per session); load %s%n", t.ready, sessions, openMs, t.ready * 1000.0 / Math.max(1, openMs),
            t.observers, nodes, openCpu, openCpu * 1e3 / Math.max(1, t.ready), ProbeSupport.loadAverage());
        final Map<String, Object> c = new LinkedHashMap<>();
        r.put("cluster", c);
        c.put("nodes", nodes);
        c.put("shards_per_node", shards);
        c.put("members", members);
        c.put("start_to_all_live_ms", startMs);
        c.put("big_guild_owner_node", ring.nodeOf(Long.parseLong(big.path("id").asText())));
        c.put("hop_guild_owner_node", ring.nodeOf(Long.parseLong(hop.path("id").asText())));
        c.put("rest_setup_ms", setupMs);
        c.put("sessions_ready", t.ready);
        c.put("open_ms", openMs);
        c.put("sessions_per_second", t.ready * 1000.0 / Math.max(1, openMs));
        c.put("open_server_cpu_seconds", openCpu);
        c.put("failed_attempts", t.failed);
        c.put("load_average_after_open", ProbeSupport.loadAverage());

        // hold
        final int hold = a.positiveInt("hold");
        final long beats0 = t.heartbeats;
        final long acks0 = t.acks;
        final int lost0 = t.lost;
        final int readyAtHold = t.ready;
        final long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(hold);
        final long[] rssMax = new long[nodes];
        final long[] clientRssMax = new long[nodes];
        for (int s = 1; System.nanoTime() - holdEnd < 0 && System.nanoTime() - deadline < 0; s++)
        {
            Thread.sleep(1000);
            for (int k = 0; k < nodes; k++)
            {
                rssMax[k] = Math.max(rssMax[k], ProbeSupport.rssKiB(servers.get(k).pid()));
                clientRssMax[k] = Math.max(clientRssMax[k], ProbeSupport.rssKiB(clients.get(k).pid()));
            }
            if (s % 10 == 0)
            {
                t = totals();
                System.out.printf(Locale.ROOT, "[holding] %d s: ready %d, lost %d, heartbeats %d, acks %d, load %s%n",
                    s, t.ready, t.lost - lost0, t.heartbeats - beats0, t.acks - acks0, ProbeSupport.loadAverage());
            }
        }
        t = totals();
        final Map<String, Object> h = new LinkedHashMap<>();
        h.put("seconds", hold);
        h.put("sessions_at_start", readyAtHold);
        h.put("sessions_at_end", t.ready);
        h.put("sessions_lost", t.lost - lost0);
        h.put("heartbeats_sent", t.heartbeats - beats0);
        h.put("heartbeat_acks", t.acks - acks0);
        h.put("server_rss_max_kib", rssMax);
        h.put("client_rss_max_kib", clientRssMax);
        h.put("memory_available_kib", meminfo("MemAvailable"));
        h.put("load_average", ProbeSupport.loadAverage());
        c.put("hold", h);
        System.out.printf(Locale.ROOT, "held %d s: %d sessions at the end of %d, lost %d; heartbeats %d sent, %d acked; "
            + "server RSS max %s KiB; load %s%n", hold, t.ready, readyAtHold, t.lost - lost0, t.heartbeats - beats0,
            t.acks - acks0, Arrays.toString(rssMax), ProbeSupport.loadAverage());

        // the floor, then the hop
        final NodeLinkContext link = new NodeLinkContext(); // the nodes' settings (same system properties)
        final long maxPark = link.idleMaxParkNanos();
        final int termLength = link.termLength();
        final Histogram floor = LinkFloorProbe.udpRoundTrips(a.positiveInt("ping-count"), 0, maxPark, termLength, 60);
        final Histogram paced = LinkFloorProbe.udpRoundTrips(a.positiveInt("paced-ping-count"),
            TimeUnit.MICROSECONDS.toNanos(a.positiveInt("paced-ping-us")), maxPark, termLength,
            60 + (long)a.positiveInt("paced-ping-count") * a.positiveInt("paced-ping-us") / 1_000_000);
        System.out.printf(Locale.ROOT, "Aeron round trip (UDP 127.0.0.1, two media drivers run as the nodes' links): "
            + "back to back p50 %.1f µs, p99 %.1f µs, max %.1f µs (n=%d); one ping every %d µs p50 %.1f µs, p99 %.1f µs, "
            + "max %.1f "
            + "µs (n=%d); load %s%n", floor.getValueAtPercentile(50) / 1e3, floor.getValueAtPercentile(99) / 1e3,
            floor.getMaxValue() / 1e3, floor.getTotalCount(), a.positiveInt("paced-ping-us"),
            paced.getValueAtPercentile(50) / 1e3, paced.getValueAtPercentile(99) / 1e3, paced.getMaxValue() / 1e3,
            paced.getTotalCount(), ProbeSupport.loadAverage());
        final Map<String, Object> fl = new LinkedHashMap<>();
        fl.put("round_trip_back_to_back_us", microsSummary(floor));
        fl.put("round_trip_paced_us", microsSummary(paced));
        fl.put("paced_interval_us", a.positiveInt("paced-ping-us"));
        fl.put("max_park_us", TimeUnit.NANOSECONDS.toMicros(maxPark));
        fl.put("term_length", termLength);
        fl.put("load_average", ProbeSupport.loadAverage());
        c.put("aeron_floor", fl);
        final Map<String, Object> hopResult = hop(rest, owner, hopChannel, hopPlot, floor, paced);
        hopPlot.put("Aeron round trip, back to back", toMicros(floor));
        hopPlot.put("Aeron round trip, paced", toMicros(paced));
        c.put("hop", hopResult);

        // the big fanout
        final Fanout f = fanout("cluster", servers, clients, rest, owner, bigChannel, 0);
        fanoutPlot.put("cluster, " + t.ready + " sessions: time to last delivery", f.ttl);
        c.put("fanout", f.json);
        if (singleFanout != null)
        {
            final Map<String, Object> cmp = new LinkedHashMap<>();
            cmp.put("cluster_cpu_us_per_delivery", f.cpuPerDeliveryMicros);
            cmp.put("single_node_cpu_us_per_delivery", singleFanout.cpuPerDeliveryMicros);
            cmp.put("ratio", f.cpuPerDeliveryMicros / singleFanout.cpuPerDeliveryMicros);
            cmp.put("ratio_without_idle_subtraction", f.rawCpuPerDeliveryMicros / singleFanout.rawCpuPerDeliveryMicros);
            cmp.put("goal", "<= 1.2");
            r.put("cpu_per_delivery_cluster_vs_single", cmp);
            System.out.printf(Locale.ROOT, "server CPU per delivery: cluster %.2f µs, single node %.2f µs -> %.2fx "
                + "(without subtracting idle CPU: %.2fx; goal <= 1.2x)%n", f.cpuPerDeliveryMicros,
                singleFanout.cpuPerDeliveryMicros, f.cpuPerDeliveryMicros / singleFanout.cpuPerDeliveryMicros,
                f.rawCpuPerDeliveryMicros / singleFanout.rawCpuPerDeliveryMicros);
        }

        t = totals();
        c.put("sessions_lost_whole_run", t.lost);
        c.put("sessions_at_end", t.ready);
        final List<String> reasons = new ArrayList<>();
        final List<Object> problems = new ArrayList<>();
        for (int k = 0; k < nodes; k++)
        {
            problems.add(servers.get(k).problems());
        }
        c.put("server_log_problems", problems);
        for (final LoadClientProcess lc : clients)
        {
            for (final String line : lc.report(STATUS_TIMEOUT))
            {
                if (line.startsWith("reasons ") && line.length() > 8)
                {
                    reasons.add("client " + lc.node() + ": " + line.substring(8));
                }
            }
        }
        c.put("session_failure_reasons", reasons);
        System.out.printf(Locale.ROOT, "sessions at the end %d, lost over the whole run %d%s%n", t.ready, t.lost,
            reasons.isEmpty() ? "" : "; reasons " + reasons);
        for (int k = 0; k < nodes; k++)
        {
            servers.get(k).copyLog(logFile("node-" + k));
        }
        return t.lost == 0 && t.ready == sessions && t.observers == nodes;
    }

    // ------------------------------------------------------------------------------------------------ hop

    private Map<String, Object> hop(final RestClient rest, final RestClient.User owner, final String channel,
        final Map<String, Histogram> plot, final Histogram floor, final Histogram paced) throws Exception
    {
        final int warm = Integer.parseInt(a.string("hop-warmup"));
        final int total = hopIds();
        final long interval = TimeUnit.MILLISECONDS.toNanos(a.positiveInt("hop-interval-ms"));
        final long warmInterval = TimeUnit.MILLISECONDS.toNanos(a.positiveInt("hop-warmup-interval-ms"));
        final long[] sent = new long[total];
        final int nodes = clients.size();
        // warm-up at its own pace; the measured messages only once every warm-up message reached every observer (none
        // queues behind a backlog), then at their own pace
        final long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long measuredFrom = 0;
        for (int i = 0; i < total; i++)
        {
            if (i == warm && warm > 0)
            {
                final long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (System.nanoTime() - drained < 0 && totals().hopDeliveries < (long)warm * nodes)
                {
                    Thread.sleep(50);
                }
                System.out.printf(Locale.ROOT, "hop warm-up: %d messages, %d of %d deliveries%n", warm,
                    totals().hopDeliveries, (long)warm * nodes);
                measuredFrom = System.nanoTime() + interval;
            }
            ProbeSupport.parkUntil(i < warm ? t0 + i * warmInterval
                : (warm > 0 ? measuredFrom : t0) + (long)(i - warm) * interval);
            sent[i] = System.nanoTime();
            rest.postAsync(owner, channel, "fanout-probe #" + i + "# hop " + sent[i]);
        }
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - until < 0 && totals().hopDeliveries < (long)total * nodes)
        {
            Thread.sleep(100);
        }
        // node -> message -> receive time
        final long[][] got = new long[nodes][total];
        for (final LoadClientProcess c : clients)
        {
            for (final String line : c.report(STATUS_TIMEOUT))
            {
                if (line.startsWith("hop "))
                {
                    final String[] f = line.split(" ");
                    got[c.node()][Integer.parseInt(f[1])] = Long.parseLong(f[3]);
                }
            }
        }
        final Histogram ownerLat = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        final Histogram remoteLat = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        final List<Long> added = new ArrayList<>();
        final Histogram[] perNode = new Histogram[nodes];
        for (int k = 0; k < nodes; k++)
        {
            perNode[k] = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        }
        int missing = 0;
        for (int i = warm; i < total; i++)
        {
            final long own = got[0][i];
            for (int k = 0; k < nodes; k++)
            {
                if (got[k][i] == 0)
                {
                    missing++;
                    continue;
                }
                final long us = Math.max(0, TimeUnit.NANOSECONDS.toMicros(got[k][i] - sent[i]));
                perNode[k].recordValue(Math.min(us, perNode[k].getHighestTrackableValue()));
                (k == 0 ? ownerLat : remoteLat).recordValue(Math.min(us, ownerLat.getHighestTrackableValue()));
                if (k != 0 && own != 0)
                {
                    added.add(got[k][i] - own);
                }
            }
        }
        added.sort(null);
        final double addedP50 = percentile(added, 50) / 1e3;
        final double addedP99 = percentile(added, 99) / 1e3;
        final double diffOfP50 = remoteLat.getValueAtPercentile(50) - ownerLat.getValueAtPercentile(50);
        plot.put("owner node (no hop)", ownerLat);
        plot.put("remote nodes (one hop)", remoteLat);
        System.out.printf(Locale.ROOT, "hop: %d messages (after %d warm-up) to a guild owned by node 0, one observer "
            + "session per node, every %d ms (warm-up one every %d ms)%n", total - warm, warm,
            a.positiveInt("hop-interval-ms"), a.positiveInt("hop-warmup-interval-ms"));
        ProbeSupport.printLatency("  POST -> MESSAGE_CREATE on the owner node", ownerLat);
        ProbeSupport.printLatency("  POST -> MESSAGE_CREATE on the remote nodes", remoteLat);
        System.out.printf(Locale.ROOT, "  added by the hop (remote minus owner, same message): p50 %.1f µs, p99 %.1f µs "
            + "(n=%d); difference of the p50s %.0f µs; goal <= 100 µs at p50; Aeron's own round trip p50 %.1f µs back "
            + "to back, %.1f µs paced (one way ≈ half); %d deliveries missing%n", addedP50, addedP99, added.size(),
            diffOfP50, floor.getValueAtPercentile(50) / 1e3, paced.getValueAtPercentile(50) / 1e3, missing);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("messages", total - warm);
        m.put("warmup", warm);
        m.put("warmup_interval_ms", a.positiveInt("hop-warmup-interval-ms"));
        m.put("interval_ms", a.positiveInt("hop-interval-ms"));
        m.put("owner_node_latency_ms", ProbeSupport.summary(ownerLat));
        m.put("remote_node_latency_ms", ProbeSupport.summary(remoteLat));
        final List<Object> per = new ArrayList<>();
        for (int k = 0; k < nodes; k++)
        {
            per.add(ProbeSupport.summary(perNode[k]));
        }
        m.put("per_node_latency_ms", per);
        m.put("added_by_hop_same_message_us", Map.of("p50", addedP50, "p99", addedP99, "n", added.size()));
        m.put("difference_of_p50s_us", diffOfP50);
        m.put("goal_added_p50_us", 100);
        m.put("aeron_round_trip_p50_us_back_to_back", floor.getValueAtPercentile(50) / 1e3);
        m.put("aeron_round_trip_p50_us_paced", paced.getValueAtPercentile(50) / 1e3);
        m.put("deliveries_missing", missing);
        m.put("load_average", ProbeSupport.loadAverage());
        return m;
    }

    // ------------------------------------------------------------------------------------------------ fanout

    /** One fanout phase's figures. */
    private record Fanout(Map<String, Object> json, Histogram ttl, double cpuPerDeliveryMicros,
        double rawCpuPerDeliveryMicros)
    {
    }

    private Fanout fanout(final String what, final List<ServerProcess> nodes, final List<LoadClientProcess> cs,
        final RestClient rest, final RestClient.User poster, final String channel, final int ownerNode)
        throws Exception
    {
        final int warm = Integer.parseInt(a.string("warmup"));
        final int total = bigIds();
        final long interval = TimeUnit.MILLISECONDS.toNanos(a.positiveInt("interval-ms"));
        final int recipients = totals(cs).ready;
        // idle CPU just before: heartbeats, consensus and link keep-alives
        final int idleSeconds = a.positiveInt("idle-seconds");
        final long[] idleOf = new long[nodes.size()];
        for (int k = 0; k < idleOf.length; k++)
        {
            idleOf[k] = procCpuNanos(nodes.get(k).pid());
        }
        final long idleT0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
        final double idleNanos = System.nanoTime() - idleT0;
        final double[] idleCores = new double[idleOf.length];
        double idleRate = 0;
        for (int k = 0; k < idleOf.length; k++)
        {
            idleCores[k] = (procCpuNanos(nodes.get(k).pid()) - idleOf[k]) / idleNanos;
            idleRate += idleCores[k];
        }
        final long[] sent = new long[total];
        final long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        // one message at a time: each is posted when the last one has reached every session (and not before its
        // turn), and the server CPU is read around each, so the idle CPU subtracted is that of seconds, not minutes
        long cpuSum = 0;
        long windowSum = 0;
        long nextAt = t0;
        final long perMessageTimeout = Math.max(interval, TimeUnit.SECONDS.toNanos(30));
        for (int i = 0; i < total; i++)
        {
            ProbeSupport.parkUntil(nextAt);
            final long c0 = cpuNanos(nodes);
            sent[i] = System.nanoTime();
            rest.postAsync(poster, channel, "fanout-probe #" + i + "# " + sent[i]);
            final long until = sent[i] + perMessageTimeout;
            while (System.nanoTime() - until < 0 && totals(cs).deliveries < (long)recipients * (i + 1))
            {
                Thread.sleep(20);
            }
            final long w1 = System.nanoTime();
            final long c1 = cpuNanos(nodes);
            if (i >= warm)
            {
                cpuSum += c1 - c0;
                windowSum += w1 - sent[i];
            }
            nextAt = Math.max(sent[i] + interval, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
        }
        // message -> count, first, last over every client; node -> message -> first, last
        final int[] count = new int[total];
        final long[] last = new long[total];
        final long[][] firstOn = new long[cs.size()][total];
        final long[][] lastOn = new long[cs.size()][total];
        for (int k = 0; k < cs.size(); k++)
        {
            for (final String line : cs.get(k).report(STATUS_TIMEOUT))
            {
                if (line.startsWith("big "))
                {
                    final String[] f = line.split(" ");
                    final int id = Integer.parseInt(f[1]);
                    count[id] += Integer.parseInt(f[2]);
                    firstOn[k][id] = Long.parseLong(f[3]);
                    lastOn[k][id] = Long.parseLong(f[4]);
                    last[id] = last[id] == 0 ? lastOn[k][id] : Math.max(last[id], lastOn[k][id]);
                }
            }
        }
        final Histogram ttl = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        long deliveries = 0;
        int complete = 0;
        for (int i = warm; i < total; i++)
        {
            deliveries += count[i];
            if (count[i] >= recipients)
            {
                complete++;
                ttl.recordValue(Math.min(ttl.getHighestTrackableValue(),
                    Math.max(0, TimeUnit.NANOSECONDS.toMicros(last[i] - sent[i]))));
            }
        }
        final double window = windowSum / 1e9;
        final double cpu = cpuSum / 1e9;
        final double busy = cpu - idleRate * window;
        final double perDelivery = deliveries == 0 ? -1 : busy * 1e6 / deliveries;
        final double rawPerDelivery = deliveries == 0 ? -1 : cpu * 1e6 / deliveries;
        System.out.printf(Locale.ROOT, "%s fanout: %d messages (after %d warm-up) x %d sessions, every %d ms: %d of %d "
            + "deliveries, %d messages complete%n", what, total - warm, warm, recipients, a.positiveInt("interval-ms"),
            deliveries, (long)recipients * (total - warm), complete);
        ProbeSupport.printLatency("  time to last delivery", ttl);
        System.out.printf(Locale.ROOT, "  server CPU: %.2f s over %.1f s from each post to its last delivery (idle %.3f "
            + "cores before: %.2f s of it subtracted, %.2f s left) "
            + "-> %.2f µs per delivery (%.2f µs without the subtraction); idle cores per node %s; load %s%n", cpu, window,
            idleRate, idleRate * window, busy, perDelivery, rawPerDelivery, Arrays.toString(idleCores),
            ProbeSupport.loadAverage());
        final List<Object> perNode = new ArrayList<>();
        for (int k = 0; k < cs.size(); k++)
        {
            final Histogram first = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
            final Histogram lastH = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
            for (int i = warm; i < total; i++)
            {
                if (firstOn[k][i] != 0)
                {
                    first.recordValue(Math.min(first.getHighestTrackableValue(),
                        Math.max(0, TimeUnit.NANOSECONDS.toMicros(firstOn[k][i] - sent[i]))));
                    lastH.recordValue(Math.min(lastH.getHighestTrackableValue(),
                        Math.max(0, TimeUnit.NANOSECONDS.toMicros(lastOn[k][i] - sent[i]))));
                }
            }
            final Map<String, Object> n = new LinkedHashMap<>();
            n.put("node", cs.get(k).node());
            n.put("owner", cs.get(k).node() == ownerNode);
            n.put("first_delivery_ms", ProbeSupport.summary(first));
            n.put("last_delivery_ms", ProbeSupport.summary(lastH));
            perNode.add(n);
            if (cs.size() > 1)
            {
                System.out.printf(Locale.ROOT, "  node %d%s: first delivery p50 %.1f ms, last delivery p50 %.1f ms, "
                    + "p99 %.1f ms%n", cs.get(k).node(), cs.get(k).node() == ownerNode ? " (owner)" : "",
                    first.getValueAtPercentile(50) / 1e3, lastH.getValueAtPercentile(50) / 1e3,
                    lastH.getValueAtPercentile(99) / 1e3);
            }
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("recipients", recipients);
        m.put("messages", total - warm);
        m.put("warmup", warm);
        m.put("interval_ms", a.positiveInt("interval-ms"));
        m.put("deliveries", deliveries);
        m.put("deliveries_expected", (long)recipients * (total - warm));
        m.put("messages_complete", complete);
        m.put("time_to_last_delivery_ms", ProbeSupport.summary(ttl));
        m.put("goal_time_to_last_delivery_ms", 1000);
        m.put("server_cpu_seconds", cpu);
        m.put("window_seconds_post_to_last_delivery_summed", window);
        m.put("idle_cpu_cores_before", idleRate);
        m.put("idle_cpu_cores_before_per_node", idleCores);
        m.put("server_cpu_us_per_delivery", perDelivery);
        m.put("server_cpu_us_per_delivery_without_idle_subtraction", rawPerDelivery);
        m.put("per_node", perNode);
        m.put("load_average", ProbeSupport.loadAverage());
        return new Fanout(m, ttl, perDelivery, rawPerDelivery);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Sums of every client's status. */
    private record Totals(int ready, int lost, int failed, long heartbeats, long acks, long deliveries,
        long hopDeliveries, int observers)
    {
    }

    private Totals totals() throws IOException, InterruptedException
    {
        return totals(clients);
    }

    private static Totals totals(final List<LoadClientProcess> cs) throws IOException, InterruptedException
    {
        int ready = 0;
        int lost = 0;
        int failed = 0;
        long beats = 0;
        long acks = 0;
        long deliveries = 0;
        long hop = 0;
        int observers = 0;
        for (final LoadClientProcess c : cs)
        {
            c.send("status");
        }
        for (final LoadClientProcess c : cs)
        {
            final LoadClientProcess.Status s = LoadClientProcess.Status.parse(c.await("status ",
                System.nanoTime() + STATUS_TIMEOUT));
            ready += s.ready();
            lost += s.lost();
            failed += s.failed();
            beats += s.heartbeats();
            acks += s.acks();
            deliveries += s.deliveries();
            hop += s.hopDeliveries();
            observers += s.observerReady();
        }
        return new Totals(ready, lost, failed, beats, acks, deliveries, hop, observers);
    }

    private Map<String, String> serverProps()
    {
        final Map<String, String> props = ProbeSupport.serverProperties();
        props.put("pinwheel.gateway.heartbeat-interval-ms", a.string("heartbeat-ms"));
        return props;
    }

    private List<String> nodeFlags()
    {
        final List<String> flags = new ArrayList<>();
        flags.add("-Xmx" + a.string("node-heap"));
        flags.addAll(a.serverFlags());
        return flags;
    }

    private long startupNanos(final int seconds)
    {
        return Math.min(TimeUnit.SECONDS.toNanos(seconds), deadline - System.nanoTime());
    }

    private long openSeconds()
    {
        return Math.max(30, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()) / 3);
    }

    private int bigIds()
    {
        return Integer.parseInt(a.string("warmup")) + a.positiveInt("messages");
    }

    private int hopIds()
    {
        return Integer.parseInt(a.string("hop-warmup")) + a.positiveInt("hop-messages");
    }

    private Path logFile(final String name) throws IOException
    {
        Files.createDirectories(out);
        return out.resolve("cluster-" + stamp + "-" + name + ".log");
    }

    private static List<String> tokens(final List<RestClient.User> users, final int sessions)
    {
        final List<String> tokens = new ArrayList<>(sessions);
        for (int i = 0; i < sessions; i++)
        {
            tokens.add(users.get(i % users.size()).token());
        }
        return tokens;
    }

    private static JsonNode createGuild(final RestClient rest, final RestClient.User owner, final String name)
        throws IOException
    {
        final RestClient.Response res = rest.send("POST", "guilds", owner.token(), "{\"name\":\"" + name + "\"}");
        if (res.status() / 100 != 2)
        {
            throw new IOException("POST /guilds: " + res.status() + " " + res.body());
        }
        return res.json();
    }

    private static JsonNode guildOwnedBy(final RestClient rest, final RestClient.User owner, final String name,
        final RoutingRing ring, final int node) throws IOException
    {
        for (int i = 0; i < 200; i++)
        {
            final JsonNode g = createGuild(rest, owner, name + "-" + i);
            if (ring.nodeOf(Long.parseLong(g.path("id").asText())) == node)
            {
                return g;
            }
        }
        throw new IOException("none of 200 guilds is owned by node " + node);
    }

    /**
     * Waits until every node logged {@code text}; when the deadline passes or a node exits first, the error names the
     * nodes that did not and what each last said of its ring epochs and its consensus election (the logs themselves
     * are kept by the caller).
     */
    private static void awaitRing(final List<ServerProcess> nodes, final String text, final long deadlineNanos)
        throws IOException, InterruptedException
    {
        while (true)
        {
            boolean all = true;
            boolean exited = false;
            for (final ServerProcess s : nodes)
            {
                all &= Files.readString(s.log(), StandardCharsets.UTF_8).contains(text);
                exited |= !s.isAlive();
            }
            if (all)
            {
                return;
            }
            if (exited || System.nanoTime() - deadlineNanos > 0)
            {
                break;
            }
            Thread.sleep(100);
        }
        final StringBuilder b = new StringBuilder("not every node logged '" + text + "':");
        for (int k = 0; k < nodes.size(); k++)
        {
            final String log = Files.readString(nodes.get(k).log(), StandardCharsets.UTF_8);
            if (log.contains(text))
            {
                continue;
            }
            b.append("\n  node ").append(k).append(nodes.get(k).isAlive() ? "" : " (exited)");
            for (final String key : List.of("ring epoch ", "election has been", "consensus module"))
            {
                final int at = log.lastIndexOf(key);
                if (at >= 0)
                {
                    final int start = log.lastIndexOf('\n', at) + 1;
                    final int end = log.indexOf('\n', at);
                    b.append("\n    ").append(log, start, end < 0 ? log.length() : end);
                }
            }
        }
        throw new IOException(b.toString());
    }

    /**
     * Free link ports for {@code count} nodes: each node's link port and its five consensus ports (link port plus
     * 100, 200, 300, 400 and 500) bind on 127.0.0.1 now.
     */
    private static String freeMemberPorts(final int count) throws IOException
    {
        final StringBuilder b = new StringBuilder();
        final Set<Integer> taken = new HashSet<>();
        int found = 0;
        for (int attempt = 0; attempt < 2000 && found < count; attempt++)
        {
            final int base = 20_000 + ThreadLocalRandom.current().nextInt(9_000);
            if (taken.add(base % 100) && freeUdp(base))
            {
                b.append(found++ == 0 ? "" : ",").append("127.0.0.1:").append(base);
            }
        }
        if (found < count)
        {
            throw new IOException("no free UDP ports for " + count + " nodes");
        }
        return b.toString();
    }

    private static boolean freeUdp(final int base)
    {
        for (int k = 0; k <= 5; k++)
        {
            try (DatagramSocket s = new DatagramSocket(null))
            {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + k * 100));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param processes servers.
     * @return their summed utime + stime from {@code /proc/PID/stat}, in nanoseconds.
     */
    static long cpuNanos(final List<ServerProcess> processes)
    {
        long sum = 0;
        for (final ServerProcess p : processes)
        {
            sum += procCpuNanos(p.pid());
        }
        return sum;
    }

    /**
     * @param pid a process.
     * @return its utime + stime ({@code /proc/PID/stat} fields 14 and 15) in nanoseconds, or 0 if unreadable.
     */
    static long procCpuNanos(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    private static long clockTickNanos()
    {
        try
        {
            final Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return TimeUnit.SECONDS.toNanos(1) / Long.parseLong(s);
        }
        catch (final IOException | RuntimeException ex)
        {
            return TimeUnit.MILLISECONDS.toNanos(10); // USER_HZ is 100 on Linux
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return TimeUnit.MILLISECONDS.toNanos(10);
        }
    }

    private static long meminfo(final String key)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith(key + ":"))
                {
                    return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux
        }
        return -1;
    }

    private static Histogram toMicros(final Histogram nanos)
    {
        final Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        for (final org.HdrHistogram.HistogramIterationValue v : nanos.recordedValues())
        {
            h.recordValueWithCount(Math.min(h.getHighestTrackableValue(), v.getValueIteratedTo() / 1000),
                v.getCountAtValueIteratedTo());
        }
        return h;
    }

    private static Map<String, Object> microsSummary(final Histogram nanos)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", nanos.getTotalCount());
        m.put("p50", nanos.getValueAtPercentile(50) / 1e3);
        m.put("p90", nanos.getValueAtPercentile(90) / 1e3);
        m.put("p99", nanos.getValueAtPercentile(99) / 1e3);
        m.put("p99_9", nanos.getValueAtPercentile(99.9) / 1e3);
        m.put("max", nanos.getMaxValue() / 1e3);
        return m;
    }

    private static long percentile(final List<Long> sorted, final double p)
    {
        if (sorted.isEmpty())
        {
            return 0;
        }
        final int i = (int)Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.size()) - 1));
        return sorted.get(i);
    }

    private void keepLogs()
    {
        for (int k = 0; k < servers.size(); k++)
        {
            try
            {
                servers.get(k).copyLog(logFile(servers.get(k).layout().logName().replace(".log", "")));
            }
            catch (final IOException ex)
            {
                System.err.println("could not keep " + servers.get(k).log() + ": " + ex);
            }
        }
        try (java.util.stream.Stream<Path> files = Files.list(work))
        {
            for (final Path f : (Iterable<Path>)files.filter(f -> f.getFileName().toString().startsWith("client-"))::iterator)
            {
                Files.copy(f, logFile(f.getFileName().toString().replace(".log", "")),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("could not keep the client logs: " + ex);
        }
    }

    /**
     * Stops the child processes that are still alive after the known ones were stopped: nodes whose start had not
     * finished when the probe ended (a start that failed or timed out on another node, SIGTERM to the probe), which no
     * list holds yet, were left running without a parent. SIGTERM, SIGKILL after 30 s.
     */
    private static void stopStragglers()
    {
        final List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        for (final ProcessHandle p : left)
        {
            System.err.println("cluster-probe: stopping child process " + p.pid() + " still running ("
                + p.info().commandLine().map(c -> c.length() > 120 ? c.substring(0, 120) + "…" : c).orElse("?") + ")");
            p.destroy();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (final ProcessHandle p : left)
        {
            try
            {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
            {
                p.destroyForcibly();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /**
     * Stops every client, then every server (SIGTERM, SIGKILL after 30 s), then any other child still running;
     * deletes the work directory.
     */
    private synchronized void stopAll()
    {
        for (final LoadClientProcess c : clients)
        {
            c.close();
        }
        clients.clear();
        final List<Thread> stoppers = new ArrayList<>();
        for (final ServerProcess s : servers)
        {
            final Thread t = new Thread(s::close, "stop-" + s.pid());
            t.start();
            stoppers.add(t);
        }
        for (final Thread t : stoppers)
        {
            try
            {
                t.join(60_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        servers.clear();
        stopStragglers();
        if (Files.isDirectory(work))
        {
            ServerProcess.deleteTree(work);
        }
    }
}
