package dev.pinwheel.tuning;

import java.util.Objects;

/**
 * One online logical CPU (a hardware thread) as the kernel describes it in sysfs.
 *
 * @param id        the CPU number, as in {@code /sys/devices/system/cpu/cpu<id>}.
 * @param packageId the socket ({@code topology/physical_package_id}), {@link #UNKNOWN} if not readable.
 * @param coreId    the physical core within its package ({@code topology/core_id}); when unreadable the
 *                  CPU's own id, so that every CPU counts as a core of its own.
 * @param siblings  the hardware threads sharing this CPU's core, itself included
 *                  ({@code topology/thread_siblings_list}); just this CPU when unreadable.
 * @param numaNode  the NUMA node whose {@code cpulist} holds this CPU, {@link #UNKNOWN} if none does.
 * @param governor  the cpufreq governor ({@code cpufreq/scaling_governor}), {@code null} when the kernel
 *                  exposes no cpufreq (most VMs: the hypervisor owns the clock).
 */
public record LogicalCpu(int id, int packageId, int coreId, CpuSet siblings, int numaNode, String governor)
{
    /** Marks a topology value that sysfs did not provide. */
    public static final int UNKNOWN = -1;

    /**
     * Validates the fields.
     *
     * @param id        the CPU number.
     * @param packageId the socket or {@link #UNKNOWN}.
     * @param coreId    the core id.
     * @param siblings  the core's hardware threads, this CPU included.
     * @param numaNode  the NUMA node or {@link #UNKNOWN}.
     * @param governor  the cpufreq governor or {@code null}.
     */
    public LogicalCpu
    {
        Objects.requireNonNull(siblings, "siblings");
        if (!siblings.contains(id))
        {
            throw new IllegalArgumentException("CPU " + id + " missing from its own siblings " + siblings);
        }
    }

    /**
     * @return true if another hardware thread shares this CPU's core.
     */
    public boolean hasSibling()
    {
        return siblings.size() > 1;
    }
}
