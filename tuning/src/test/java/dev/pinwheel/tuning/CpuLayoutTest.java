package dev.pinwheel.tuning;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuLayoutTest
{
    @TempDir
    Path tmp;

    @Test
    void readsTheTwoCpuVm()
    {
        final CpuLayout layout = Layouts.read(Layouts.VM_2CPU);
        assertEquals(CpuSet.of(0, 1), layout.online());
        assertEquals(2, layout.cores().size());
        assertFalse(layout.hyperThreading());
        assertEquals(1, layout.packageCount());
        assertTrue(layout.numaNodes().isEmpty(), "no NUMA files recorded");
        assertEquals(LogicalCpu.UNKNOWN, layout.numaNodeOf(0));
        assertTrue(layout.isolated().isEmpty());
        assertTrue(layout.nohzFull().isEmpty());
        assertEquals(TransparentHugePages.MADVISE, layout.transparentHugePages());
        assertEquals(TransparentHugePages.NEVER, layout.transparentHugePagesShmem());
        assertTrue(layout.governors().isEmpty());
        assertNull(layout.cpu(1).governor());
        assertNull(layout.allowed());
        assertEquals(layout.online(), layout.usable());
    }

    @Test
    void readsHyperthreadSiblingsIsolationAndGovernor()
    {
        final CpuLayout layout = Layouts.read(Layouts.HT_16CPU_ISOLATED);
        assertEquals(16, layout.online().size());
        assertEquals(8, layout.cores().size());
        assertTrue(layout.hyperThreading());
        assertEquals(CpuSet.of(0, 8), layout.coreOf(0));
        assertEquals(CpuSet.of(3, 11), layout.coreOf(11));
        assertEquals(3, layout.cpu(11).coreId());
        assertTrue(layout.cpu(11).hasSibling());
        assertEquals(CpuSet.parse("2-7,10-15"), layout.isolated());
        assertEquals(CpuSet.parse("2-7,10-15"), layout.nohzFull());
        assertEquals(Map.of("powersave", CpuSet.parse("0-15")), layout.governors());
        assertEquals(Map.of(0, CpuSet.parse("0-15")), layout.numaNodes());
        assertEquals(TransparentHugePages.ADVISE, layout.transparentHugePagesShmem());
    }

    @Test
    void readsTwoSocketsAndTwoNumaNodes()
    {
        final CpuLayout layout = Layouts.read(Layouts.NUMA_2X32);
        assertEquals(64, layout.online().size());
        assertEquals(64, layout.cores().size());
        assertFalse(layout.hyperThreading());
        assertEquals(2, layout.packageCount());
        assertEquals(2, layout.numaNodes().size());
        assertEquals(0, layout.numaNodeOf(31));
        assertEquals(1, layout.numaNodeOf(32));
        assertEquals(1, layout.cpu(40).numaNode());
        assertEquals(1, layout.cpu(40).packageId());
        assertTrue(layout.nohzFull().isEmpty(), "(null) means none");
        assertEquals(TransparentHugePages.ALWAYS, layout.transparentHugePages());
        assertEquals(Map.of("performance", CpuSet.parse("0-63")), layout.governors());
        assertTrue(layout.toString().contains("64 CPUs online (0-63), 64 cores, 2 packages, 2 NUMA nodes"),
            layout.toString());
    }

    @Test
    void readsThisMachineWithoutThrowing()
    {
        final CpuLayout layout = assertDoesNotThrow(() -> CpuLayout.read());
        assertFalse(layout.online().isEmpty());
        assertTrue(layout.online().size() >= Runtime.getRuntime().availableProcessors() || layout.allowed() != null);
        assertFalse(layout.cores().isEmpty());
        for (final String profile : TuningProfile.names())
        {
            final PinningPlan plan = PinningPlanner.plan(layout, PlanRequest.of(TuningProfile.forName(profile)));
            assertTrue(plan.shardCount() >= 1);
            assertFalse(plan.render().isBlank());
        }
    }

    @Test
    void anEmptyTreeDegradesToTheProcessorCount()
    {
        final CpuLayout layout = assertDoesNotThrow(() -> CpuLayout.read(tmp));
        assertEquals(Runtime.getRuntime().availableProcessors(), layout.online().size());
        assertEquals(layout.online().size(), layout.cores().size(), "unknown topology: one core per CPU");
        assertEquals(TransparentHugePages.UNKNOWN, layout.transparentHugePages());
        assertEquals(LogicalCpu.UNKNOWN, layout.cpu(0).packageId());
        assertDoesNotThrow(() -> PinningPlanner.plan(layout, PlanRequest.of(TuningProfile.LATENCY)).render());
    }

    @Test
    void aMissingDirectoryDegradesToo()
    {
        assertDoesNotThrow(() -> CpuLayout.read(tmp.resolve("no/such/dir")));
    }

    @Test
    void malformedFilesBecomeUnknownValues() throws IOException
    {
        write("sys/devices/system/cpu/online", "garbage\n");
        write("sys/devices/system/cpu/cpu0/topology/core_id", "x\n");
        write("sys/devices/system/cpu/cpu0/topology/thread_siblings_list", "5-1\n");
        write("sys/devices/system/cpu/cpu0/topology/physical_package_id", "-1\n");
        write("sys/devices/system/cpu/cpu3/topology/core_id", "1\n");
        write("sys/devices/system/cpu/cpu3/topology/thread_siblings_list", "0-2\n");
        write("sys/devices/system/cpu/isolated", "what\n");
        write("sys/devices/system/node/node0/cpulist", "\n");
        write("sys/devices/system/node/nodeX/cpulist", "0-3\n");
        write("sys/kernel/mm/transparent_hugepage/enabled", "madvise\n");
        Files.createDirectories(tmp.resolve("sys/devices/system/cpu/cpufreq"));

        final CpuLayout layout = CpuLayout.read(tmp);
        assertEquals(CpuSet.of(0, 3), layout.online(), "falls back to the cpuN directories");
        assertEquals(0, layout.cpu(0).coreId(), "an unreadable core id is the CPU id");
        assertEquals(CpuSet.of(0), layout.cpu(0).siblings());
        assertEquals(CpuSet.of(3), layout.cpu(3).siblings(), "a sibling list without the CPU itself is ignored");
        assertEquals(LogicalCpu.UNKNOWN, layout.cpu(0).packageId());
        assertTrue(layout.isolated().isEmpty());
        assertTrue(layout.numaNodes().isEmpty());
        assertEquals(TransparentHugePages.UNKNOWN, layout.transparentHugePages(), "no [selected] mode");
    }

    @Test
    void theProcessCpusetLimitsTheUsableCpus() throws IOException
    {
        write("sys/devices/system/cpu/online", "0-3\n");
        write("sys/devices/system/cpu/isolated", "3\n");
        write("proc/self/status", "Name:\tjava\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed_list:\t0\n");
        final CpuLayout layout = CpuLayout.read(tmp);
        assertEquals(CpuSet.of(0, 1), layout.allowed());
        assertEquals(CpuSet.of(0, 1, 3), layout.usable(), "isolated CPUs stay usable: a thread may bind to them");
        final PinningPlan plan = PinningPlanner.plan(layout, PlanRequest.of(TuningProfile.LATENCY));
        assertEquals(3, plan.cpuOf(ThreadRole.SHARD, 0));
        assertTrue(plan.warnings().stream().anyMatch(w -> w.contains("may only run on CPUs 0-1")), plan.render());
    }

    private void write(final String relative, final String text) throws IOException
    {
        final Path file = tmp.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
