package dev.pinwheel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinningPlannerTest
{
    private static final String NO_ISOLCPUS = "no isolated CPUs";
    private static final String NO_NOHZ = "no nohz_full";
    private static final String GOVERNOR = "cpufreq governor";
    private static final String THP_ALWAYS = "transparent huge pages are 'always'";
    private static final String SHMEM_THP = "shared-memory transparent huge pages";
    private static final String FEWER_CORES = "fewer cores than shards";
    private static final String BUSY_SPINS = "busy-spins without a CPU of its own";

    @TempDir
    Path tmp;

    @Test
    void twoCpuVmUnpinnedRunsOneShardPerCore()
    {
        final PinningPlan plan = plan(Layouts.VM_2CPU, PlanRequest.of(TuningProfile.DEV));
        assertEquals(2, plan.shardCount());
        assertTrue(plan.threads().stream().noneMatch(PlannedThread::pinned));
        assertTrue(plan.floatingCpus().isEmpty(), "pinning off: threads are not confined");
        assertEquals(CpuSet.of(0, 1), plan.osCpus());
        assertWarnings(plan, List.of(NO_ISOLCPUS, NO_NOHZ, SHMEM_THP), List.of(GOVERNOR, THP_ALWAYS, FEWER_CORES));
    }

    @Test
    void twoCpuVmPinnedLeavesCpuZeroToTheOs()
    {
        final PinningPlan plan = plan(Layouts.VM_2CPU, PlanRequest.of(TuningProfile.LATENCY));
        assertEquals(1, plan.shardCount(), "auto: one shard per core that can be dedicated");
        assertEquals(1, plan.cpuOf(ThreadRole.SHARD, 0));
        assertEquals(CpuSet.of(0), plan.osCpus());
        assertEquals(CpuSet.of(1), plan.pinnedCpus());
        assertWarnings(plan, List.of(NO_ISOLCPUS, NO_NOHZ), List.of(FEWER_CORES, BUSY_SPINS));
    }

    @Test
    void twoCpuVmWithTwoShardsPinsOnlyCpuOne()
    {
        final PinningPlan plan = plan(Layouts.VM_2CPU, PlanRequest.of(TuningProfile.LATENCY).withShards(2));
        assertEquals(2, plan.shardCount());
        assertEquals(1, plan.cpuOf(ThreadRole.SHARD, 0));
        assertEquals(PlannedThread.UNPINNED, plan.cpuOf(ThreadRole.SHARD, 1));
        assertEquals(CpuSet.of(0), plan.floatingCpus(), "the unpinned shard stays off the pinned CPU");
        assertWarnings(plan, List.of(FEWER_CORES, BUSY_SPINS), List.of());

        final PinningPlan throughput = plan(Layouts.VM_2CPU, PlanRequest.of(TuningProfile.THROUGHPUT).withShards(2));
        assertWarnings(throughput, List.of(FEWER_CORES), List.of(BUSY_SPINS));
    }

    @Test
    void hyperthreadedMachinePairsShardsWithMediaLoopsOnSiblings()
    {
        final PinningPlan plan = plan(
            Layouts.HT_16CPU_ISOLATED, PlanRequest.of(TuningProfile.LATENCY).withMediaLoops(6));
        assertEquals(6, plan.shardCount(), "one shard per isolated core");
        assertEquals(6, plan.mediaLoopCount());
        for (int k = 0; k < 6; k++)
        {
            final int shardCpu = plan.cpuOf(ThreadRole.SHARD, k);
            final int mediaCpu = plan.cpuOf(ThreadRole.MEDIA, k);
            assertEquals(2 + k, shardCpu);
            assertEquals(shardCpu + 8, mediaCpu, "media loop " + k + " on the sibling of shard " + k);
            assertEquals(plan.layout().coreOf(shardCpu), CpuSet.of(shardCpu, mediaCpu));
        }
        assertEquals(CpuSet.parse("0-1,8-9"), plan.osCpus(), "isolcpus: the OS keeps every non-isolated CPU");
        assertTrue(plan.spareCpus().isEmpty());
        assertWarnings(plan, List.of(GOVERNOR), List.of(NO_ISOLCPUS, NO_NOHZ, THP_ALWAYS, SHMEM_THP, FEWER_CORES));
        assertTrue(plan.render().contains("powersave"));
    }

    @Test
    void hyperthreadedMachineWithoutMediaLeavesSiblingsSpare()
    {
        final PinningPlan plan = plan(Layouts.HT_16CPU_ISOLATED, PlanRequest.of(TuningProfile.LATENCY));
        assertEquals(CpuSet.parse("2-7"), plan.pinnedCpus());
        assertEquals(CpuSet.parse("10-15"), plan.spareCpus());
        assertFalse(
            plan.pinnedCpus().contains(0) || plan.pinnedCpus().contains(8), "CPU 0 and its sibling stay with the OS");
    }

    @Test
    void hyperthreadedMachineUnpinnedRunsOneShardPerPhysicalCore()
    {
        final PinningPlan plan = plan(Layouts.HT_16CPU_ISOLATED, PlanRequest.of(TuningProfile.CI));
        assertEquals(8, plan.shardCount());
        assertTrue(plan.pinnedCpus().isEmpty());
    }

    @Test
    void moreShardsThanIsolatedCoresRunUnpinnedOnTheOsCpus()
    {
        final PinningPlan plan = plan(
            Layouts.HT_16CPU_ISOLATED, PlanRequest.of(TuningProfile.THROUGHPUT).withShards(8));
        assertEquals(8, plan.shardCount());
        assertEquals(6, plan.threads(ThreadRole.SHARD).stream().filter(PlannedThread::pinned).count());
        assertEquals(PlannedThread.UNPINNED, plan.cpuOf(ThreadRole.SHARD, 7));
        assertEquals(CpuSet.parse("0-1,8-9"), plan.floatingCpus());
        assertWarnings(plan, List.of(FEWER_CORES), List.of(BUSY_SPINS));
    }

    @Test
    void numaMachineSpreadsShardsOverNodesInOrder()
    {
        final PinningPlan plan = plan(Layouts.NUMA_2X32, PlanRequest.of(TuningProfile.LATENCY));
        assertEquals(63, plan.shardCount(), "64 cores, CPU 0 kept by the OS");
        assertEquals(CpuSet.of(0), plan.osCpus());
        assertEquals(1, plan.cpuOf(ThreadRole.SHARD, 0));
        assertEquals(32, plan.cpuOf(ThreadRole.SHARD, 1));
        assertEquals(2, plan.cpuOf(ThreadRole.SHARD, 2));
        assertEquals(33, plan.cpuOf(ThreadRole.SHARD, 3));
        final CpuLayout layout = plan.layout();
        for (int k = 0; k + 1 < 62; k += 2)
        {
            assertEquals(0, layout.numaNodeOf(plan.cpuOf(ThreadRole.SHARD, k)), "even shards on node 0");
            assertEquals(1, layout.numaNodeOf(plan.cpuOf(ThreadRole.SHARD, k + 1)), "odd shards on node 1");
        }
        assertWarnings(plan, List.of(NO_ISOLCPUS, NO_NOHZ, THP_ALWAYS), List.of(GOVERNOR, SHMEM_THP, FEWER_CORES));
    }

    @Test
    void numaMachineGivesMediaLoopsAndTheConductorTheirOwnCores()
    {
        final PlanRequest request =
            PlanRequest.of(TuningProfile.LATENCY).withShards(4).withMediaLoops(2).withConductor(true);
        final PinningPlan plan = plan(Layouts.NUMA_2X32, request);
        assertEquals(List.of(1, 32, 2, 33), cpus(plan, ThreadRole.SHARD));
        assertEquals(List.of(3, 34), cpus(plan, ThreadRole.MEDIA), "no hyperthreads: the next free cores");
        assertEquals(List.of(4), cpus(plan, ThreadRole.CONDUCTOR));
    }

    @Test
    void autoShardsLeaveCoresForMediaLoopsWithoutHyperthreads()
    {
        final PinningPlan plan = plan(Layouts.NUMA_2X32, PlanRequest.of(TuningProfile.LATENCY).withMediaLoops(3));
        assertEquals(60, plan.shardCount());
        assertTrue(plan.threads().stream().allMatch(PlannedThread::pinned), plan.render());
    }

    @Test
    void automaticShardsLeaveASpinningConductorACoreOfItsOwn()
    {
        // the latency profile spins the conductor (the cluster link): automatic shards leave it a core
        final PinningPlan plan = plan(Layouts.NUMA_2X32, PlanRequest.of(TuningProfile.LATENCY).withConductor(true));
        assertEquals(62, plan.shardCount(), plan.render());
        assertTrue(plan.cpuOf(ThreadRole.CONDUCTOR, 0) != PlannedThread.UNPINNED, plan.render());
        assertTrue(plan.threads().stream().allMatch(PlannedThread::pinned), plan.render());
        // a backing-off conductor shares: every core gets a shard and the conductor floats
        final PinningPlan shared = plan(Layouts.NUMA_2X32,
            PlanRequest.of(TuningProfile.THROUGHPUT).withConductor(true));
        assertEquals(63, shared.shardCount(), shared.render());
        assertEquals(PlannedThread.UNPINNED, shared.cpuOf(ThreadRole.CONDUCTOR, 0));
    }

    @Test
    void conductorFloatsWhenNoCoreIsLeft()
    {
        final PinningPlan plan = plan(Layouts.VM_2CPU, PlanRequest.of(TuningProfile.THROUGHPUT).withConductor(true));
        assertEquals(PlannedThread.UNPINNED, plan.cpuOf(ThreadRole.CONDUCTOR, 0));
        assertEquals(1, plan.cpuOf(ThreadRole.SHARD, 0));
    }

    @Test
    void neverPlansMorePinnedThreadsThanCpusNorPinsOnOsCpus()
    {
        for (final String name : List.of(Layouts.VM_2CPU, Layouts.HT_16CPU_ISOLATED, Layouts.NUMA_2X32))
        {
            final CpuLayout layout = Layouts.read(name);
            for (final TuningProfile profile : List.of(
                TuningProfile.LATENCY, TuningProfile.THROUGHPUT, TuningProfile.DEV))
            {
                for (final int shards : new int[] {0, 1, 3, 8, 70})
                {
                    for (final int media : new int[] {0, 1, 8, 70})
                    {
                        final PlanRequest request = new PlanRequest(profile, shards, media, true);
                        final PinningPlan plan = PinningPlanner.plan(layout, request);
                        final Set<Integer> used = new HashSet<>();
                        for (final PlannedThread thread : plan.threads())
                        {
                            if (thread.pinned())
                            {
                                assertTrue(used.add(thread.cpu()), "two threads on CPU " + thread.cpu() + "\n" + plan);
                                assertFalse(plan.osCpus().contains(thread.cpu()), "pinned on an OS CPU\n" + plan);
                                assertTrue(layout.usable().contains(thread.cpu()));
                            }
                        }
                        assertTrue(used.size() <= layout.usable().size() - plan.osCpus().size() || !profile.pin());
                        assertEquals(shards == 0 ? plan.shardCount() : shards, plan.shardCount());
                        assertEquals(media, plan.mediaLoopCount());
                        assertFalse(plan.render().isBlank());
                    }
                }
            }
        }
    }

    @Test
    void oneCoreMachinePinsNothing() throws IOException
    {
        final Path online = tmp.resolve("sys/devices/system/cpu/online");
        Files.createDirectories(online.getParent());
        Files.writeString(online, "0\n");
        final PinningPlan plan = PinningPlanner.plan(CpuLayout.read(tmp), PlanRequest.of(TuningProfile.LATENCY));
        assertEquals(1, plan.shardCount());
        assertTrue(plan.pinnedCpus().isEmpty());
        assertWarnings(plan, List.of("only one core", BUSY_SPINS), List.of(FEWER_CORES));
    }

    @Test
    void rendersOneRowPerCpuWithTheThreadItRuns()
    {
        final PlanRequest request = PlanRequest.of(TuningProfile.LATENCY).withMediaLoops(2);
        final String text = plan(Layouts.HT_16CPU_ISOLATED, request).render();
        final List<String> lines = text.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches(" +2 +0 +0 +2 +yes +yes +shard 0 +BUSY_SPIN")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches(" +10 +0 +0 +2 +yes +yes +media 0 +BUSY_SPIN")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+0\\s+0\\s+0\\s+0\\s+-\\s+-\\s+OS\\s*")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+12\\s+0\\s+0\\s+4\\s+yes\\s+yes\\s+spare\\s*")), text);
        final int cpu2 = indexOf(lines, "shard 0");
        assertTrue(lines.get(cpu2 + 1).contains("media 0"), "siblings are printed next to each other\n" + text);
        assertEquals(16, lines.stream().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s.*")).count(), text);
        assertEquals(text, plan(Layouts.HT_16CPU_ISOLATED, request).toString());
    }

    private static int indexOf(final List<String> lines, final String text)
    {
        return IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains(text)).findFirst().orElseThrow();
    }

    private static List<Integer> cpus(final PinningPlan plan, final ThreadRole role)
    {
        return plan.threads(role).stream().map(PlannedThread::cpu).toList();
    }

    private static PinningPlan plan(final String layout, final PlanRequest request)
    {
        return PinningPlanner.plan(Layouts.read(layout), request);
    }

    private static void assertWarnings(final PinningPlan plan, final List<String> present, final List<String> absent)
    {
        for (final String warning : present)
        {
            assertTrue(plan.warnings().stream().anyMatch(w -> w.contains(warning)),
                "missing '" + warning + "'\n" + plan);
        }
        for (final String warning : absent)
        {
            assertTrue(plan.warnings().stream().noneMatch(w -> w.contains(warning)),
                "unexpected '" + warning + "'\n" + plan);
        }
    }
}
