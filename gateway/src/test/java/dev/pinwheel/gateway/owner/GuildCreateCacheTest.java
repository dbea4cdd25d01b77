package dev.pinwheel.gateway.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Test;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.GuildSettings;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Overwrite;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;

/**
 * {@link GuildCreateCache} against the GUILD_CREATE built whole for the same session ({@link Entities#guildCreate}),
 * as parsed JSON (no field twice), over thousands of random steps that change what a GUILD_CREATE shows — name, icon,
 * settings, owner, roles (permissions, hoists), channels and their overwrites (who sees them), a channel's newest
 * message, members joining and leaving — each followed by GUILD_CREATEs for random members, large or not; and the
 * shared part really is used again between changes.
 */
class GuildCreateCacheTest
{
    private static final long GUILD = 1L << 40;
    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @Test
    void everyGuildCreateIsTheOneBuiltWhole() throws Exception
    {
        final Random random = new Random(21);
        final Accounts accounts = new Accounts();
        final Guild g = new Guild(GUILD, "g", 1_000);
        g.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
        final List<Long> roles = new ArrayList<>();
        for (int r = 1; r <= 4; r++)
        {
            g.putRole(new Role(GUILD + r, "r" + r, Permissions.EVERYONE_DEFAULT, r, r));
            roles.add(GUILD + r);
        }
        long nextUser = 1_000;
        for (int i = 0; i < 140; i++)
        {
            accounts.put(new Account(nextUser, "u" + nextUser, "x", false));
            g.putMember(new Member(nextUser++, 0, someOf(random, roles), null));
        }
        long nextChannel = GUILD + 100;
        for (int c = 0; c < 4; c++)
        {
            g.putChannel(channel(random, nextChannel++, roles, c));
        }
        final Long2LongHashMap known = new Long2LongHashMap(-1);
        final java.util.function.LongUnaryOperator last = id -> Math.max(0, known.get(id));
        final GuildCreateCache cache = new GuildCreateCache();
        for (int step = 0; step < 1_500; step++)
        {
            switch (random.nextInt(30)) // a change in 12 steps of 30
            {
                case 0 -> g.rename("g" + step);
                case 1 -> g.icon(random.nextBoolean() ? null : "icon" + step);
                case 2 -> g.settings(new GuildSettings("about " + step, 0, 0, 300, step % 4, 0, 0));
                case 3 -> g.putRole(new Role(roles.get(random.nextInt(roles.size())), "r" + step,
                    random.nextBoolean() ? Permissions.EVERYONE_DEFAULT : 0, 1 + random.nextInt(4), step));
                case 4 -> g.hoist(roles.get(random.nextInt(roles.size())), random.nextBoolean());
                case 5 -> g.putChannel(channel(random, GUILD + 100 + random.nextInt((int)(nextChannel - GUILD - 100)),
                    roles, step));
                case 6 -> g.putChannel(channel(random, nextChannel++, roles, step));
                case 7 ->
                {
                    final List<GuildChannel> all = g.channels();
                    if (all.size() > 2)
                    {
                        g.removeChannel(all.get(random.nextInt(all.size())).id());
                    }
                }
                case 8 ->
                {
                    accounts.put(new Account(nextUser, "u" + nextUser, "x", false));
                    g.putMember(new Member(nextUser++, step, someOf(random, roles), null));
                }
                case 9 -> g.removeMember(anyMember(random, g));
                case 10 -> g.transferOwnership(anyMember(random, g));
                case 11 ->
                {
                    final List<GuildChannel> all = g.channels();
                    known.put(all.get(random.nextInt(all.size())).id(), step * 1_000L + 1);
                }
                default ->
                {
                    // nothing changed: the sessions below may use an encoding made before
                }
            }
            for (int session = 0; session < 6; session++)
            {
                final long user = anyMember(random, g);
                final int threshold = random.nextInt(4) == 0 ? 250 : 50;
                final ObjectNode whole = Entities.guildCreate(g, accounts, user, threshold, last);
                final ArrayNode voice = Json.array();
                voice.addObject().put("user_id", Json.id(user));
                whole.set("voice_states", voice);
                final boolean large = g.memberCount() > threshold;
                final ObjectNode own = Entities.guildCreateOwn(g, accounts, user, large);
                own.set("presences", Json.array());
                own.set("voice_states", voice);
                final byte[] spliced = cache.encode(g, large, Entities.visibleChannels(g, user), last, own);
                final JsonNode parsed = STRICT.readTree(spliced);
                assertEquals(whole, parsed, "step " + step + ", user " + user);
            }
        }
        assertTrue(cache.reused() > 4_000 && cache.encoded() > 1_000, cache.reused() + " / " + cache.encoded());
    }

