package dev.pinwheel.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import dev.pinwheel.benchmarks.edge.FloorHttpServer;
import dev.pinwheel.benchmarks.edge.KeepAliveHttpClient;
import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;
import dev.pinwheel.jvmflags.JvmFlagProfiles;

/**
 * The REST edge latency probe (issue 14): how much a trivial REST GET costs on Pinwheel's edge over the floor — a
 * minimal Netty HTTP server (same Netty, epoll, keep-alive, a fixed small JSON) — and how long a message POST takes
 * to reach a gateway client as MESSAGE_CREATE, on an otherwise idle node with {@code os} durability.
 * <pre>
 *   floor JVM (FloorHttpServer)      Pinwheel JVM (embedded store, os durability)
 *            ▲                                  ▲                ▲
 *            │ keep-alive GET                   │ keep-alive GET │ WebSocket (one identified session)
 *            └──────── this JVM: one KeepAliveHttpClient per server, the same code; one GatewayLoadClient
 *
 *   GET phase:  warm-up both, then R rounds alternating which server goes first, N/R sequential GETs each
 *               (/api/v10/gateway), a pause between an answer and the next request
 *   POST phase: sequential POST /channels/{id}/messages by the guild owner; each waits for the previous message's
 *               MESSAGE_CREATE at the member's session; latency = write of the POST → frame read at the session
 * </pre>
 * Every server is its own process; prints the ratios and writes {@code bench-results/rest-edge-STAMP.json}, a
 * percentile plot and the server log. Latencies are recorded in ns (GET) and µs (POST → MESSAGE_CREATE).
 */
public final class RestEdgeProbe
{
    private static final String USAGE = """
        usage: RestEdgeProbe [--requests N=20000] [--warmup W=5000] [--rounds R=10] [--pause-us P=1000]
                             [--posts M=2000] [--post-warmup K=300] [--post-pause-us Q=2000]
                             [--shards S=2] [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                             [--deadline SECONDS=900] [--out DIR=bench-results]""";
    private static final String GATEWAY_PATH = "/api/v10/gateway";
    private static final double GOAL_RATIO = 1.2;
    private static final double GOAL_POST_P50_MS = 1.0;
    private static final double GOAL_POST_P99_MS = 2.0;

    private RestEdgeProbe()
    {
    }

