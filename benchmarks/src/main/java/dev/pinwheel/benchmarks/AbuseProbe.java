package dev.pinwheel.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.pinwheel.benchmarks.abuse.AbuseRun;
import dev.pinwheel.benchmarks.probe.ProbeSupport;

/**
 * Abuse probe (issue 10, "Measure"): the attacks of the reliability report against a live node at its real limits
 * while a normal client chats, and for each what the normal client saw (p50/p99 of POST to MESSAGE_CREATE, its
 * errors) and whether the node recovered; at the end, acknowledged messages lost and zombie states. Goals: p99 within
 * 2× of the unattacked run, 0 lost, 0 zombies. Not a test: {@code benchmarks/run.sh abuse-probe}. See
 * {@link AbuseRun} for the phases.
 */
public final class AbuseProbe
{
    private static final String USAGE = """
        usage: AbuseProbe [--rate MSG_PER_S=20] [--warmup SECONDS=10] [--baseline SECONDS=15] [--window SECONDS=10]
                          [--recovery SECONDS=3] [--paired true|false] [--rounds N=1]
                          [--phases all|edge,cap,login,ws,identify,two-nodes,crash,disk-full,shard-death]
                          [--login-addresses N=32] [--tmpfs-mb MB=512] [--shards S=2]
                          [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                          [--deadline SECONDS=600] [--out DIR=bench-results]
        The node runs with its default limits (PBKDF2 cost, per-address cap, login limits, session start limits).
        Attackers use their own loopback addresses (127.0.0.2-6, 127.0.1.x); the normal client keeps 127.0.0.1.
        disk-full mounts a tmpfs and runs only as root. --paired puts an unattacked window of the same length before
        each attack (the box's noise at that moment); --rounds repeats the attacks on the live node (edge .. second
        node) and judges the latency goal on the median over the rounds.""";

    private AbuseProbe()
    {
    }

    /**
     * @param argv see {@link #USAGE}.
     * @throws Exception on a setup failure.
     */
    public static void main(final String[] argv) throws Exception
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("rate", "20");
        d.put("warmup", "10");
        d.put("baseline", "15");
        d.put("window", "10");
        d.put("recovery", "3");
        d.put("phases", "all");
        d.put("paired", "true");
        d.put("rounds", "1");
        d.put("login-addresses", "32");
        d.put("tmpfs-mb", "512");
        d.put("shards", "2");
        d.put("server-profile", "dev");
        d.put("deadline", "600");
        d.put("out", "bench-results");
        final ProbeSupport.Args a = new ProbeSupport.Args(USAGE, d, argv);
        if (a.number("rate") <= 0 || a.number("rate") > 32)
        {
            a.fail("--rate must be in (0, 32]: each of the 4 accounts stays under the node's 50 messages per 5 s", 2);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("deadline"));
        ProbeSupport.startWatchdog("abuse-probe", deadline);
        final AbuseRun run = new AbuseRun(a, deadline);
        Runtime.getRuntime().addShutdownHook(new Thread(run::close, "abuse-probe-cleanup"));
        int status;
        try
        {
            status = run.run();
        }
        finally
        {
            run.close();
        }
        System.exit(status);
    }
}