    @Test
    void theCacheStaysWithinItsBytes() throws Exception
    {
        final Random random = new Random(5);
        final Accounts accounts = new Accounts();
        final GuildCreateCache cache = new GuildCreateCache(20_000);
        final List<Guild> guilds = new ArrayList<>();
        for (int k = 0; k < 30; k++)
        {
            final long id = GUILD + k * 1_000_000L;
            final Guild g = new Guild(id, "g" + k, 1_000);
            g.putRole(new Role(id, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
            for (int c = 0; c < 6; c++)
            {
                g.putChannel(new GuildChannel(id + 100 + c, id, GuildChannel.TEXT, "c" + c, c, "topic", 0, 0, 0));
            }
            for (long u = 1_000; u < 1_000 + GuildCreateCache.FROM_MEMBERS; u++)
            {
                accounts.put(new Account(u, "u" + u, "x", false));
                g.putMember(new Member(u, 0, new long[0], null));
            }
            guilds.add(g);
        }
        long bytesSeen = 0;
        for (int n = 0; n < 600; n++)
        {
            final Guild g = guilds.get(random.nextInt(guilds.size()));
            if (random.nextInt(5) == 0)
            {
                g.rename("renamed " + n); // its old encoding is let go
            }
            final long user = 1_000 + random.nextInt(GuildCreateCache.FROM_MEMBERS);
            final ObjectNode whole = Entities.guildCreate(g, accounts, user, 50, id -> 0);
            whole.set("voice_states", Json.array());
            final ObjectNode own = Entities.guildCreateOwn(g, accounts, user, true);
            own.set("presences", Json.array());
            own.set("voice_states", Json.array());
            final byte[] spliced = cache.encode(g, true, Entities.visibleChannels(g, user), id -> 0, own);
            assertEquals(whole, STRICT.readTree(spliced));
            assertTrue(cache.bytes() <= 20_000, cache.bytes() + " bytes kept");
            bytesSeen = Math.max(bytesSeen, cache.bytes());
        }
        assertTrue(bytesSeen > 10_000 && cache.reused() > 40, bytesSeen + " / " + cache.reused());
    }

    private static GuildChannel channel(final Random random, final long id, final List<Long> roles, final int step)
    {
        final List<Overwrite> overwrites = new ArrayList<>();
        if (random.nextBoolean())
        {
            overwrites.add(new Overwrite(GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL));
            overwrites.add(new Overwrite(roles.get(random.nextInt(roles.size())), Overwrite.ROLE,
                Permissions.VIEW_CHANNEL, 0));
        }
        return new GuildChannel(id, GUILD, GuildChannel.TEXT, "c" + id + "-" + step, step, "topic " + step, 0, 0, 0,
            overwrites.toArray(new Overwrite[0]));
    }

    private static long anyMember(final Random random, final Guild g)
    {
        final List<Member> all = new ArrayList<>(g.members());
        return all.get(random.nextInt(all.size())).userId();
    }

    private static long[] someOf(final Random random, final List<Long> roles)
    {
        return roles.stream().filter(r -> random.nextInt(3) == 0).mapToLong(Long::longValue).toArray();
    }
}
