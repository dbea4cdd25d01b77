package dev.pinwheel.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;

/**
 * Connection capacity probe (c): N idle gateway sessions in one guild, identified and heartbeating at the
 * server's heartbeat interval, held for a while. Reports the server's resident memory (VmRSS of the child
 * JVM) and live heap (jcmd GC.run + GC.heap_info) before the sessions opened and while they are held, per
 * session; and that heartbeats kept every session open (sessions lost must be 0).
 * <pre>
 *   server up, guild set up ─▶ GC, RSS/heap "before" ─▶ open N sessions ─▶ hold H s (heartbeats; RSS sampled)
 *   ─▶ GC, RSS/heap "after" ─▶ (after - before) / N
 * </pre>
 * The server's heartbeat interval is set with {@code --heartbeat-ms} (default 5000, so a 20 s hold sees several
 * beats per session; the server closes a session silent for interval + its 20 s grace).
 */
public final class CapacityProbe
{
    private static final String USAGE = """
        usage: CapacityProbe [--sessions N=5000] [--users U=4] [--heartbeat-ms MS=5000] [--hold SECONDS=20]
                             [--in-flight K=256] [--client-threads T=1] [--shards S=2]
                             [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                             [--compress none|zlib-stream] [--histogram-top K=0] [--settle-ms MS=1000]
                             [--native-memory false|true] [--deadline SECONDS=240] [--out DIR=bench-results]
          --compress zlib-stream   sessions ask for Discord's transport compression; the client inflates each
                                   connection's stream with one Inflater and parses every payload
          --histogram-top K        also print the K classes whose live heap grew most per session over the
                                   second half (jcmd GC.class_histogram delta / sessions)
          --native-memory true     run the server with -XX:NativeMemoryTracking=summary and print where its native
                                   memory grew over the second half (jcmd VM.native_memory summary.diff): what
                                   the RSS figure is made of once the heap is pre-touched
          --settle-ms MS           wait after each half opened before measuring; longer than --heartbeat-ms lets
                                   every session heartbeat once, so the server has released its READY and
                                   GUILD_CREATE from the resume buffer (an idle session's steady state)""";

    private CapacityProbe()
    {
    }

