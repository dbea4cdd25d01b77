package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.PercentilePlot;

/**
 * The abuse probe's output: one line per phase as it ends, the whole table and the goals at the end, and the JSON
 * and SVG in the results directory.
 * <pre>
 *   phase | window s | p50 ms | p99 ms | p99/base | REST err | lost sessions | recovered | outcome
 * </pre>
 * Latencies are the normal client's POST-to-MESSAGE_CREATE per delivery, corrected for coordinated omission.
 */
final class AbuseReport
{
    private static final String ROW = "%-50s %6s %7s %8s %8s %7s %6s %5s %9s %5s %-9s %s%n";

    private AbuseReport()
    {
    }

    /**
     * @param p a phase that just ended.
     */
    static void progress(final PhaseResult p)
    {
        System.out.print("[phase] ");
        row(p);
    }

    private static void header()
    {
        System.out.printf(Locale.ROOT, ROW, "phase", "win s", "p50 ms", "p99 ms", "p99/base", "p99/ctl", "errors",
            "lost", "cpu n/p", "load", "recovered", "outcome");
    }

    private static void row(final PhaseResult p)
    {
        final ChatWindow w = p.window();
        final String recovered = p.recovery() == null ? "-" : p.recovery().recovered() ? "yes"
            : p.recovery().zombie() ? "ZOMBIE" : "NO";
        final double ratio = p.ratio();
        System.out.printf(Locale.ROOT, ROW, p.name(), w == null ? "-" : fmt(w.seconds(), 1),
            w == null ? "-" : fmt(w.correctedMs(50), 2), w == null ? "-" : fmt(w.correctedMs(99), 2),
            Double.isNaN(ratio) ? "-" : fmt(ratio, 2) + (p.ratioGoal() ? (ratio <= 2 ? " " : "!") : "*"),
            Double.isNaN(p.ratioToControl()) ? "-" : fmt(p.ratioToControl(), 2)
                + (p.ratioToControl() <= 2 ? " " : "!"),
            w == null ? "-" : Long.toString(w.errors()), Integer.toString(p.sessionsLost()),
            Double.isNaN(p.cpu()[0]) ? "-" : fmt(p.cpu()[0], 2) + "/" + fmt(p.cpu()[1], 2),
            p.loadAverage().split(" ")[0], recovered,
            p.outcome() + (w != null && w.errors() > 0 ? " | normal client's errors " + w.failures() : "")
                + (p.undelivered() > 0 ? " | acknowledged but not delivered to every session: " + p.undelivered()
                : "") + (p.recovery() != null && !p.recovery().recovered() ? " | check: " + p.recovery() : ""));
    }

    private static String fmt(final double v, final int decimals)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /**
     * Prints the table and the goals.
     *
     * @param results     every phase.
     * @param summary     the run's totals.
     * @param baselineP99 the unattacked p99.
     * @return whether every goal was met.
     */
    static boolean print(final List<PhaseResult> results, final Map<String, Object> summary,
        final double baselineP99)
    {
        System.out.println();
        System.out.printf(Locale.ROOT, "=== abuse-probe: the normal client (POST -> MESSAGE_CREATE, p50/p99 corrected "
            + "for coordinated omission) per phase; load average %s at start, %s at end ===%n",
            summary.get("load_average_start"), summary.get("load_average_end"));
        header();
        for (final PhaseResult p : results)
        {
            row(p);
        }
        System.out.println("p99/base: ratio to the unattacked baseline p99 (" + fmt(baselineP99, 2) + " ms); "
            + "'!' misses the goal (<= 2x), '*' the goal does not apply (control, node broken or stopped on purpose); "
            + "p99/ctl: ratio to the unattacked window just before the attack (same length), the box's noise at that "
            + "moment; "
            + "errors: the normal client's POSTs not answered 200; lost: normal sessions the node closed; cpu n/p: "
            + "cores used by the node / by the probe (normal client + attackers) during the attack; load: 1-min load "
            + "average at the phase's end");
        final Map<String, Object> g = goals(results, summary);
        System.out.println();
        System.out.printf(Locale.ROOT, "goal: normal client's p99 within 2x of the unattacked run: %s%n",
            g.get("p99_within_2x"));
        System.out.printf(Locale.ROOT, "      the box's own noise: p99 of the unattacked windows of this run %s ms%n",
            g.get("unattacked_p99_ms"));
        System.out.printf(Locale.ROOT, "goal: 0 acknowledged messages lost: %s lost%s%n",
            summary.get("acknowledged_lost"),
            ((Number)summary.getOrDefault("destroyed_on_purpose_and_reported", 0)).intValue() > 0
                ? " (plus the 1 message whose journal bytes the probe destroyed, reported by the node)" : "");
        System.out.printf(Locale.ROOT, "goal: 0 zombie states: %s (recovery checks not passed: %s)%n",
            summary.get("zombie_states"), g.get("not_recovered"));
        return Boolean.TRUE.equals(g.get("all_met"));
    }

