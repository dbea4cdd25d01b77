package dev.pinwheel.benchmarks.guild;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;

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

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.owner.GuildCreateCache;

/**
 * What one session's GUILD_CREATE of a large guild costs its owner shard (built per session: it names the session's
 * member and the channels its user may see): {@code channels} text channels, {@code roles} roles, 10,000 members (only
 * the session's own is sent). A reconnect storm builds one per session of the guild: {@link #guildCreate} as it was
 * built whole, {@link #spliced} with the guild's shared part encoded once ({@code GuildCreateCache}).
 * <pre>
 *   benchmarks/run.sh jmh GuildCreateBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GuildCreateBenchmark
{
    private static final long GUILD = 1L << 40;
    private static final long FIRST_USER = 1L << 41;

    @Param({"10", "50"})
    public int channels;

    @Param({"30"})
    public int roles;

    private Guild guild;
    private Accounts accounts;
    private long user;
    private final GuildCreateCache cache = new GuildCreateCache();

    /** Builds the guild and its members' accounts. */
    @Setup(Level.Trial)
    public void setUp()
    {
        accounts = new Accounts();
        guild = new Guild(GUILD, "bench", FIRST_USER);
        guild.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
        for (int r = 1; r <= roles; r++)
        {
            guild.putRole(new Role(GUILD + r, "role " + r, Permissions.EVERYONE_DEFAULT, r, 0x3498db));
        }
        for (int c = 0; c < channels; c++)
        {
            guild.putChannel(new GuildChannel(GUILD + 1_000 + c, GUILD, GuildChannel.TEXT, "channel-" + c, c,
                "the topic of channel " + c, 0, 0, 0));
        }
        for (int i = 0; i < 10_000; i++)
        {
            accounts.put(new Account(FIRST_USER + i, "user" + i, "x", false));
            guild.putMember(new Member(FIRST_USER + i, 0, new long[] {GUILD + 1 + i % roles}, null));
        }
        user = FIRST_USER + 4_242;
    }

    /** @return the encoded {@code d}, built whole (as for a guild below the cache's size). */
    @Benchmark
    public byte[] guildCreate()
    {
        return Json.bytes(Entities.guildCreate(guild, accounts, user, 250, c -> c + 7));
    }

    /** @return the encoded {@code d}: the session's own fields spliced after the guild's shared part. */
    @Benchmark
    public byte[] spliced()
    {
        final ObjectNode own = Entities.guildCreateOwn(guild, accounts, user, true);
        own.set("presences", Json.array());
        own.set("voice_states", Json.array());
        return cache.encode(guild, true, Entities.visibleChannels(guild, user), c -> c + 7, own);
    }
}
