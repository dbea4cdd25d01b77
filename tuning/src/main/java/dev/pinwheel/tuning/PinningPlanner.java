package dev.pinwheel.tuning;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a {@link CpuLayout} and a {@link PlanRequest} into a {@link PinningPlan}. The rules, in order:
 * <ol>
 * <li>Pinning off (dev, ci): nothing is pinned; automatic shard count = physical cores.</li>
 * <li>The OS keeps CPUs: every non-isolated CPU when {@code isolcpus=} is set, else the core of the lowest
 *     CPU (CPU 0 and its hyperthread sibling) when there are at least two cores. One core: nothing is
 *     pinned.</li>
 * <li>The remaining cores are dedicated, ordered round-robin over NUMA nodes (node 0's first core, node 1's
 *     first core, node 0's second...) so shards spread over memory controllers.</li>
 * <li>Shard k takes dedicated core k. With hyperthreads, media loop k takes the sibling of shard k's CPU;
 *     without, media loops take the cores left after the shards (automatic shard count leaves them
 *     room). The conductor takes a wholly free core if one is left.</li>
 * <li>At most one pinned thread per CPU, never on an OS CPU. Threads left without a CPU run unpinned,
 *     confined to the OS CPUs, and the plan says so in a warning.</li>
 * </ol>
 * Machine warnings (isolcpus, nohz_full, THP, governor) are given for every profile: they describe how far
 * the machine is from what the latency profile wants.
 */
public final class PinningPlanner
{
    private PinningPlanner()
    {
    }

    /**
     * @param layout  the machine's CPU layout.
     * @param request profile, shard and media loop counts.
     * @return the plan; never throws for any layout.
     */
    public static PinningPlan plan(final CpuLayout layout, final PlanRequest request)
    {
        final List<String> warnings = new ArrayList<>();
        final List<CpuSet> cores = usableCores(layout);
        final PinningPlan plan = request.profile().pin()
            ? pinned(layout, request, cores, warnings)
            : unpinned(layout, request, cores, warnings);
        machineWarnings(layout, plan, warnings);
        return new PinningPlan(layout, request, plan.threads(), plan.osCpus(), plan.floatingCpus(), warnings);
    }

    /**
     * @param profile the tuning profile.
     * @return the plan for this machine with automatic shards, no media loops and no conductor.
     */
    public static PinningPlan planForThisMachine(final TuningProfile profile)
    {
        return plan(CpuLayout.read(), PlanRequest.of(profile));
    }

    private static List<CpuSet> usableCores(final CpuLayout layout)
    {
        final CpuSet usable = layout.usable();
        final List<CpuSet> cores = new ArrayList<>();
        for (final CpuSet core : layout.cores())
        {
            final CpuSet usableCore = core.intersect(usable);
            if (!usableCore.isEmpty())
            {
                cores.add(usableCore);
            }
        }
        return cores;
    }

    private static PinningPlan unpinned(
        final CpuLayout layout, final PlanRequest request, final List<CpuSet> cores, final List<String> warnings)
    {
        final TuningProfile profile = request.profile();
        final int shards = request.shards() > 0 ? request.shards() : Math.max(1, cores.size());
        if (request.shards() > cores.size())
        {
            warnings.add(request.shards() + " shards requested on " + cores.size()
                + " cores: shards will share cores (thread-per-core wants at most one shard per core)");
        }
        final List<PlannedThread> threads = new ArrayList<>();
        addUnpinned(threads, ThreadRole.SHARD, 0, shards, profile);
        addUnpinned(threads, ThreadRole.MEDIA, 0, request.mediaLoops(), profile);
        if (request.conductor())
        {
            addUnpinned(threads, ThreadRole.CONDUCTOR, 0, 1, profile);
        }
        return new PinningPlan(layout, request, threads, layout.usable(), CpuSet.empty(), warnings);
    }

    private static PinningPlan pinned(
        final CpuLayout layout, final PlanRequest request, final List<CpuSet> cores, final List<String> warnings)
    {
        final TuningProfile profile = request.profile();
        final CpuSet usable = layout.usable();
        final CpuSet isolated = layout.isolated().intersect(usable);
        List<CpuSet> dedicated = new ArrayList<>();
        CpuSet os;
        if (!isolated.isEmpty() && !usable.minus(isolated).isEmpty())
        {
            for (final CpuSet core : cores)
            {
                final CpuSet isolatedPart = core.intersect(isolated);
                if (!isolatedPart.isEmpty())
                {
                    dedicated.add(isolatedPart);
                }
            }
            os = usable.minus(isolated);
        }
        else if (cores.size() >= 2)
        {
            final CpuSet osCore = cores.get(0);
            dedicated.addAll(cores.subList(1, cores.size()));
            os = osCore;
        }
        else
        {
            warnings.add("only one core: nothing can be pinned without starving the OS; every thread runs unpinned");
            os = usable;
        }
        dedicated = interleaveNumaNodes(layout, dedicated);

        final boolean hyperThreads = dedicated.stream().anyMatch(core -> core.size() > 1);
        // a busy-spinning conductor (the cluster link under the latency profile) is left a core of its own too
        final int spinningConductor = request.conductor()
            && profile.idleMode(ThreadRole.CONDUCTOR) == IdleMode.BUSY_SPIN ? 1 : 0;
        final int autoShards = (hyperThreads ? dedicated.size() : dedicated.size() - request.mediaLoops())
            - spinningConductor;
        final int shards = request.shards() > 0 ? request.shards() : Math.max(1, autoShards);
        final List<PlannedThread> threads = new ArrayList<>();

        final int pinnedShards = Math.min(shards, dedicated.size());
        for (int k = 0; k < pinnedShards; k++)
        {
            threads.add(new PlannedThread(
                ThreadRole.SHARD, k, dedicated.get(k).first(), profile.idleMode(ThreadRole.SHARD)));
        }
        addUnpinned(threads, ThreadRole.SHARD, pinnedShards, shards, profile);
        if (shards > pinnedShards && !dedicated.isEmpty())
        {
            warnings.add("fewer cores than shards: " + shards + " shards requested, only "
                + count(dedicated.size(), "core") + " can be dedicated; " + range("shard", pinnedShards, shards)
                + " unpinned on the OS CPUs " + os);
        }

        final Deque<CpuSet> freeCores = new ArrayDeque<>(dedicated.subList(pinnedShards, dedicated.size()));
        final Deque<Integer> freeSiblings = new ArrayDeque<>();
        int unpinnedMedia = 0;
        for (int m = 0; m < request.mediaLoops(); m++)
        {
            int cpu = PlannedThread.UNPINNED;
            if (m < pinnedShards && dedicated.get(m).size() > 1)
            {
                cpu = dedicated.get(m).get(1);
            }
            else if (!freeCores.isEmpty())
            {
                final CpuSet core = freeCores.removeFirst();
                cpu = core.first();
                core.stream().skip(1).forEach(freeSiblings::addLast);
            }
            else if (!freeSiblings.isEmpty())
            {
                cpu = freeSiblings.removeFirst();
            }
            unpinnedMedia += cpu == PlannedThread.UNPINNED ? 1 : 0;
            threads.add(new PlannedThread(ThreadRole.MEDIA, m, cpu, profile.idleMode(ThreadRole.MEDIA)));
        }
        if (unpinnedMedia > 0)
        {
            warnings.add(unpinnedMedia + " of " + count(request.mediaLoops(), "media loop") + " without a CPU of"
                + " its own: unpinned on the OS CPUs " + os);
        }

        if (request.conductor())
        {
            final int cpu = freeCores.isEmpty() ? PlannedThread.UNPINNED : freeCores.removeFirst().first();
            threads.add(new PlannedThread(ThreadRole.CONDUCTOR, 0, cpu, profile.idleMode(ThreadRole.CONDUCTOR)));
        }

        for (final PlannedThread thread : threads)
        {
            if (!thread.pinned() && thread.idleMode() == IdleMode.BUSY_SPIN)
            {
                warnings.add(thread.label() + " busy-spins without a CPU of its own: it will steal time from the OS"
                    + " CPUs " + os + "; use fewer threads or the throughput profile");
            }
        }
        return new PinningPlan(layout, request, threads, os, os, warnings);
    }

    private static List<CpuSet> interleaveNumaNodes(final CpuLayout layout, final List<CpuSet> cores)
    {
        final SortedMap<Integer, Deque<CpuSet>> byNode = new TreeMap<>();
        for (final CpuSet core : cores)
        {
            byNode.computeIfAbsent(layout.numaNodeOf(core.first()), node -> new ArrayDeque<>()).addLast(core);
        }
        final List<CpuSet> interleaved = new ArrayList<>(cores.size());
        while (interleaved.size() < cores.size())
        {
            for (final Map.Entry<Integer, Deque<CpuSet>> node : byNode.entrySet())
            {
                if (!node.getValue().isEmpty())
                {
                    interleaved.add(node.getValue().removeFirst());
                }
            }
        }
        return interleaved;
    }

    private static void addUnpinned(
        final List<PlannedThread> threads,
        final ThreadRole role,
        final int from,
        final int to,
        final TuningProfile profile)
    {
        for (int i = from; i < to; i++)
        {
            threads.add(new PlannedThread(role, i, PlannedThread.UNPINNED, profile.idleMode(role)));
        }
    }

    private static String range(final String noun, final int from, final int toExclusive)
    {
        return toExclusive - from == 1
            ? noun + " " + from + " runs"
            : noun + "s " + from + ".." + (toExclusive - 1) + " run";
    }

    private static String count(final int n, final String noun)
    {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static void machineWarnings(final CpuLayout layout, final PinningPlan plan, final List<String> warnings)
    {
        final CpuSet pinned = plan.pinnedCpus();
        if (layout.isolated().isEmpty())
        {
            warnings.add("no isolated CPUs (isolcpus= on the kernel command line): pinned threads share their cores"
                + " with kernel threads and other processes");
        }
        if (layout.nohzFull().isEmpty())
        {
            warnings.add("no nohz_full CPUs (nohz_full= on the kernel command line): the scheduler tick"
                + " interrupts every pinned thread up to 1000 times a second");
        }
        else if (!layout.nohzFull().containsAll(pinned))
        {
            warnings.add("pinned CPUs " + pinned.minus(layout.nohzFull()) + " are not in nohz_full ("
                + layout.nohzFull() + "): the scheduler tick interrupts them");
        }
        switch (layout.transparentHugePages())
        {
            case ALWAYS -> warnings.add("transparent huge pages are 'always': khugepaged and compaction stall every"
                + " process; set /sys/kernel/mm/transparent_hugepage/enabled to madvise (the JVM asks for them"
                + " with -XX:+UseTransparentHugePages)");
            case NEVER -> warnings.add("transparent huge pages are 'never': -XX:+UseTransparentHugePages has no"
                + " effect and the G1/Parallel heap uses 4 KiB pages (more TLB misses); madvise is wanted");
            default ->
            {
                // madvise is what we want; anything else is unknown or exotic
            }
        }
        final TransparentHugePages shmem = layout.transparentHugePagesShmem();
        if (shmem != TransparentHugePages.UNKNOWN && !shmem.grantsOnRequest())
        {
            warnings.add("shared-memory transparent huge pages are '" + shmem.name().toLowerCase(Locale.ROOT)
                + "': the ZGC heap (dev, latency) uses 4 KiB pages and pre-touching it is slow (the fanout"
                + " benchmark's delivery took about twice as long as with huge pages on the dev VM); set"
                + " /sys/kernel/mm/transparent_hugepage/shmem_enabled to advise");
        }
        layout.governors().forEach((governor, cpus) ->
        {
            if (!"performance".equals(governor))
            {
                warnings.add("cpufreq governor '" + governor + "' on CPUs " + cpus + ": the clock ramps up late after"
                    + " idle; set 'performance' for pinned cores");
            }
        });
        final CpuSet allowed = layout.allowed();
        if (allowed != null && !allowed.union(layout.isolated()).containsAll(layout.online()))
        {
            warnings.add("this process may only run on CPUs " + allowed + " (taskset or a cgroup cpuset): the plan uses"
                + " only those and the isolated CPUs");
        }
    }
}
