package dev.pinwheel.benchmarks.guild;

import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Member;

/**
 * One page of 1,000 members by user id (REST {@code GET /guilds/{id}/members?limit=1000&after=…}) on the guild's owner
 * shard, from the middle of a guild of {@code members} with snowflake-like ids: {@link #sortedStream} is what the owner
 * did before (a boxed sort of every member above {@code after}), {@link #idsAfter} the bounded heap over the member
 * map's keys ({@link Guild#memberIdsAfter}) plus the page's lookups. Only the choice of the page, not its JSON.
 * {@link #searchLowerCased} and {@link #searchInPlace}: a name-prefix search's pass over the members, before and after.
 * <pre>
 *   benchmarks/run.sh jmh MemberPageBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MemberPageBenchmark
{
    private static final int PAGE = 1_000;

    @Param({"10000", "100000"})
    public int members;

    private Guild guild;
    private final dev.pinwheel.core.directory.Accounts accounts = new dev.pinwheel.core.directory.Accounts();
    private long after;

    /** Fills the guild with random ids (a day of snowflakes) and picks {@code after} at its middle. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Random random = new Random(1);
        guild = new Guild(1, "bench", 2);
        final long[] ids = new long[members];
        for (int i = 0; i < members; i++)
        {
            ids[i] = (1L << 60) + (long)(random.nextDouble() * (1L << 40));
            guild.putMember(new Member(ids[i], 0, new long[0], null));
            accounts.put(new dev.pinwheel.core.directory.Account(ids[i], "User" + i, "x", false));
        }
        java.util.Arrays.sort(ids);
        after = ids[members / 2];
    }

    /** @return the page's last id. */
    @Benchmark
    public long sortedStream()
    {
        final long[] last = new long[1];
        guild.members().stream().filter(m -> m.userId() > after).sorted(Comparator.comparingLong(Member::userId))
            .limit(PAGE).forEach(m -> last[0] = m.userId());
        return last[0];
    }

    /** @return members whose name starts with "us" (all of them), names lower-cased per member (before). */
    @Benchmark
    public int searchLowerCased()
    {
        int n = 0;
        for (final Member m : guild.members())
        {
            final dev.pinwheel.core.directory.Account a = accounts.get(m.userId());
            n += a != null && a.username().toLowerCase(java.util.Locale.ROOT).startsWith("us") ? 1 : 0;
        }
        return n;
    }

    /** @return the same, compared in place (op 8 with a query, {@code GET …/members/search}). */
    @Benchmark
    public int searchInPlace()
    {
        int n = 0;
        for (final Member m : guild.members())
        {
            final dev.pinwheel.core.directory.Account a = accounts.get(m.userId());
            n += a != null && a.username().regionMatches(true, 0, "us", 0, 2) ? 1 : 0;
        }
        return n;
    }

    /** @return the page's last id. */
    @Benchmark
    public long idsAfter()
    {
        long last = 0;
        for (final long id : guild.memberIdsAfter(after, PAGE))
        {
            last = guild.member(id).userId();
        }
        return last;
    }
}
