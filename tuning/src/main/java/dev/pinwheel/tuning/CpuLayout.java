package dev.pinwheel.tuning;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The CPU layout of a machine, as the Linux kernel exposes it in sysfs and procfs: which logical CPUs
 * are online, how they group into cores, packages and NUMA nodes, which are isolated from the scheduler
 * ({@code isolcpus=}) or run tickless ({@code nohz_full=}), the transparent huge page modes and the
 * cpufreq governors. Immutable.
 * <pre>
 *   package 0 ─┬─ NUMA node 0 ─┬─ core 0: CPU 0, CPU 8   (hyperthread siblings)
 *              │               ├─ core 1: CPU 1, CPU 9
 *              │               └─ ...
 *   package 1 ─┴─ NUMA node 1 ─── ...
 * </pre>
 * Read with {@link #read()} for this machine or {@link #read(Path)} for a recorded tree (tests, or a copy
 * of a production box's {@code /sys}). Reading never throws: whatever is missing is reported as unknown
 * (see {@link LogicalCpu}) and the plan degrades to what is known.
 */
public final class CpuLayout
{
    private final Path root;
    private final List<LogicalCpu> cpus;
    private final CpuSet online;
    private final List<CpuSet> cores;
    private final SortedMap<Integer, CpuSet> numaNodes;
    private final CpuSet isolated;
    private final CpuSet nohzFull;
    private final CpuSet allowed;
    private final TransparentHugePages transparentHugePages;
    private final TransparentHugePages transparentHugePagesShmem;

    CpuLayout(
        final Path root,
        final List<LogicalCpu> cpus,
        final SortedMap<Integer, CpuSet> numaNodes,
        final CpuSet isolated,
        final CpuSet nohzFull,
        final CpuSet allowed,
        final TransparentHugePages transparentHugePages,
        final TransparentHugePages transparentHugePagesShmem)
    {
        this.root = root;
        this.cpus = List.copyOf(cpus);
        this.online = CpuSet.of(cpus.stream().mapToInt(LogicalCpu::id).toArray());
        this.cores = groupCores(this.cpus, online);
        this.numaNodes = Collections.unmodifiableSortedMap(new TreeMap<>(numaNodes));
        this.isolated = isolated;
        this.nohzFull = nohzFull;
        this.allowed = allowed;
        this.transparentHugePages = transparentHugePages;
        this.transparentHugePagesShmem = transparentHugePagesShmem;
    }

    /**
     * Reads this machine's layout from {@code /sys} and {@code /proc}.
     *
     * @return the layout; never throws.
     */
    public static CpuLayout read()
    {
        return read(Path.of("/"));
    }

    /**
     * Reads a layout from a directory that holds {@code sys/devices/system/cpu/...} (and optionally
     * {@code sys/devices/system/node}, {@code sys/kernel/mm/transparent_hugepage}, {@code proc/self/status}).
     *
     * @param root the file system root to read under, {@code /} for this machine.
     * @return the layout; never throws: missing or unreadable files become unknown values.
     */
    public static CpuLayout read(final Path root)
    {
        return new SysfsLayoutReader(root).read();
    }

    private static List<CpuSet> groupCores(final List<LogicalCpu> cpus, final CpuSet online)
    {
        final List<CpuSet> cores = new ArrayList<>();
        CpuSet assigned = CpuSet.empty();
        for (final LogicalCpu cpu : cpus)
        {
            if (!assigned.contains(cpu.id()))
            {
                final CpuSet core = cpu.siblings().intersect(online).minus(assigned).union(CpuSet.of(cpu.id()));
                cores.add(core);
                assigned = assigned.union(core);
            }
        }
        return List.copyOf(cores);
    }

    /**
     * @return the directory this layout was read from.
     */
    public Path root()
    {
        return root;
    }

    /**
     * @return the online logical CPUs, by ascending id.
     */
    public List<LogicalCpu> cpus()
    {
        return cpus;
    }

    /**
     * @param id a CPU id.
     * @return that CPU, or {@code null} if it is not online.
     */
    public LogicalCpu cpu(final int id)
    {
        for (final LogicalCpu cpu : cpus)
        {
            if (cpu.id() == id)
            {
                return cpu;
            }
        }
        return null;
    }

    /**
     * @return the online CPUs.
     */
    public CpuSet online()
    {
        return online;
    }

    /**
     * @return the physical cores, each as the set of its online hardware threads, ordered by lowest CPU id.
     */
    public List<CpuSet> cores()
    {
        return cores;
    }

    /**
     * @param cpu an online CPU id.
     * @return the online hardware threads of its core (itself included), or just itself if unknown.
     */
    public CpuSet coreOf(final int cpu)
    {
        for (final CpuSet core : cores)
        {
            if (core.contains(cpu))
            {
                return core;
            }
        }
        return CpuSet.of(cpu);
    }

    /**
     * @return number of distinct packages (sockets), at least 1.
     */
    public int packageCount()
    {
        return (int)Math.max(1, cpus.stream().mapToInt(LogicalCpu::packageId).filter(p -> p >= 0).distinct().count());
    }

    /**
     * @return true if at least one core runs more than one online hardware thread.
     */
    public boolean hyperThreading()
    {
        return cores.stream().anyMatch(core -> core.size() > 1);
    }

    /**
     * @return NUMA node id to its online CPUs; empty if the kernel exposes no NUMA nodes.
     */
    public SortedMap<Integer, CpuSet> numaNodes()
    {
        return numaNodes;
    }

    /**
     * @param cpu a CPU id.
     * @return its NUMA node, or {@link LogicalCpu#UNKNOWN}.
     */
    public int numaNodeOf(final int cpu)
    {
        for (final Map.Entry<Integer, CpuSet> node : numaNodes.entrySet())
        {
            if (node.getValue().contains(cpu))
            {
                return node.getKey();
            }
        }
        return LogicalCpu.UNKNOWN;
    }

    /**
     * @return online CPUs isolated from the scheduler with {@code isolcpus=}; empty if none or unknown.
     */
    public CpuSet isolated()
    {
        return isolated;
    }

    /**
     * @return online CPUs running tickless with {@code nohz_full=}; empty if none or unknown.
     */
    public CpuSet nohzFull()
    {
        return nohzFull;
    }

    /**
     * @return the CPUs this process may run on ({@code Cpus_allowed_list} of {@code /proc/self/status}),
     *         {@code null} if unknown. With {@code isolcpus=} this excludes the isolated CPUs, which a thread
     *         can still bind itself to; in a container with a cpuset it is all the process can use.
     */
    public CpuSet allowed()
    {
        return allowed;
    }

    /**
     * @return CPUs a thread of this process can be pinned to: online, and allowed or isolated.
     */
    public CpuSet usable()
    {
        if (allowed == null)
        {
            return online;
        }
        final CpuSet usable = online.intersect(allowed.union(isolated));
        return usable.isEmpty() ? online : usable;
    }

    /**
     * @return the THP mode for anonymous memory (the G1 and Parallel heaps).
     */
    public TransparentHugePages transparentHugePages()
    {
        return transparentHugePages;
    }

    /**
     * @return the THP mode for shared memory (ZGC's heap).
     */
    public TransparentHugePages transparentHugePagesShmem()
    {
        return transparentHugePagesShmem;
    }

    /**
     * @return governor name to the CPUs running it; empty when no CPU exposes cpufreq.
     */
    public SortedMap<String, CpuSet> governors()
    {
        final SortedMap<String, List<Integer>> byName = new TreeMap<>();
        for (final LogicalCpu cpu : cpus)
        {
            if (cpu.governor() != null)
            {
                byName.computeIfAbsent(cpu.governor(), name -> new ArrayList<>()).add(cpu.id());
            }
        }
        final SortedMap<String, CpuSet> governors = new TreeMap<>();
        byName.forEach((name, ids) ->
            governors.put(name, CpuSet.of(ids.stream().mapToInt(Integer::intValue).toArray())));
        return governors;
    }

    /**
     * @return a one-line summary: CPUs, cores, packages, NUMA nodes, hyperthreading.
     */
    @Override
    public String toString()
    {
        return online.size() + " CPUs online (" + online + "), " + cores.size() + " cores, " + packageCount()
            + (packageCount() == 1 ? " package, " : " packages, ")
            + (numaNodes.isEmpty()
                ? "NUMA unknown"
                : numaNodes.size() + (numaNodes.size() == 1 ? " NUMA node" : " NUMA nodes"))
            + ", hyperthreading " + (hyperThreading() ? "on" : "off");
    }
}
