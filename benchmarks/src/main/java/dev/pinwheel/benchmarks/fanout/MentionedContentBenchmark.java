package dev.pinwheel.benchmarks.fanout;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * What the mentioned-user exception to MESSAGE_CONTENT costs on the fanout path: per recipient, the choice between
 * the full and the redacted {@code d} ({@link Dispatch#dataFor}) for 30,000 sessions without MESSAGE_CONTENT, when the
 * message mentions nobody, 5 or 100 users (a 256-bit filter, then a binary search in the dispatch's sorted ids for
 * the few it does not rule out), and for sessions holding the intent (no lookup at all); the search alone, without
 * the filter, runs beside them for comparison. Both bodies are encoded once by the owner: nothing is encoded or
 * allocated per recipient, whatever the mentions. Compare with a frame's cost in {@link FanoutBenchmark} (hundreds
 * of ns).
 * <p>
 * {@code benchmarks/run.sh jmh MentionedContentBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MentionedContentBenchmark
{
    private static final int RECIPIENTS = 30_000;

    /** Users the message mentions (0: none, the event carries no set). */
    @Param({"0", "5", "100"})
    public int mentioned;

    private Dispatch event;
    private long[] ids;
    private long[] users;
    /** Per recipient whether it holds MESSAGE_CONTENT (read per element, so that the JIT cannot hoist the choice). */
    private boolean[] without;
    private boolean[] with;
    private final byte[] full = "{\"content\":\"hello <@1>\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private final byte[] redacted = "{\"content\":\"\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Setup
    public void setUp()
    {
        users = new long[RECIPIENTS];
        without = new boolean[RECIPIENTS];
        with = new boolean[RECIPIENTS];
        Arrays.fill(with, true);
        final java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < users.length; i++)
        {
            users[i] = (1L << 50) + random.nextInt(1 << 30);
        }
        ids = null;
        if (mentioned > 0)
        {
            ids = new long[mentioned];
            for (int i = 0; i < mentioned; i++)
            {
                ids[i] = users[i * (RECIPIENTS / mentioned)];
            }
            Arrays.sort(ids);
        }
        event = new Dispatch("MESSAGE_CREATE", full, redacted, 1 << 9, 1, 2, 0, null, ids, 0, false);
    }

    /** @return how many recipients got the full body (consumed). */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int withoutMessageContent()
    {
        int full = 0;
        for (int i = 0; i < users.length; i++)
        {
            full += event.dataFor(users[i], without[i]) == this.full ? 1 : 0;
        }
        return full;
    }

    /**
     * The same choice made by a binary search alone (no filter), in the same run: what the filter saves.
     *
     * @return how many recipients got the full body.
     */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int withoutMessageContentSearchOnly()
    {
        int full = 0;
        for (int i = 0; i < users.length; i++)
        {
            final byte[] d = without[i] || users[i] == 2 || ids != null && Arrays.binarySearch(ids, users[i]) >= 0
                ? this.full : redacted;
            full += d == this.full ? 1 : 0;
        }
        return full;
    }

    /** @return the same for sessions holding MESSAGE_CONTENT (the path every session took before). */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int withMessageContent()
    {
        int full = 0;
        for (int i = 0; i < users.length; i++)
        {
            full += event.dataFor(users[i], with[i]) == this.full ? 1 : 0;
        }
        return full;
    }
}
