package dev.pinwheel.tuning;

import java.util.BitSet;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places threads by a {@link PinningPlan}, with OpenHFT Affinity. A thread binds itself from inside,
 * before its body runs: a pinned thread to its one CPU, an unpinned thread (and every {@link ThreadRole#CONTROL}
 * thread) to the plan's {@link PinningPlan#floatingCpus() floating CPUs} so that it never lands on a pinned
 * core. With pinning off nothing is bound. When the body returns the thread's previous affinity is restored.
 * <p>
 * Binding that fails (a cpuset that excludes the CPU, no JNA, not Linux) is logged as a warning and the body
 * runs unpinned: a wrong plan must cost latency, never availability.
 * <p>
 * This uses {@code sched_setaffinity} directly rather than {@code AffinityLock}: the plan, not Affinity's own
 * reservation rules ({@code affinity.reserved}), decides which CPU each thread gets.
 */
public final class AffinityThreadPlacement implements ThreadPlacement
{
    private static final Logger LOG = LoggerFactory.getLogger(AffinityThreadPlacement.class);

    private final PinningPlan plan;
    private final CpuBinding binding;

    /**
     * @param plan the plan to follow.
     */
    public AffinityThreadPlacement(final PinningPlan plan)
    {
        this(plan, CpuBinding.OPEN_HFT);
    }

    AffinityThreadPlacement(final PinningPlan plan, final CpuBinding binding)
    {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.binding = Objects.requireNonNull(binding, "binding");
    }

    /**
     * @param request profile, shards and media loops.
     * @return a placement that follows this machine's plan for the request.
     */
    public static AffinityThreadPlacement forThisMachine(final PlanRequest request)
    {
        return new AffinityThreadPlacement(PinningPlanner.plan(CpuLayout.read(), request));
    }

    /**
     * @return the plan this placement follows.
     */
    public PinningPlan plan()
    {
        return plan;
    }

    /**
     * @param role  what the thread does.
     * @param index its index within the role.
     * @return the CPUs a thread of that role and index binds itself to; empty for "do not bind".
     */
    public CpuSet cpusFor(final ThreadRole role, final int index)
    {
        if (!plan.profile().pin())
        {
            return CpuSet.empty();
        }
        final int cpu = role == ThreadRole.CONTROL ? PlannedThread.UNPINNED : plan.cpuOf(role, index);
        return cpu == PlannedThread.UNPINNED ? plan.floatingCpus() : CpuSet.of(cpu);
    }

    @Override
    public Thread newThread(final ThreadRole role, final int index, final String name, final Runnable body)
    {
        Objects.requireNonNull(body, "body");
        final CpuSet cpus = cpusFor(role, index);
        return Thread.ofPlatform().name(name).daemon(false).unstarted(() -> runBound(cpus, name, body));
    }

    @Override
    public IdleMode idleMode(final ThreadRole role)
    {
        return plan.profile().idleMode(role);
    }

    private void runBound(final CpuSet cpus, final String name, final Runnable body)
    {
        final BitSet previous = cpus.isEmpty() ? null : bind(cpus, name);
        try
        {
            body.run();
        }
        finally
        {
            if (previous != null)
            {
                restore(previous, name);
            }
        }
    }

    /**
     * @return the affinity before binding, or {@code null} if binding failed.
     */
    private BitSet bind(final CpuSet cpus, final String name)
    {
        try
        {
            final BitSet previous = binding.current();
            final BitSet wanted = cpus.toBitSet();
            binding.bind(wanted);
            final BitSet now = binding.current();
            if (wanted.equals(now))
            {
                LOG.debug("thread {} bound to CPUs {}", name, cpus);
                return previous;
            }
            LOG.warn("thread {} asked for CPUs {} but may run on {}: running unpinned",
                name, cpus, now == null || now.isEmpty() ? "unknown CPUs" : CpuSet.of(now));
        }
        catch (final RuntimeException | LinkageError ex)
        {
            LOG.warn("thread {} could not bind to CPUs {} ({}): running unpinned", name, cpus, ex.toString());
        }
        return null;
    }

    private void restore(final BitSet previous, final String name)
    {
        try
        {
            binding.bind(previous);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            LOG.debug("thread {} could not restore its affinity: {}", name, ex.toString());
        }
    }
}