    /**
     * @param argv see {@link #USAGE}.
     * @throws Exception on a setup failure.
     */
    public static void main(final String[] argv) throws Exception
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("requests", "20000");
        d.put("warmup", "5000");
        d.put("rounds", "10");
        d.put("pause-us", "1000");
        d.put("posts", "2000");
        d.put("post-warmup", "300");
        d.put("post-pause-us", "2000");
        d.put("shards", "2");
        d.put("server-profile", "dev");
        d.put("deadline", "900");
        d.put("out", "bench-results");
        System.exit(run(new ProbeSupport.Args(USAGE, d, argv)));
    }

    private static int run(final ProbeSupport.Args a) throws Exception
    {
        final int requests = a.positiveInt("requests");
        final int rounds = a.positiveInt("rounds");
        final int perRound = Math.max(1, requests / rounds);
        final long pause = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(a.string("pause-us")));
        final int posts = a.positiveInt("posts");
        final int postWarmup = Integer.parseInt(a.string("post-warmup"));
        final long postPause = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(a.string("post-pause-us")));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("deadline"));
        final String loadAtStart = ProbeSupport.loadAverage();
        System.out.printf(Locale.ROOT, "rest-probe: %d GETs per server in %d rounds (pause %d µs), %d posts (pause %d "
            + "µs); load average %s%n", perRound * rounds, rounds, TimeUnit.NANOSECONDS.toMicros(pause), posts,
            TimeUnit.NANOSECONDS.toMicros(postPause), loadAtStart);
        ProbeSupport.startWatchdog("rest-probe", deadline);

        final Floor floor = Floor.start(a.string("server-profile"), deadline);
        Runtime.getRuntime().addShutdownHook(new Thread(floor::close, "probe-stop-floor"));
        final Map<String, String> props = ProbeSupport.serverProperties();
        props.put("pinwheel.storage.durability", "os");
        final ServerProcess server = ProbeSupport.startServer(a, props, deadline);
        final String stamp = ProbeSupport.stamp();
        GatewayLoadClient gateway = null;
        try (KeepAliveHttpClient toFloor = new KeepAliveHttpClient("127.0.0.1", floor.port);
            KeepAliveHttpClient toPinwheel = new KeepAliveHttpClient(server.host(), server.port());
            RestClient rest = new RestClient(server.host(), server.port()))
        {
            final ProbeSupport.Guild g = ProbeSupport.setupGuilds(rest, "rest-" + ProbeSupport.runId(), 1, 1)
                .get(0);

            // GET phase: warm both, then alternate
            final int warmup = Integer.parseInt(a.string("warmup"));
            final long budget = deadline - System.nanoTime();
            if (warmup > 0)
            {
                check("floor warm-up", toFloor.run(warmup, 0, i -> toFloor.get(GATEWAY_PATH), null, budget));
                check("pinwheel warm-up", toPinwheel.run(warmup, 0, i -> toPinwheel.get(GATEWAY_PATH), null,
                    budget));
            }
            final Histogram floorGet = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            final Histogram pinwheelGet = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long floorCpu = 0;
            long pinwheelCpu = 0;
            int errors = 0;
            final List<Map<String, Object>> perRoundRatios = new ArrayList<>();
            for (int r = 0; r < rounds; r++)
            {
                long floorRound = 0;
                long pinwheelRound = 0;
                final Histogram fr = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                final Histogram pr = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                for (int k = 0; k < 2; k++)
                {
                    final boolean floorNow = (r + k) % 2 == 0;
                    final KeepAliveHttpClient c = floorNow ? toFloor : toPinwheel;
                    final long cpu0 = floorNow ? floor.cpuNanos() : server.cpuNanos();
                    final KeepAliveHttpClient.Result res = c.run(perRound, pause, i -> c.get(GATEWAY_PATH), null,
                        deadline - System.nanoTime());
                    final long cpu = (floorNow ? floor.cpuNanos() : server.cpuNanos()) - cpu0;
                    errors += check(floorNow ? "floor" : "pinwheel", res);
                    (floorNow ? fr : pr).add(res.nanos());
                    if (floorNow)
                    {
                        floorRound += cpu;
                    }
                    else
                    {
                        pinwheelRound += cpu;
                    }
                }
                floorGet.add(fr);
                pinwheelGet.add(pr);
                floorCpu += floorRound;
                pinwheelCpu += pinwheelRound;
                final Map<String, Object> rr = new LinkedHashMap<>();
                rr.put("p50_ratio", ratio(pr, fr, 50));
                rr.put("p99_ratio", ratio(pr, fr, 99));
                rr.put("load_average", ProbeSupport.loadAverage());
                perRoundRatios.add(rr);
                System.out.printf(Locale.ROOT, "[round %d] floor p50 %.1f µs p99 %.1f µs | pinwheel p50 %.1f µs p99 %.1f "
                    + "µs | ratio %.2f / %.2f | load %s%n", r + 1, us(fr, 50), us(fr, 99), us(pr, 50), us(pr, 99),
                    ratio(pr, fr, 50), ratio(pr, fr, 99), ProbeSupport.loadAverage());
            }

            // POST phase: one identified session of the member sees the owner's posts
            final int total = postWarmup + posts;
            final DeliveryStats stats = new DeliveryStats(total, Math.max(1, postPause));
            final Histogram postToEvent = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            gateway = new GatewayLoadClient(server.host(), server.port(), 1, stats);
            if (gateway.open(List.of(g.members().get(0).token()), 1, deadline) != 1)
            {
                System.err.println("rest-probe: the gateway session did not become ready: " + gateway.reasons());
                return 1;
            }
            stats.listener((id, micros) ->
            {
                if (id >= postWarmup)
                {
                    postToEvent.recordValue(micros);
                }
                toPinwheel.signal();
            });
            final String postPath = "/api/v10/channels/" + g.channelId() + "/messages";
            final String auth = "Bot " + g.owner().token();
            final long postCpu0 = server.cpuNanos();
            final KeepAliveHttpClient.Result postRes = toPinwheel.run(total, postPause, i ->
            {
                stats.sent(i, System.nanoTime());
                return toPinwheel.post(postPath, auth, "{\"content\":\"fanout-probe #" + i + "# rest edge probe\"}");
            }, i -> stats.received(i) > 0, deadline - System.nanoTime());
            final long postCpu = server.cpuNanos() - postCpu0;
            errors += check("pinwheel post", postRes);
            final Histogram postAnswer = postRes.nanos(); // warm-up included: the answers of the measured ones below
            final String loadAtEnd = ProbeSupport.loadAverage();

            // report
            final double p50Ratio = ratio(pinwheelGet, floorGet, 50);
            final double p99Ratio = ratio(pinwheelGet, floorGet, 99);
            System.out.println();
            System.out.printf(Locale.ROOT, "=== REST edge (load average %s at start, %s at end) ===%n", loadAtStart,
                loadAtEnd);
            printNanos("GET /api/v10/gateway, floor (Netty)", floorGet);
            printNanos("GET /api/v10/gateway, Pinwheel", pinwheelGet);
            System.out.printf(Locale.ROOT, "Pinwheel / floor: p50 %.2f×, p99 %.2f×, p99.9 %.2f× (goal ≤ %.1f× at p50 and "
                + "p99: %s)%n", p50Ratio, p99Ratio, ratio(pinwheelGet, floorGet, 99.9), GOAL_RATIO,
                pinwheelGet.getTotalCount() > 0 && p50Ratio <= GOAL_RATIO && p99Ratio <= GOAL_RATIO ? "met" : "not met");
            System.out.printf(Locale.ROOT, "server CPU per GET: floor %.1f µs, Pinwheel %.1f µs (%.2f×)%n",
                floorCpu / 1e3 / Math.max(1, floorGet.getTotalCount()),
                pinwheelCpu / 1e3 / Math.max(1, pinwheelGet.getTotalCount()),
                (double)pinwheelCpu / Math.max(1, floorCpu) * floorGet.getTotalCount()
                    / Math.max(1, pinwheelGet.getTotalCount()));
            if (toFloor.reconnects() + toPinwheel.reconnects() > 0)
            {
                System.out.printf(Locale.ROOT, "reconnected between runs (idle deadline while the other server was "
                    + "measured): floor %d, Pinwheel %d%n", toFloor.reconnects(), toPinwheel.reconnects());
            }
            printNanos("POST message, answer (warm-up included)", postAnswer);
            ProbeSupport.printLatency("POST → MESSAGE_CREATE at the gateway client", postToEvent);
            final double postP50 = postToEvent.getValueAtPercentile(50) / 1000.0;
            final double postP99 = postToEvent.getValueAtPercentile(99) / 1000.0;
            System.out.printf(Locale.ROOT, "POST → MESSAGE_CREATE goal p50 ≤ %.0f ms, p99 ≤ %.0f ms: %s; server CPU per "
                + "post %.1f µs%n", GOAL_POST_P50_MS, GOAL_POST_P99_MS,
                postToEvent.getTotalCount() > 0 && postP50 <= GOAL_POST_P50_MS && postP99 <= GOAL_POST_P99_MS ? "met"
                    : "not met",
                postCpu / 1e3 / Math.max(1, total));

            final Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", a.asMap());
            final Map<String, Object> env = ProbeSupport.environment(server, loadAtStart);
            env.put("floor_command", floor.command);
            out.put("environment", env);
            final Map<String, Object> get = new LinkedHashMap<>();
            get.put("path", GATEWAY_PATH);
            get.put("floor_us", summaryNanos(floorGet));
            get.put("pinwheel_us", summaryNanos(pinwheelGet));
            get.put("p50_ratio", p50Ratio);
            get.put("p99_ratio", p99Ratio);
            get.put("p99_9_ratio", ratio(pinwheelGet, floorGet, 99.9));
            get.put("goal_ratio", GOAL_RATIO);
            get.put("floor_cpu_us_per_request", floorCpu / 1e3 / Math.max(1, floorGet.getTotalCount()));
            get.put("pinwheel_cpu_us_per_request", pinwheelCpu / 1e3 / Math.max(1, pinwheelGet.getTotalCount()));
            get.put("rounds", perRoundRatios);
            out.put("get", get);
            final Map<String, Object> post = new LinkedHashMap<>();
            post.put("answer_us_incl_warmup", summaryNanos(postAnswer));
            post.put("post_to_message_create_ms", ProbeSupport.summary(postToEvent));
            post.put("goal_p50_ms", GOAL_POST_P50_MS);
            post.put("goal_p99_ms", GOAL_POST_P99_MS);
            post.put("server_cpu_us_per_post", postCpu / 1e3 / Math.max(1, total));
            post.put("lost", total - (int)stats.deliveries());
            post.put("duplicates", stats.duplicates());
            out.put("post", post);
            out.put("errors", errors);
            out.put("reconnects", Map.of("floor", toFloor.reconnects(), "pinwheel", toPinwheel.reconnects()));
            final Map<String, Histogram> plot = new LinkedHashMap<>();
            plot.put("GET floor", micros(floorGet));
            plot.put("GET Pinwheel", micros(pinwheelGet));
            plot.put("POST → MESSAGE_CREATE", postToEvent);
            ProbeSupport.writeResults(Path.of(a.string("out")), "rest-edge", stamp, out, String.format(Locale.ROOT,
                "rest-probe: GET p50 %.2f×, p99 %.2f× the floor", p50Ratio, p99Ratio), plot, server);
            return errors == 0 && stats.deliveries() == total ? 0 : 1;
        }
        finally
        {
            if (gateway != null)
            {
                gateway.close();
            }
            server.close();
            floor.close();
        }
    }

    private static int check(final String what, final KeepAliveHttpClient.Result r)
    {
        if (r.errors() > 0 || r.timedOut())
        {
            System.err.printf(Locale.ROOT, "%s: %d errors%s, first: %s%n", what, r.errors(),
                r.timedOut() ? " (timed out)" : "", r.firstError());
        }
        return r.errors();
    }

    private static double us(final Histogram nanos, final double percentile)
    {
        return nanos.getValueAtPercentile(percentile) / 1e3;
    }

    private static double ratio(final Histogram a, final Histogram b, final double percentile)
    {
        final long base = b.getValueAtPercentile(percentile);
        return base == 0 ? Double.NaN : (double)a.getValueAtPercentile(percentile) / base;
    }

    private static void printNanos(final String what, final Histogram h)
    {
        System.out.printf(Locale.ROOT, "%s: p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs, mean "
            + "%.1f µs (n=%d)%n", what, us(h, 50), us(h, 90), us(h, 99), us(h, 99.9), h.getMaxValue() / 1e3,
            h.getMean() / 1e3, h.getTotalCount());
    }

    private static Map<String, Object> summaryNanos(final Histogram h)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        m.put("mean", h.getMean() / 1e3);
        m.put("p50", us(h, 50));
        m.put("p90", us(h, 90));
        m.put("p99", us(h, 99));
        m.put("p99_9", us(h, 99.9));
        m.put("max", h.getMaxValue() / 1e3);
        return m;
    }

    private static Histogram micros(final Histogram nanos)
    {
        final Histogram us = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        for (final HistogramIterationValue v : nanos.recordedValues())
        {
            us.recordValueWithCount(Math.max(1, v.getValueIteratedTo() / 1000), v.getCountAddedInThisIterationStep());
        }
        return us;
    }

    /** The floor server in its own JVM (same JDK and flag profile as the Pinwheel server). */
    private static final class Floor implements AutoCloseable
    {
        private final Process process;
        private final Path dir;
        private final int port;
        private final List<String> command;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Floor(final Process process, final Path dir, final int port, final List<String> command)
        {
            this.process = process;
            this.dir = dir;
            this.port = port;
            this.command = command;
        }

        static Floor start(final String profile, final long deadline) throws IOException, InterruptedException
        {
            final Path dir = Files.createTempDirectory("pinwheel-floor");
            final Path log = dir.resolve("floor.log");
            final List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JvmFlagProfiles.locate().argFileOptions(profile, JvmFlagProfiles.runningFeatureVersion()));
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(FloorHttpServer.class.getName());
            final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
            final long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
            while (System.nanoTime() - until < 0)
            {
                final String text = Files.readString(log, StandardCharsets.UTF_8);
                final int at = text.indexOf(FloorHttpServer.SERVING);
                if (at >= 0)
                {
                    final int from = at + FloorHttpServer.SERVING.length();
                    int to = from;
                    while (to < text.length() && Character.isDigit(text.charAt(to)))
                    {
                        to++;
                    }
                    if (to > from)
                    {
                        final int port = Integer.parseInt(text.substring(from, to));
                        System.out.printf(Locale.ROOT, "floor pid %d serving on 127.0.0.1:%d%n", p.pid(), port);
                        return new Floor(p, dir, port, List.copyOf(cmd));
                    }
                }
                if (!p.isAlive())
                {
                    break;
                }
                p.waitFor(20, TimeUnit.MILLISECONDS);
            }
            p.destroyForcibly();
            final String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            ServerProcess.deleteTree(dir);
            throw new IOException("the floor server did not start: " + text);
        }

        long cpuNanos()
        {
            return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
        }

        @Override
        public void close()
        {
            if (!closed.compareAndSet(false, true))
            {
                return;
            }
            if (process.isAlive())
            {
                process.destroy();
                try
                {
                    if (!process.waitFor(10, TimeUnit.SECONDS))
                    {
                        process.destroyForcibly();
                    }
                }
                catch (final InterruptedException ex)
                {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            ServerProcess.deleteTree(dir);
        }
    }
}
