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
 * Reconnect storm probe (d): K sessions connect and get HELLO with their IDENTIFY held back; then every
 * IDENTIFY is written at once (as after a server restart, when every client comes back together). Reports the
 * time from releasing the identifies to the last session's GUILD_CREATE, each session's IDENTIFY-to-READY and
 * IDENTIFY-to-GUILD_CREATE latency, and sessions that never became ready. Nothing is retried.
 */
public final class StormProbe
{
    private static final String USAGE = """
        usage: StormProbe [--sessions K=2000] [--users U=4] [--in-flight N=512] [--client-threads T=1] [--shards S=2]
                          [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                          [--storm-timeout SECONDS=60] [--deadline SECONDS=240] [--out DIR=bench-results]""";

    private StormProbe()
    {
    }

    /**
     * @param argv see {@link #USAGE}.
     * @throws Exception on a setup failure.
     */
    public static void main(final String[] argv) throws Exception
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("sessions", "2000");
        d.put("users", "4");
        d.put("in-flight", "512");
        d.put("client-threads", "1");
        d.put("shards", "2");
        d.put("server-profile", "dev");
        d.put("storm-timeout", "60");
        d.put("deadline", "240");
        d.put("out", "bench-results");
        System.exit(run(new ProbeSupport.Args(USAGE, d, argv)));
    }

    private static int run(final ProbeSupport.Args a) throws Exception
    {
        final int sessions = a.positiveInt("sessions");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("deadline"));
        System.out.printf(Locale.ROOT, "storm-probe: %d sessions identify at once, %d shards, server profile %s%n",
            sessions, a.positiveInt("shards"), a.string("server-profile"));
        if (!ProbeSupport.checkDescriptors(sessions))
        {
            return 2;
        }
        final String loadAtStart = ProbeSupport.loadAverage();
        ProbeSupport.startWatchdog("storm-probe", deadline);
        final ServerProcess server = ProbeSupport.startServer(a, ProbeSupport.serverProperties(), deadline);
        final String stamp = ProbeSupport.stamp();
        GatewayLoadClient client = null;
        try
        {
            final RestClient rest = new RestClient(server.host(), server.port());
            final ProbeSupport.Guild g = ProbeSupport.setupGuilds(rest, "storm-" + ProbeSupport.runId(), 1,
                a.positiveInt("users")).get(0);
            final DeliveryStats st = new DeliveryStats(0, TimeUnit.SECONDS.toNanos(1));
            client = new GatewayLoadClient(server.host(), server.port(), a.positiveInt("client-threads"), st);
            final List<String> tokens = new ArrayList<>(sessions);
            for (int i = 0; i < sessions; i++)
            {
                tokens.add(g.members().get(i % g.members().size()).token());
            }
            final long connectStart = System.nanoTime();
            final long stormBudget = TimeUnit.SECONDS.toNanos(a.positiveInt("storm-timeout"));
            final int held = client.openHeld(tokens, a.positiveInt("in-flight"), deadline - stormBudget);
            final long connectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);
            System.out.printf(Locale.ROOT, "connected and at HELLO: %d of %d in %d ms (%d failed)%n", held, sessions,
                connectMs, client.failedAttempts());
            Thread.sleep(500);
            final long cpu0 = server.cpuNanos();
            final long cpuClient0 = ProbeSupport.clientCpuNanos();
            final long stormStart = System.nanoTime();
            client.identifyHeld();
            final long released = System.nanoTime();
            final int ready = client.awaitReady(held, Math.min(deadline, stormStart + stormBudget));
            final long end = client.lastReadyNanos();
            final double allReadyMs = end == 0 ? -1 : (end - stormStart) / 1e6;
            final double serverCpu = (server.cpuNanos() - cpu0) / 1e9;
            final double clientCpu = (ProbeSupport.clientCpuNanos() - cpuClient0) / 1e9;
            final Histogram toReady = st.identifyToReady();
            final Histogram toGuild = st.identifyToGuild();
            final int failed = held - ready;

            System.out.println();
            System.out.printf(Locale.ROOT, "=== storm: %d sessions IDENTIFY at once ===%n", held);
            System.out.printf(Locale.ROOT, "all identifies handed to the event loop in %.1f ms; %d of %d ready "
                + "(GUILD_CREATE) %.1f ms after the release (%.0f sessions/s); %d failed%n",
                (released - stormStart) / 1e6, ready, held, allReadyMs, ready * 1000.0 / Math.max(1e-3, allReadyMs),
                failed);
            ProbeSupport.printLatency("IDENTIFY to READY per session", toReady);
            ProbeSupport.printLatency("IDENTIFY to GUILD_CREATE per session", toGuild);
            System.out.printf(Locale.ROOT, "CPU during the storm: server %.2f s, client %.2f s%n", serverCpu, clientCpu);
            if (!client.reasons().isEmpty())
            {
                System.out.println("session failures/closes: " + client.reasons());
            }

            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("config", a.asMap());
            r.put("environment", ProbeSupport.environment(server, loadAtStart));
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("sessions_at_hello", held);
            s.put("connect_ms", connectMs);
            s.put("sessions_ready", ready);
            s.put("sessions_failed", failed);
            s.put("failed_attempts", client.failedAttempts());
            s.put("release_ms", (released - stormStart) / 1e6);
            s.put("all_ready_ms", allReadyMs);
            s.put("sessions_per_second", ready * 1000.0 / Math.max(1e-3, allReadyMs));
            s.put("identify_to_ready_ms", ProbeSupport.summary(toReady));
            s.put("identify_to_guild_create_ms", ProbeSupport.summary(toGuild));
            s.put("server_cpu_seconds", serverCpu);
            s.put("client_cpu_seconds", clientCpu);
            s.put("session_failure_reasons", client.reasons());
            r.put("storm", s);
            final Map<String, Histogram> plot = new LinkedHashMap<>();
            plot.put("IDENTIFY to READY", toReady);
            plot.put("IDENTIFY to GUILD_CREATE", toGuild);
            ProbeSupport.writeResults(Path.of(a.string("out")), "storm", stamp, r, String.format(Locale.ROOT,
                "storm-probe: %d sessions identify at once, all ready in %.0f ms", held, allReadyMs), plot, server);
            return failed == 0 && held == sessions ? 0 : 1;
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
