package dev.pinwheel.tuning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Prints a {@link PinningPlan} as a table: a header about the machine, one row per CPU (grouped by NUMA
 * node and core, so hyperthread siblings sit together), the unpinned threads and the warnings.
 */
final class PlanTable
{
    private static final String ROW_FORMAT = "%5s %5s %4s %5s %5s %5s  %-14s %s";

    private PlanTable()
    {
    }

    static String render(final PinningPlan plan)
    {
        final CpuLayout layout = plan.layout();
        final StringBuilder out = new StringBuilder(4096);
        out.append("Pinwheel pinning plan, profile ").append(plan.profile()).append('\n');
        out.append("machine:   ").append(layout).append('\n');
        out.append("kernel:    isolated ").append(orNone(layout.isolated()))
            .append(" | nohz_full ").append(orNone(layout.nohzFull()))
            .append(" | THP ").append(lower(layout.transparentHugePages()))
            .append(" (shmem ").append(lower(layout.transparentHugePagesShmem())).append(')')
            .append(" | governor ").append(governors(layout)).append('\n');
        out.append("threads:   ").append(summary(plan)).append('\n');
        if (plan.profile().pin())
        {
            out.append("OS keeps:  CPUs ").append(orNone(plan.osCpus()))
                .append(" (interrupts, GC and JIT threads, control plane, unpinned threads)").append('\n');
        }
        out.append('\n');
        row(out, "CPU", "NODE", "PKG", "CORE", "ISOL", "NOHZ", "RUNS", "IDLE");
        for (final LogicalCpu cpu : rowOrder(layout))
        {
            row(out,
                cpu.id(),
                known(cpu.numaNode()),
                known(cpu.packageId()),
                cpu.coreId(),
                layout.isolated().contains(cpu.id()) ? "yes" : "-",
                layout.nohzFull().contains(cpu.id()) ? "yes" : "-",
                runs(plan, cpu.id()),
                idle(plan, cpu.id()));
        }
        final List<PlannedThread> unpinned = plan.threads().stream().filter(thread -> !thread.pinned()).toList();
        if (!unpinned.isEmpty())
        {
            out.append('\n').append("unpinned:  ")
                .append(unpinned.stream()
                    .map(thread -> thread.label() + " (" + thread.idleMode() + ")")
                    .collect(Collectors.joining(", ")))
                .append(plan.floatingCpus().isEmpty()
                    ? " - the OS schedules them on any CPU"
                    : " - confined to CPUs " + plan.floatingCpus())
                .append('\n');
        }
        out.append('\n');
        if (plan.warnings().isEmpty())
        {
            out.append("warnings:  none").append('\n');
        }
        else
        {
            out.append("warnings:").append(plan.profile().pin() ? "" : " (pinning is off: the machine warnings"
                + " matter for the latency and throughput profiles)").append('\n');
            for (final String warning : plan.warnings())
            {
                out.append("  - ").append(warning).append('\n');
            }
        }
        return out.toString();
    }

    private static void row(final StringBuilder out, final Object... columns)
    {
        out.append(String.format(Locale.ROOT, ROW_FORMAT, columns).stripTrailing()).append('\n');
    }

    private static List<LogicalCpu> rowOrder(final CpuLayout layout)
    {
        final List<LogicalCpu> rows = new ArrayList<>(layout.cpus());
        rows.sort(Comparator
            .comparingInt((LogicalCpu cpu) -> cpu.numaNode())
            .thenComparingInt(cpu -> layout.coreOf(cpu.id()).first())
            .thenComparingInt(LogicalCpu::id));
        return rows;
    }

    private static String summary(final PinningPlan plan)
    {
        final long pinned = plan.threads().stream().filter(PlannedThread::pinned).count();
        final int conductors = plan.threads(ThreadRole.CONDUCTOR).size();
        return plan.shardCount() + (plan.shardCount() == 1 ? " shard, " : " shards, ")
            + plan.mediaLoopCount() + (plan.mediaLoopCount() == 1 ? " media loop, " : " media loops, ")
            + (conductors == 0 ? "no conductor" : "1 conductor") + "; "
            + pinned + " pinned, " + (plan.threads().size() - pinned) + " unpinned"
            + (plan.request().shards() == 0 ? " (shard count automatic)" : "");
    }

    private static String runs(final PinningPlan plan, final int cpu)
    {
        for (final PlannedThread thread : plan.threads())
        {
            if (thread.cpu() == cpu)
            {
                return thread.label();
            }
        }
        if (!plan.profile().pin())
        {
            return "shared";
        }
        if (plan.osCpus().contains(cpu))
        {
            return "OS";
        }
        return plan.layout().usable().contains(cpu) ? "spare" : "not allowed";
    }

    private static String idle(final PinningPlan plan, final int cpu)
    {
        for (final PlannedThread thread : plan.threads())
        {
            if (thread.cpu() == cpu)
            {
                return thread.idleMode().name();
            }
        }
        return "";
    }

    private static String governors(final CpuLayout layout)
    {
        if (layout.governors().isEmpty())
        {
            return "unknown (no cpufreq)";
        }
        return layout.governors().entrySet().stream()
            .map(entry -> entry.getKey() + " " + entry.getValue())
            .collect(Collectors.joining(", "));
    }

    private static String orNone(final CpuSet cpus)
    {
        return cpus.isEmpty() ? "none" : cpus.toString();
    }

    private static String known(final int value)
    {
        return value < 0 ? "-" : Integer.toString(value);
    }

    private static String lower(final Enum<?> value)
    {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