    /**
     * @param argv see {@link #USAGE}.
     * @throws Exception on a setup failure.
     */
    public static void main(final String[] argv) throws Exception
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("sessions", "5000");
        d.put("users", "4");
        d.put("heartbeat-ms", "5000");
        d.put("hold", "20");
        d.put("in-flight", "256");
        d.put("client-threads", "1");
        d.put("shards", "2");
        d.put("server-profile", "dev");
        d.put("compress", "none");
        d.put("histogram-top", "0");
        d.put("native-memory", "false");
        d.put("settle-ms", "1000");
        d.put("deadline", "240");
        d.put("out", "bench-results");
        final ProbeSupport.Args a = new ProbeSupport.Args(USAGE, d, argv);
        System.exit(run(a));
    }

    private static int run(final ProbeSupport.Args a) throws Exception
    {
        final int sessions = a.positiveInt("sessions");
        final int hold = a.positiveInt("hold");
        final String compress = a.string("compress");
        if (!"none".equals(compress) && !"zlib-stream".equals(compress))
        {
            System.err.println("capacity-probe: --compress is none or zlib-stream, not " + compress);
            return 2;
        }
        final boolean zlib = "zlib-stream".equals(compress);
        final int histogramTop = Integer.parseInt(a.string("histogram-top"));
        final int settleMs = a.positiveInt("settle-ms");
        final boolean nativeMemory = Boolean.parseBoolean(a.string("native-memory"));
        if (nativeMemory)
        {
            a.serverFlags().add("-XX:NativeMemoryTracking=summary");
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("deadline"));
        System.out.printf(Locale.ROOT, "capacity-probe: %d idle sessions, heartbeat %d ms, hold %d s, %d shards, "
            + "server profile %s, compress %s%n", sessions, a.positiveInt("heartbeat-ms"), hold,
            a.positiveInt("shards"),
            a.string("server-profile"), compress);
        if (!ProbeSupport.checkDescriptors(sessions))
        {
            return 2;
        }
        final String loadAtStart = ProbeSupport.loadAverage();
        ProbeSupport.startWatchdog("capacity-probe", deadline);
        final Map<String, String> props = ProbeSupport.serverProperties();
        props.put("pinwheel.gateway.heartbeat-interval-ms", a.string("heartbeat-ms"));
        final ServerProcess server = ProbeSupport.startServer(a, props, deadline);
        final String stamp = ProbeSupport.stamp();
        GatewayLoadClient client = null;
        try
        {
            final RestClient rest = new RestClient(server.host(), server.port());
            final ProbeSupport.Guild g = ProbeSupport.setupGuilds(rest, "capacity-" + ProbeSupport.runId(), 1,
                a.positiveInt("users")).get(0);
            final long idleCpu0 = server.cpuNanos();
            final long idleT0 = System.nanoTime();
            Thread.sleep(2000);
            final double idleCpuFraction = (server.cpuNanos() - idleCpu0) / (double)(System.nanoTime() - idleT0);
            final long heapBefore = ProbeSupport.liveHeapKiB(server.pid());
            final long rssBefore = ProbeSupport.rssKiB(server.pid());
            System.out.printf(Locale.ROOT, "server before sessions: RSS %d KiB, live heap %d KiB, idle CPU %.2f "
                + "cores%n", rssBefore, heapBefore, idleCpuFraction);

            final DeliveryStats st = new DeliveryStats(0, TimeUnit.SECONDS.toNanos(1));
            client = new GatewayLoadClient(server.host(), server.port(), a.positiveInt("client-threads"), st)
                .zlibStream(zlib);
            final List<String> tokens = new ArrayList<>(sessions);
            for (int i = 0; i < sessions; i++)
            {
                tokens.add(g.members().get(i % g.members().size()).token());
            }
            final long connectStart = System.nanoTime();
            final long cpu0 = server.cpuNanos();
            // In two halves: the first also pays what any first sessions cost once (JIT-compiled code, class
            // metadata, Netty's pooled chunks, ring slots); the second half's growth is the marginal cost per session.
            final int half = sessions / 2;
            final long openDeadline = deadline - TimeUnit.SECONDS.toNanos(hold + 15);
            final int firstReady = client.open(tokens.subList(0, half), a.positiveInt("in-flight"), openDeadline);
            Thread.sleep(settleMs);
            final long heapHalf = ProbeSupport.liveHeapBytesByHistogram(server.pid());
            final long rssHalf = ProbeSupport.rssKiB(server.pid());
            final Map<String, long[]> classesHalf = histogramTop > 0 ? ProbeSupport.classHistogram(server.pid()) : null;
            final long anonHalf = ProbeSupport.statusKiB(server.pid(), "RssAnon");
            final long fileHalf = ProbeSupport.statusKiB(server.pid(), "RssFile");
            final Map<String, Long> mappingsHalf = ProbeSupport.residentMappings(server.pid());
            if (nativeMemory)
            {
                ProbeSupport.nativeMemory(server.pid(), "baseline");
            }
            final int ready = client.open(tokens.subList(half, sessions), a.positiveInt("in-flight"), openDeadline);
            Thread.sleep(settleMs);
            final long heapFull = ProbeSupport.liveHeapBytesByHistogram(server.pid());
            final long rssFull = ProbeSupport.rssKiB(server.pid());
            final int secondHalf = ready - firstReady;
            if (classesHalf != null)
            {
                System.out.printf(Locale.ROOT, "live heap growth per session by class, second %d sessions:%n",
                    secondHalf);
                ProbeSupport.histogramGrowth(classesHalf, ProbeSupport.classHistogram(server.pid()), secondHalf,
                    histogramTop).forEach(line -> System.out.println("  " + line));
            }
            System.out.printf(Locale.ROOT, "RSS growth over the second half: anonymous %d KiB, file-backed %d KiB%n",
                ProbeSupport.statusKiB(server.pid(), "RssAnon") - anonHalf,
                ProbeSupport.statusKiB(server.pid(), "RssFile") - fileHalf);
            ProbeSupport.mappingGrowth(mappingsHalf, ProbeSupport.residentMappings(server.pid()), 8)
                .forEach(line -> System.out.println("  " + line));
            if (nativeMemory)
            {
                System.out.printf(Locale.ROOT, "native memory growth over the second %d sessions (NMT, KB):%n%s%n",
                    secondHalf, ProbeSupport.nativeMemory(server.pid(), "summary.diff"));
            }
            final double rssMarginal = secondHalf <= 0 ? -1 : (double)(rssFull - rssHalf) / secondHalf;
            final double heapMarginal = secondHalf <= 0 || heapHalf < 0 || heapFull < 0 ? -1
                : (heapFull - heapHalf) / 1024.0 / secondHalf;
            System.out.printf(Locale.ROOT, "first %d sessions: RSS %d KiB, live heap %d KiB; all %d: RSS %d KiB, live heap "
                + "%d KiB (class histogram totals) -> marginal %.2f KiB RSS, %.2f KiB live heap per session%n",
                firstReady, rssHalf, heapHalf >> 10, ready, rssFull, heapFull >> 10, rssMarginal, heapMarginal);
            final long connectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);
            final double identifyCpu = (server.cpuNanos() - cpu0) / 1e9;
            final long rssReady = ProbeSupport.rssKiB(server.pid());
            System.out.printf(Locale.ROOT, "sessions ready: %d of %d in %d ms (%.0f/s), %d failed attempts; server CPU "
                + "%.2f s; RSS now %d KiB%n", ready, sessions, connectMs, ready * 1000.0 / Math.max(1, connectMs),
                client.failedAttempts(), identifyCpu, rssReady);

            final long beatsAtHold = client.heartbeatsSent();
            final long acksAtHold = client.heartbeatAcks();
            final long holdCpu0 = server.cpuNanos();
            long rssMax = rssReady;
            final long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(hold);
            for (int s = 1; System.nanoTime() - holdEnd < 0 && System.nanoTime() - deadline < 0; s++)
            {
                Thread.sleep(1000);
                rssMax = Math.max(rssMax, ProbeSupport.rssKiB(server.pid()));
                if (s % 5 == 0)
                {
                    System.out.printf(Locale.ROOT, "[holding] %d s: ready %d, lost %d, heartbeats %d, acks %d, RSS %d "
                        + "KiB%n", s, client.ready(), client.lost(), client.heartbeatsSent() - beatsAtHold,
                        client.heartbeatAcks() - acksAtHold, ProbeSupport.rssKiB(server.pid()));
                }
            }
            final double holdCpu = (server.cpuNanos() - holdCpu0) / 1e9;
            final long beats = client.heartbeatsSent() - beatsAtHold;
            final long acks = client.heartbeatAcks() - acksAtHold;
            final long rssHeld = ProbeSupport.rssKiB(server.pid());
            final long heapAfter = ProbeSupport.liveHeapKiB(server.pid());
            final long rssAfter = ProbeSupport.rssKiB(server.pid());
            final int held = client.ready();
            final double rssPer = held == 0 ? 0 : (double)(rssHeld - rssBefore) / held;
            final double heapPer = held == 0 || heapAfter < 0 || heapBefore < 0 ? -1
                : (double)(heapAfter - heapBefore) / held;

            System.out.println();
            System.out.printf(Locale.ROOT, "=== capacity: %d idle sessions held %d s (heartbeat %d ms) ===%n", held,
                hold, a.positiveInt("heartbeat-ms"));
            System.out.printf(Locale.ROOT, "server RSS: before %d KiB, held %d KiB (max %d), after full GC %d KiB -> "
                + "%.2f KiB per session%n", rssBefore, rssHeld, rssMax, rssAfter, rssPer);
            System.out.printf(Locale.ROOT, "server live heap (after full GC): before %d KiB, after %d KiB -> %.2f KiB "
                + "per session%n", heapBefore, heapAfter, heapPer);
            System.out.printf(Locale.ROOT, "marginal cost (second %d sessions, after the first %d): %.2f KiB RSS, %.2f KiB "
                + "live heap per session%n", secondHalf, firstReady, rssMarginal, heapMarginal);
            System.out.printf(Locale.ROOT, "heartbeats during hold: %d sent, %d acked; sessions lost %d; server CPU "
                + "during hold %.2f s (%.2f cores; %.2f cores idle before the sessions)%n", beats, acks, client.lost(),
                holdCpu, holdCpu / hold, idleCpuFraction);
            final Histogram identify = st.identify();
            ProbeSupport.printLatency("connect to GUILD_CREATE per session", identify);
            if (!client.reasons().isEmpty())
            {
                System.out.println("session failures/closes: " + client.reasons());
            }
            final long inflated = client.inflatedFrames();
            if (zlib)
            {
                System.out.printf(Locale.ROOT, "zlib-stream: %d payloads inflated and parsed (READY, GUILD_CREATE, "
                    + "HEARTBEAT_ACK...)%n", inflated);
            }

            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("config", a.asMap());
            r.put("environment", ProbeSupport.environment(server, loadAtStart));
            final Map<String, Object> c = new LinkedHashMap<>();
            c.put("sessions_ready", ready);
            c.put("sessions_held", held);
            c.put("connect_ms", connectMs);
            c.put("sessions_per_second", ready * 1000.0 / Math.max(1, connectMs));
            c.put("failed_attempts", client.failedAttempts());
            c.put("identify_ms", ProbeSupport.summary(identify));
            c.put("identify_server_cpu_seconds", identifyCpu);
            c.put("server_rss_before_kib", rssBefore);
            c.put("server_rss_ready_kib", rssReady);
            c.put("server_rss_held_kib", rssHeld);
            c.put("server_rss_max_kib", rssMax);
            c.put("server_rss_after_gc_kib", rssAfter);
            c.put("rss_kib_per_session", rssPer);
            c.put("server_live_heap_before_kib", heapBefore);
            c.put("server_live_heap_after_kib", heapAfter);
            c.put("live_heap_kib_per_session", heapPer);
            c.put("marginal_sessions", secondHalf);
            c.put("marginal_rss_kib_per_session", rssMarginal);
            c.put("marginal_live_heap_kib_per_session", heapMarginal);
            c.put("hold_seconds", hold);
            c.put("heartbeats_sent", beats);
            c.put("heartbeat_acks", acks);
            c.put("hold_server_cpu_seconds", holdCpu);
            c.put("server_idle_cpu_cores_before_sessions", idleCpuFraction);
            c.put("sessions_lost", client.lost());
            c.put("compress", compress);
            c.put("inflated_payloads", inflated);
            c.put("session_failure_reasons", client.reasons());
            r.put("capacity", c);
            final Map<String, Histogram> plot = new LinkedHashMap<>();
            plot.put("connect to GUILD_CREATE", identify);
            ProbeSupport.writeResults(Path.of(a.string("out")), "capacity", stamp, r, String.format(Locale.ROOT,
                "capacity-probe: %d sessions, %.2f KiB RSS/session", held, rssPer), plot, server);
            // a zlib-stream run counts only if the stream inflated: every session's READY and GUILD_CREATE at least
            final boolean streamOk = !zlib || inflated >= 2L * ready && acks > 0;
            if (!streamOk)
            {
                System.out.println("zlib-stream: fewer payloads inflated than READY + GUILD_CREATE per session, or no "
                    + "HEARTBEAT_ACK");
            }
            return client.lost() == 0 && held == sessions && streamOk ? 0 : 1;
        }
        finally
        {
            if (client != null)
            {
                client.close();
            }
            server.close();
        }
    }
}
