package dev.pinwheel.benchmarks.guild;

import java.util.concurrent.TimeUnit;

import org.agrona.collections.LongHashSet;
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
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Overwrite;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;

/**
 * What the guild's owner shard spends finding who receives an event only moderators may see (INVITE_CREATE needs
 * MANAGE_CHANNELS, GUILD_AUDIT_LOG_ENTRY_CREATE VIEW_AUDIT_LOG), in a guild of {@code members} with eight
 * moderators: {@link #scanMembers} is the pass over every member the owner made before ({@code Permissions.of} per
 * member), {@link #holders} the guild's kept holder set, {@link #holdersAfterJoin} the same with a member joining
 * (and another leaving) before each event, as in a busy guild; {@link #viewersAfterJoin} what the first event of a
 * channel only a role may see costs after such a change (its viewers found again), {@link #roleScan} and
 * {@link #roleMembersAfterJoin} a mention of the moderators' role without and with the guild's kept role members.
 * <pre>
 *   benchmarks/run.sh jmh AudienceBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AudienceBenchmark
{
    private static final long GUILD = 1L << 40;
    private static final long MODERATOR = GUILD + 1;
    private static final long MEMBER_ROLE = GUILD + 2;
    private static final long FIRST_USER = 1L << 41;
    private static final int MODERATORS = 8;

    @Param({"10000", "100000"})
    public int members;

    private Guild guild;
    private GuildChannel restricted;
    private long joiner;
    private long leaver;

    /** Builds the guild: {@code @everyone} without MANAGE_CHANNELS, a member role for half, moderators. */
    @Setup(Level.Trial)
    public void setUp()
    {
        guild = new Guild(GUILD, "bench", FIRST_USER);
        guild.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
        guild.putRole(new Role(MODERATOR, "mods", Permissions.MANAGE_CHANNELS | Permissions.VIEW_AUDIT_LOG, 2, 0));
        guild.putRole(new Role(MEMBER_ROLE, "regulars", Permissions.EVERYONE_DEFAULT, 1, 0));
        for (int i = 0; i < members; i++)
        {
            final long[] roles = i < MODERATORS ? new long[] {MEMBER_ROLE, MODERATOR}
                : i % 2 == 0 ? new long[] {MEMBER_ROLE} : new long[0];
            guild.putMember(new Member(FIRST_USER + i, 0, roles, null));
        }
        restricted = new GuildChannel(GUILD + 10, GUILD, GuildChannel.TEXT, "regulars-only", 1, null, 0, 0, 0,
            new Overwrite[] {new Overwrite(GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL),
                new Overwrite(MEMBER_ROLE, Overwrite.ROLE, Permissions.VIEW_CHANNEL, 0)});
        guild.putChannel(restricted);
        joiner = FIRST_USER + members;
        leaver = FIRST_USER + MODERATORS;
    }

    /** @return receivers found by a pass over every member. */
    @Benchmark
    public int scanMembers()
    {
        int n = 0;
        for (final Member m : guild.members())
        {
            if (Permissions.has(Permissions.of(guild, m.userId()), Permissions.MANAGE_CHANNELS))
            {
                n++;
            }
        }
        return n;
    }

    /** @return receivers found from the kept holders (each checked again, as the publisher does, for timeouts). */
    @Benchmark
    public int holders()
    {
        return count(guild.holders(Permissions.MANAGE_CHANNELS));
    }

    /** @return receivers after a member joined and another left. */
    @Benchmark
    public int holdersAfterJoin()
    {
        guild.removeMember(leaver++);
        guild.putMember(new Member(joiner++, 0, new long[] {MEMBER_ROLE}, null));
        return count(guild.holders(Permissions.MANAGE_CHANNELS));
    }

    /** @return the viewers of a channel only a role may see, after a member joined and another left. */
    @Benchmark
    public int viewersAfterJoin()
    {
        guild.removeMember(leaver++);
        guild.putMember(new Member(joiner++, 0, new long[] {MEMBER_ROLE}, null));
        return guild.viewers(restricted).size();
    }

    /** @return the members of the moderator role found by a pass over every member (a role mention, before). */
    @Benchmark
    public int roleScan()
    {
        int n = 0;
        for (final Member m : guild.members())
        {
            for (final long role : m.roleIds())
            {
                if (role == MODERATOR)
                {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** @return the members of the moderator role kept by the guild, after a member joined and another left. */
    @Benchmark
    public int roleMembersAfterJoin()
    {
        guild.removeMember(leaver++);
        guild.putMember(new Member(joiner++, 0, new long[] {MEMBER_ROLE}, null));
        return guild.roleMembers(MODERATOR).size();
    }

    private int count(final LongHashSet holders)
    {
        int n = 0;
        for (final LongHashSet.LongIterator it = holders.iterator(); it.hasNext(); )
        {
            if (Permissions.has(Permissions.of(guild, it.nextValue()), Permissions.MANAGE_CHANNELS))
            {
                n++;
            }
        }
        return n;
    }
}
