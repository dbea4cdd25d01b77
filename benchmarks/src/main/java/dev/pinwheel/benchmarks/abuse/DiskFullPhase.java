package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.ServerProcess;

/**
 * A full disk, for real: a second node whose data directory is a small tmpfs the probe mounts (root only), with a
 * normal client of its own. The filesystem is filled by another file until it says "No space left"; the node must
 * answer posts 507 with Discord's body, keep serving reads and its sessions, and accept posts again by itself once
 * the file is deleted; every message it acknowledged must be in its history. Its log stays outside the tmpfs.
 * <pre>
 *   mount tmpfs ─ start node ─ baseline ─ fill ─ [disk full: posts 507, reads 200] ─ delete ─ [writes resume]
 *   ─ read back ─ stop ─ umount
 * </pre>
 */
final class DiskFullPhase implements AutoCloseable
{
    private final AbuseRun run;
    private final ProbeSupport.Args args;
    private final String runId;
    private final double rate;
    private final long windowNanos;
    private final Map<String, Object> summary = new LinkedHashMap<>();
    private Path mount;
    private boolean mounted;
    private Node node;
    private ChatLoad chat;

    DiskFullPhase(final AbuseRun run, final ProbeSupport.Args args, final String runId, final double rate,
        final long windowNanos)
    {
        this.run = run;
        this.args = args;
        this.runId = runId;
        this.rate = rate;
        this.windowNanos = windowNanos;
    }