    /**
     * @param results every phase.
     * @param summary the run's totals.
     * @return each goal and whether it was met.
     */
    static Map<String, Object> goals(final List<PhaseResult> results, final Map<String, Object> summary)
    {
        final Map<String, Object> g = new LinkedHashMap<>();
        final Map<String, List<PhaseResult>> byAttack = new LinkedHashMap<>();
        for (final PhaseResult p : results)
        {
            if (p.ratioGoal() && p.window() != null)
            {
                byAttack.computeIfAbsent(p.name().replaceFirst(" #\\d+$", ""), k -> new java.util.ArrayList<>())
                    .add(p);
            }
        }
        final Map<String, String> ratios = new LinkedHashMap<>();
        boolean latency = true;
        for (final Map.Entry<String, List<PhaseResult>> e : byAttack.entrySet())
        {
            final double base = median(e.getValue().stream().mapToDouble(PhaseResult::ratio).toArray());
            final double ctl = median(e.getValue().stream().mapToDouble(PhaseResult::ratioToControl).toArray());
            final boolean met = base <= 2.0;
            latency &= met;
            ratios.put(e.getKey(), fmt(base, 2) + (met ? " met" : " NOT met") + (Double.isNaN(ctl) ? ""
                : " (" + fmt(ctl, 2) + "x the control before it)") + (e.getValue().size() > 1
                ? ", median of " + e.getValue().size() + " rounds" : ""));
        }
        g.put("p99_within_2x", ratios);
        final Map<String, String> unattacked = new LinkedHashMap<>();
        for (final PhaseResult p : results)
        {
            if (p.window() != null && (p.name().startsWith("baseline") || p.name().startsWith("after the restart")
                || p.name().startsWith("control")))
            {
                unattacked.put(p.name(), fmt(p.window().correctedMs(99), 2));
            }
            if (p.control() != null)
            {
                unattacked.put("before " + p.name(), fmt(p.control().correctedMs(99), 2));
            }
        }
        g.put("unattacked_p99_ms", unattacked);
        g.put("p99_goal_met", latency);
        final long lost = ((Number)summary.getOrDefault("acknowledged_lost", -1)).longValue();
        final long zombies = ((Number)summary.getOrDefault("zombie_states", -1)).longValue();
        final List<String> notRecovered = results.stream().filter(p -> p.recovery() != null
            && !p.recovery().recovered()).map(PhaseResult::name).toList();
        g.put("acknowledged_lost", lost);
        g.put("zombie_states", zombies);
        g.put("not_recovered", notRecovered);
        g.put("all_met", latency && lost == 0 && zombies == 0 && notRecovered.isEmpty());
        return g;
    }

    private static double median(final double[] v)
    {
        final double[] s = java.util.Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2]
            : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Writes {@code abuse-STAMP.json} and {@code abuse-STAMP.svg} (one corrected latency line per attacked window).
     *
     * @param out     results directory.
     * @param stamp   timestamp.
     * @param doc     the JSON document.
     * @param results every phase.
     * @throws IOException on a write failure.
     */
    static void write(final Path out, final String stamp, final Map<String, Object> doc,
        final List<PhaseResult> results) throws IOException
    {
        final Path json = out.resolve("abuse-" + stamp + ".json");
        Files.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(doc) + "\n", StandardCharsets.UTF_8);
        System.out.println("results: " + json.toAbsolutePath());
        final Map<String, Histogram> plot = new LinkedHashMap<>();
        for (final PhaseResult p : results)
        {
            if (p.window() != null && (p.ratioGoal() || p.name().startsWith("baseline (no")
                || p.name().startsWith("control")))
            {
                plot.put(p.name(), p.window().corrected());
            }
        }
        final Path svg = out.resolve("abuse-" + stamp + ".svg");
        if (PercentilePlot.write(svg, "abuse-probe: normal client's POST -> MESSAGE_CREATE latency per phase "
            + "(corrected)", plot))
        {
            System.out.println("plot: " + svg.toAbsolutePath());
        }
    }
}
