package dev.pinwheel.tuning;

import java.util.List;

/**
 * Which CPU runs which of Pinwheel's long-lived threads on one node, and what the OS keeps. Made by
 * {@link PinningPlanner}, used by {@link AffinityThreadPlacement}, printed by {@link PlanCli}.
 * <pre>
 *   CPU 0 (+ its hyperthread)   OS: interrupts, JIT and GC threads, control-plane workers, unpinned threads
 *   CPU k (isolated if any)     shard k            one pinned duty cycle: event loop + ring + timers
 *   sibling of CPU k            media loop k       UDP media paired with shard k (hyperthreads only)
 *   a spare core, if any        conductor          Aeron cluster link
 * </pre>
 * Threads the plan cannot give a CPU of their own are {@link PlannedThread#UNPINNED unpinned}: with pinning
 * on they are confined to {@link #floatingCpus()} so they never disturb a pinned thread; with pinning off
 * the OS places every thread anywhere. Immutable.
 */
public final class PinningPlan
{
    private final CpuLayout layout;
    private final PlanRequest request;
    private final List<PlannedThread> threads;
    private final CpuSet osCpus;
    private final CpuSet floatingCpus;
    private final List<String> warnings;

    PinningPlan(
        final CpuLayout layout,
        final PlanRequest request,
        final List<PlannedThread> threads,
        final CpuSet osCpus,
        final CpuSet floatingCpus,
        final List<String> warnings)
    {
        this.layout = layout;
        this.request = request;
        this.threads = List.copyOf(threads);
        this.osCpus = osCpus;
        this.floatingCpus = floatingCpus;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * @return the layout the plan was made for.
     */
    public CpuLayout layout()
    {
        return layout;
    }

    /**
     * @return what was asked for.
     */
    public PlanRequest request()
    {
        return request;
    }

    /**
     * @return the tuning profile: pinning and idle modes.
     */
    public TuningProfile profile()
    {
        return request.profile();
    }

    /**
     * @return every planned thread: shards, then media loops, then the conductor.
     */
    public List<PlannedThread> threads()
    {
        return threads;
    }

    /**
     * @param role a thread role.
     * @return the planned threads of that role, by index.
     */
    public List<PlannedThread> threads(final ThreadRole role)
    {
        return threads.stream().filter(thread -> thread.role() == role).toList();
    }

    /**
     * @return how many shards this node runs (the requested count, or the automatic one).
     */
    public int shardCount()
    {
        return threads(ThreadRole.SHARD).size();
    }

    /**
     * @return how many UDP media loops this node runs.
     */
    public int mediaLoopCount()
    {
        return threads(ThreadRole.MEDIA).size();
    }

    /**
     * @param role  a thread role.
     * @param index the thread's index within the role.
     * @return the CPU that thread is pinned to, or {@link PlannedThread#UNPINNED} if it is not pinned or
     *         not in the plan (control-plane threads never are).
     */
    public int cpuOf(final ThreadRole role, final int index)
    {
        for (final PlannedThread thread : threads)
        {
            if (thread.role() == role && thread.index() == index)
            {
                return thread.cpu();
            }
        }
        return PlannedThread.UNPINNED;
    }

    /**
     * @return the CPUs that pinned threads bind to.
     */
    public CpuSet pinnedCpus()
    {
        return CpuSet.of(threads.stream().filter(PlannedThread::pinned).mapToInt(PlannedThread::cpu).toArray());
    }

    /**
     * @return the CPUs left to the OS (with pinning off: every usable CPU, shared by all threads).
     */
    public CpuSet osCpus()
    {
        return osCpus;
    }

    /**
     * @return the CPUs unpinned threads are confined to; empty means no confinement (pinning off).
     */
    public CpuSet floatingCpus()
    {
        return floatingCpus;
    }

    /**
     * @return CPUs that could host a pinned thread but were given none.
     */
    public CpuSet spareCpus()
    {
        return layout.usable().minus(osCpus).minus(pinnedCpus());
    }

    /**
     * @return what on this machine or in this plan stands between it and the latency the profile wants.
     */
    public List<String> warnings()
    {
        return warnings;
    }

    /**
     * @return the plan as a readable table: one row per CPU, then unpinned threads and warnings.
     */
    public String render()
    {
        return PlanTable.render(this);
    }

    /**
     * @return {@link #render()}.
     */
    @Override
    public String toString()
    {
        return render();
    }
}