    /**
     * @return whether this process runs as root (uid 0), read from {@code /proc/self/status}.
     */
    static boolean isRoot()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith("Uid:"))
                {
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux
        }
        return false;
    }

    /**
     * @return the phase's lines (one saying why it was skipped, if it was).
     * @throws Exception if the node or its client cannot be set up.
     */
    List<PhaseResult> run() throws Exception
    {
        final List<PhaseResult> out = new ArrayList<>();
        if (!isRoot())
        {
            summary.put("skipped", "not root: mounting a tmpfs needs root");
            out.add(new PhaseResult("disk full (skipped)", null, Double.NaN, false, "SKIPPED: the probe does not run "
                + "as root, and filling a real filesystem needs a small one of its own (mount -t tmpfs); run as root "
                + "(or see DiskFullServerTest)", null, 0, 0, ProbeSupport.loadAverage(), PhaseResult.NO_CPU, Map.of()));
            return out;
        }
        final int sizeMb = args.positiveInt("tmpfs-mb");
        mount = Files.createTempDirectory("pinwheel-abuse-tmpfs");
        final Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + sizeMb + "m", "tmpfs",
            mount.toString()).redirectErrorStream(true).start();
        final String mountOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
        {
            summary.put("skipped", "mount failed: " + mountOut);
            out.add(new PhaseResult("disk full (skipped)", null, Double.NaN, false, "SKIPPED: mount -t tmpfs failed: "
                + mountOut.trim(), null, 0, 0, ProbeSupport.loadAverage(), PhaseResult.NO_CPU, Map.of()));
            return out;
        }
        mounted = true;
        node = new Node("diskfull", args.string("server-profile"), args.positiveInt("shards"), Map.of(),
            args.serverFlags(), mount.resolve("data"));
        final ServerProcess s = node.start(TimeUnit.SECONDS.toNanos(120));
        chat = new ChatLoad("abusedf-" + runId, rate, (int)Math.min(1 << 20, rate * 600));
        chat.setup(s.host(), s.port());
        if (chat.openSessions(s.host(), s.port(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30)) != ChatLoad.POSTERS)
        {
            throw new IOException("disk-full node: normal sessions did not open: " + chat.sessionReasons());
        }
        NodeMetrics.scrape(chat.rest(), chat.adminToken()); // starts the node's shard probes
        Thread.sleep(1000);
        chat.startPosting();
        chat.window("warm-up");
        Thread.sleep(2000);

        final ChatWindow base = chat.window("disk-full node: baseline");
        AbuseRun.CpuMeter cpu = new AbuseRun.CpuMeter(s);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(windowNanos) * 2 / 3);
        final double[] baseCores = cpu.cores();
        final PhaseResult.Recovery baseCheck = run.recover("disk-full node baseline", node, chat);
        final double baseP99 = base.correctedMs(99);
        out.add(new PhaseResult("disk-full node (tmpfs " + sizeMb + " MiB): baseline", base, baseP99, false,
            "unattacked, free " + (Files.getFileStore(mount).getUsableSpace() >> 20) + " MiB", baseCheck,
            chat.undelivered(base), 0, ProbeSupport.loadAverage(), baseCores, Map.of()));

        final int lost0 = chat.lost();
        final ChatWindow full = chat.window("disk full");
        cpu = new AbuseRun.CpuMeter(s);
        final long t0 = System.nanoTime();
        final Path filler = mount.resolve("filler");
        final long filled = fill(filler);
        final double fillMs = (System.nanoTime() - t0) / 1e6;
        final Map<Integer, Long> reads = new TreeMap<>();
        final long end = System.nanoTime() + windowNanos;
        while (System.nanoTime() - end < 0)
        {
            reads.merge(chat.readLatest(), 1L, Long::sum);
            Thread.sleep(250);
        }
        final int readyFull = chat.ready();
        final double[] fullCores = cpu.cores();
        final Map<String, Long> fails = full.failures();
        final String body = full.firstBodies().getOrDefault("507", "");
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("filler_bytes", filled);
        d.put("fill_ms", fillMs);
        d.put("reads", reads);
        d.put("sessions", readyFull);
        d.put("first_507_body", body);
        final String fullOutcome = String.format(Locale.ROOT, "filled %d MiB in %.1f s; posts: %d acknowledged "
            + "(inside the reserve), refused %s, body %s; reads %s; sessions %d/%d", filled >> 20, fillMs / 1000,
            full.acked(), fails, body, reads, readyFull, ChatLoad.POSTERS);

        final ChatWindow freed = chat.window("disk space freed");
        Files.delete(filler);
        final long freedAt = System.nanoTime();
        long resumedMs = -1;
        while (System.nanoTime() - freedAt < TimeUnit.SECONDS.toNanos(10))
        {
            if (freed.acked() > 0)
            {
                resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt);
                break;
            }
            Thread.sleep(10);
        }
        out.add(new PhaseResult("disk full (tmpfs filled)", full, baseP99, false, fullOutcome, null,
            chat.undelivered(full), chat.lost() - lost0, ProbeSupport.loadAverage(), fullCores, d));
        ProbeSupport.parkUntil(freedAt + windowNanos / 2);
        final PhaseResult.Recovery r = run.recover("disk space freed", node, chat);
        chat.stopPosting();
        chat.window("read-back");
        Thread.sleep(1000);
        final AbuseRun.Verification v = AbuseRun.verify(chat, -1);
        summary.put("verification", v.toMap());
        summary.put("acknowledged_lost", v.missing() + v.altered());
        summary.put("writes_resumed_ms", resumedMs);
        final Map<String, Object> d2 = new LinkedHashMap<>();
        d2.put("writes_resumed_ms_after_delete", resumedMs);
        d2.put("verification", v.toMap());
        out.add(new PhaseResult("disk space freed", freed, baseP99, false, String.format(Locale.ROOT,
            "first post acknowledged %d ms after the file was deleted; read back %d acknowledged on this node: %d "
            + "missing, %d altered", resumedMs, v.acked(), v.missing(), v.altered()), r, chat.undelivered(freed),
            chat.lost() - lost0, ProbeSupport.loadAverage(), PhaseResult.NO_CPU, d2));
        final Path results = Files.createDirectories(Path.of(args.string("out")));
        for (final Path log : node.logs())
        {
            Files.copy(log, results.resolve("abuse-" + runId + "-" + log.getFileName()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        close();
        return out;
    }

    private static long fill(final Path filler) throws IOException
    {
        final byte[] chunk = new byte[1 << 20];
        long written = 0;
        try (OutputStream o = Files.newOutputStream(filler))
        {
            while (true)
            {
                o.write(chunk);
                written += chunk.length;
            }
        }
        catch (final IOException full)
        {
            if (!String.valueOf(full.getMessage()).contains("No space left"))
            {
                throw full;
            }
        }
        return written;
    }

    /**
     * @return the phase's numbers for the summary.
     */
    Map<String, Object> summary()
    {
        return summary;
    }

    /**
     * Stops the node, unmounts the tmpfs and deletes what was made. Idempotent.
     */
    @Override
    public void close()
    {
        if (chat != null)
        {
            chat.close();
            chat = null;
        }
        if (node != null)
        {
            node.close();
            node = null;
        }
        if (mounted)
        {
            try
            {
                final Process p = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
                final String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
                {
                    System.err.println("umount " + mount + " failed: " + o + "; trying umount -l");
                    new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
                }
                mounted = false;
                Files.deleteIfExists(mount);
            }
            catch (final IOException ex)
            {
                System.err.println("cleanup of " + mount + ": " + ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
