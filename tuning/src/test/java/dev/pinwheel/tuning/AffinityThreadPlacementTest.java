package dev.pinwheel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;

class AffinityThreadPlacementTest
{
    private static final long JOIN_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(30);

    @Test
    void pinnedThreadsOnThisMachineRunTheirBodyAndTerminate() throws InterruptedException
    {
        final AffinityThreadPlacement placement = AffinityThreadPlacement.forThisMachine(
            PlanRequest.of(TuningProfile.LATENCY).withShards(2));
        final PinningPlan plan = placement.plan();
        for (int shard = 0; shard < plan.shardCount(); shard++)
        {
            final AtomicBoolean ran = new AtomicBoolean();
            final AtomicReference<BitSet> seen = new AtomicReference<>();
            final AtomicReference<String> name = new AtomicReference<>();
            final Thread thread = placement.newThread(ThreadRole.SHARD, shard, "shard-" + shard, () ->
            {
                name.set(Thread.currentThread().getName());
                seen.set(currentAffinityOrNull());
                ran.set(true);
            });
            assertFalse(thread.isDaemon());
            thread.start();
            thread.join(JOIN_TIMEOUT_MS);
            assertFalse(thread.isAlive(), "thread did not terminate");
            assertTrue(ran.get(), "body did not run");
            assertEquals("shard-" + shard, name.get());

            // Pinning may fail harmlessly (no JNA, a cpuset); when it worked the thread ran on its planned CPUs.
            final CpuSet planned = placement.cpusFor(ThreadRole.SHARD, shard);
            final BitSet affinity = seen.get();
            if (affinity != null && affinity.equals(planned.toBitSet()))
            {
                assertTrue(planned.size() == 1 || planned.equals(plan.floatingCpus()));
            }
        }
    }

    @Test
    void aFailedBindingStillRunsTheBody() throws InterruptedException
    {
        final AtomicInteger bindCalls = new AtomicInteger();
        final CpuBinding failing = new CpuBinding()
        {
            @Override
            public BitSet current()
            {
                final BitSet all = new BitSet();
                all.set(0, 2);
                return all;
            }

            @Override
            public void bind(final BitSet cpus)
            {
                bindCalls.incrementAndGet();
                throw new IllegalStateException("sched_setaffinity failed; errno=22");
            }
        };
        final PinningPlan plan = PinningPlanner.plan(
            Layouts.read(Layouts.VM_2CPU), PlanRequest.of(TuningProfile.LATENCY));
        final AffinityThreadPlacement placement = new AffinityThreadPlacement(plan, failing);
        final AtomicBoolean ran = new AtomicBoolean();
        final Thread thread = placement.newThread(ThreadRole.SHARD, 0, "warning-expected", () -> ran.set(true));
        thread.start();
        thread.join(JOIN_TIMEOUT_MS);
        assertFalse(thread.isAlive());
        assertTrue(ran.get());
        assertEquals(1, bindCalls.get(), "no restore after a failed bind");
    }

    @Test
    void aBindingThatDoesNotTakeIsReportedAndTheBodyRuns() throws InterruptedException
    {
        final RecordingBinding ignoring = new RecordingBinding(false);
        final PinningPlan plan = PinningPlanner.plan(
            Layouts.read(Layouts.VM_2CPU), PlanRequest.of(TuningProfile.LATENCY));
        final AtomicBoolean ran = new AtomicBoolean();
        final Thread thread = new AffinityThreadPlacement(plan, ignoring)
            .newThread(ThreadRole.SHARD, 0, "warning-expected", () -> ran.set(true));
        thread.start();
        thread.join(JOIN_TIMEOUT_MS);
        assertTrue(ran.get());
        assertEquals(1, ignoring.binds.get());
    }

    @Test
    void bindsPinnedThreadsToTheirCpuAndRestoresOnExit() throws InterruptedException
    {
        final RecordingBinding binding = new RecordingBinding(true);
        final PinningPlan plan = PinningPlanner.plan(
            Layouts.read(Layouts.HT_16CPU_ISOLATED), PlanRequest.of(TuningProfile.LATENCY).withMediaLoops(1));
        final AffinityThreadPlacement placement = new AffinityThreadPlacement(plan, binding);
        final AtomicReference<BitSet> inside = new AtomicReference<>();
        final Thread media = placement.newThread(ThreadRole.MEDIA, 0, "media-0", () -> inside.set(binding.current()));
        media.start();
        media.join(JOIN_TIMEOUT_MS);
        assertEquals(CpuSet.of(10).toBitSet(), inside.get(), "media 0 on the sibling of shard 0 (CPU 2)");
        assertEquals(2, binding.binds.get(), "bind, then restore");
        assertEquals(binding.initial, binding.mask);

        assertEquals(CpuSet.parse("0-1,8-9"), placement.cpusFor(ThreadRole.CONTROL, 0), "control threads float");
        assertEquals(CpuSet.parse("0-1,8-9"), placement.cpusFor(ThreadRole.SHARD, 99), "unplanned threads float");
        assertEquals(IdleMode.BUSY_SPIN, placement.idleMode(ThreadRole.SHARD));
    }

    @Test
    void unpinnedProfilesBindNothing() throws InterruptedException
    {
        final RecordingBinding binding = new RecordingBinding(true);
        final PinningPlan plan = PinningPlanner.plan(Layouts.read(Layouts.VM_2CPU), PlanRequest.of(TuningProfile.DEV));
        final AffinityThreadPlacement placement = new AffinityThreadPlacement(plan, binding);
        final AtomicBoolean ran = new AtomicBoolean();
        final Thread thread = placement.newThread(ThreadRole.SHARD, 0, "shard-0", () -> ran.set(true));
        thread.start();
        thread.join(JOIN_TIMEOUT_MS);
        assertTrue(ran.get());
        assertEquals(0, binding.binds.get());
        assertTrue(placement.cpusFor(ThreadRole.SHARD, 0).isEmpty());
        assertEquals(IdleMode.BLOCK, placement.idleMode(ThreadRole.SHARD));
    }

    private static BitSet currentAffinityOrNull()
    {
        try
        {
            return Affinity.getAffinity();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return null;
        }
    }

    /** Remembers one thread's mask; binds take effect or are silently ignored. */
    private static final class RecordingBinding implements CpuBinding
    {
        final AtomicInteger binds = new AtomicInteger();
        final BitSet initial = CpuSet.parse("0-15").toBitSet();
        final boolean takes;
        volatile BitSet mask = (BitSet)initial.clone();

        RecordingBinding(final boolean takes)
        {
            this.takes = takes;
        }

        @Override
        public BitSet current()
        {
            return (BitSet)mask.clone();
        }

        @Override
        public void bind(final BitSet cpus)
        {
            binds.incrementAndGet();
            if (takes)
            {
                mask = (BitSet)cpus.clone();
            }
        }
    }
}
