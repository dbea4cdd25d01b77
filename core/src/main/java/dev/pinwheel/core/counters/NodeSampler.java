package dev.pinwheel.core.counters;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.state.NodeState;

/**
 * The node-wide numbers no shard owns, copied into the node's counters once a second by a thread of their own, so
 * that a reader of the {@link CountersFile} sees them too: accounts and guilds, heap and non-heap memory, threads,
 * process CPU time, collections per collector; and the file's heartbeat. Samples read the JVM's management beans
 * (they allocate: never on a shard thread).
 * <pre>
 *   NODE_GAUGE   scope 0   pinwheel_node_{accounts,guilds}, jvm_memory_{used,committed,max}_bytes{area=heap|nonheap},
 *                          jvm_threads_current
 *   NODE_COUNTER scope 0   process_cpu_nanoseconds_total
 *   NODE_COUNTER scope k   jvm_gc_collection_seconds_count{gc=...}, jvm_gc_collection_milliseconds_sum{gc=...}
 *                          (collector k - 1)
 * </pre>
 * Values are whole numbers in the unit their name says; {@code pinwheel top --data} turns nanoseconds and
 * milliseconds into the seconds of {@code /metrics}.
 */
public final class NodeSampler implements Agent
{
    /** Between two samples. */
    public static final long INTERVAL_MILLIS = 1_000;

    static final int ACCOUNTS = 0;
    static final int GUILDS = 1;
    static final int HEAP_USED = 2;
    static final int HEAP_COMMITTED = 3;
    static final int HEAP_MAX = 4;
    static final int NONHEAP_USED = 5;
    static final int NONHEAP_COMMITTED = 6;
    static final int NONHEAP_MAX = 7;
    static final int THREADS = 8;
    static final int CPU_NANOS = 0;
    static final int GC_COUNT = 0;
    static final int GC_MILLIS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(NodeSampler.class);

    private final NodeState node;
    private final CountersFile file;
    private final CounterBlock gauges;
    private final CounterBlock cpu;
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final CounterBlock[] gc;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final EpochClock clock;
    private long nextMillis;

    /**
     * @param counters the node's counters.
     * @param file     the file to stamp the heartbeat of, or null.
     * @param node     the node's accounts and directory.
     */
    public NodeSampler(final NodeCounters counters, final CountersFile file, final NodeState node)
    {
        this(counters, file, node, SystemEpochClock.INSTANCE);
    }

    /**
     * @param counters the node's counters.
     * @param file     the file to stamp the heartbeat of, or null.
     * @param node     the node's accounts and directory.
     * @param clock    when to sample and what the heartbeat says (a test's own clock).
     */
    NodeSampler(final NodeCounters counters, final CountersFile file, final NodeState node, final EpochClock clock)
    {
        this.node = node;
        this.file = file;
        this.clock = clock;
        this.gauges = new CounterBlock(counters, CounterTypes.NODE_GAUGE, 0,
            "pinwheel_node_accounts", "pinwheel_node_guilds",
            "jvm_memory_used_bytes{area=\"heap\"}", "jvm_memory_committed_bytes{area=\"heap\"}",
            "jvm_memory_max_bytes{area=\"heap\"}", "jvm_memory_used_bytes{area=\"nonheap\"}",
            "jvm_memory_committed_bytes{area=\"nonheap\"}", "jvm_memory_max_bytes{area=\"nonheap\"}",
            "jvm_threads_current");
        this.cpu = new CounterBlock(counters, CounterTypes.NODE_COUNTER, 0, "process_cpu_nanoseconds_total");
        this.gc = new CounterBlock[collectors.size()];
        for (int i = 0; i < gc.length; i++)
        {
            final String name = collectors.get(i).getName().replace("\"", "'");
            gc[i] = new CounterBlock(counters, CounterTypes.NODE_COUNTER, i + 1,
                "jvm_gc_collection_seconds_count{gc=\"" + name + "\"}",
                "jvm_gc_collection_milliseconds_sum{gc=\"" + name + "\"}");
        }
    }

    /**
     * Starts sampling on a daemon thread of its own ({@code pinwheel-counters}).
     *
     * @param sampler the sampler.
     * @return its runner: {@link AgentRunner#close()} stops it.
     */
    public static AgentRunner start(final NodeSampler sampler)
    {
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(100),
            ex -> LOG.warn("sampling the node's counters failed", ex), null, sampler);
        AgentRunner.startOnThread(runner, r -> Thread.ofPlatform().name("pinwheel-counters").daemon(true).unstarted(r));
        return runner;
    }

    @Override
    public int doWork()
    {
        final long now = clock.time();
        if (now < nextMillis)
        {
            return 0;
        }
        nextMillis = now + INTERVAL_MILLIS;
        sample();
        if (file != null)
        {
            file.heartbeat(now);
        }
        return 1;
    }

    /** Takes one sample (the sampler's thread, or a test's). */
    void sample()
    {
        gauges.set(ACCOUNTS, node.accounts().size());
        gauges.set(GUILDS, node.directory().guildCount());
        final MemoryUsage heap = memory.getHeapMemoryUsage();
        final MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        gauges.set(HEAP_USED, heap.getUsed());
        gauges.set(HEAP_COMMITTED, heap.getCommitted());
        gauges.set(HEAP_MAX, heap.getMax());
        gauges.set(NONHEAP_USED, nonHeap.getUsed());
        gauges.set(NONHEAP_COMMITTED, nonHeap.getCommitted());
        gauges.set(NONHEAP_MAX, nonHeap.getMax());
        gauges.set(THREADS, ManagementFactory.getThreadMXBean().getThreadCount());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            cpu.set(CPU_NANOS, os.getProcessCpuTime());
        }
        for (int i = 0; i < gc.length; i++)
        {
            gc[i].set(GC_COUNT, Math.max(0, collectors.get(i).getCollectionCount()));
            gc[i].set(GC_MILLIS, Math.max(0, collectors.get(i).getCollectionTime()));
        }
    }

    @Override
    public String roleName()
    {
        return "pinwheel-counters";
    }
}
