package dev.pinwheel.core.guild;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link Permissions#in} against a reference written from Discord's documented algorithm, bit by bit and with
 * booleans (no masks shared with the implementation), over random guilds: random role permissions, random member
 * roles, random {@code @everyone}, role and member overwrites (including overwrites for roles the member does not
 * hold and for other members), owners, administrators and timeouts.
 */
class PermissionsPropertyTest
{
    private static final long GUILD = 1;
    private static final long USER = 500;
    private static final int BITS = 51;
    private static final long VIEW = 1L << 10;
    private static final long READ_HISTORY = 1L << 16;
    private static final int[] NEED_SEND = {17, 12, 15, 14}; // mention everyone, TTS, attach files, embed links

    @Test
    void channelPermissionsFollowTheDocumentedAlgorithm()
    {
        final Random random = new Random(15);
        for (int run = 0; run < 20_000; run++)
        {
            final boolean owner = random.nextInt(20) == 0;
            final Guild g = new Guild(GUILD, "g", owner ? USER : 2);
            g.putRole(new Role(GUILD, "@everyone", randomBits(random, 3), 0, 0));
            final List<Long> held = new ArrayList<>();
            final int roles = random.nextInt(5);
            for (int r = 0; r < roles; r++)
            {
                final long id = 100 + r;
                // administrators now and then
                final long perms = randomBits(random, 4) | (random.nextInt(25) == 0 ? Permissions.ADMINISTRATOR : 0);
                g.putRole(new Role(id, "r" + r, perms, r + 1, 0));
                if (random.nextBoolean())
                {
                    held.add(id);
                }
            }
            final long timeout = random.nextInt(6) == 0 ? System.currentTimeMillis() + 600_000
                : random.nextInt(6) == 0 ? 1 : 0; // 1: a timeout long over
            g.putMember(new Member(USER, 0, held.stream().mapToLong(Long::longValue).toArray(), null, timeout));
            final List<Overwrite> overwrites = new ArrayList<>();
            if (random.nextBoolean())
            {
                overwrites.add(new Overwrite(GUILD, Overwrite.ROLE, randomBits(random, 5), randomBits(random, 5)));
            }
            for (int r = 0; r < roles + 1; r++)
            {
                if (random.nextBoolean())
                {
                    overwrites.add(new Overwrite(100 + r, Overwrite.ROLE, randomBits(random, 5),
                        randomBits(random, 5)));
                }
            }
            if (random.nextBoolean())
            {
                overwrites.add(new Overwrite(random.nextInt(4) == 0 ? 3 : USER, Overwrite.MEMBER,
                    randomBits(random, 5), randomBits(random, 5)));
            }
            java.util.Collections.shuffle(overwrites, random);
            final GuildChannel c = new GuildChannel(10, GUILD, random.nextBoolean() ? GuildChannel.TEXT
                : GuildChannel.VOICE, "c", 0, null, 0, 0, 0).withOverwrites(overwrites.toArray(Overwrite[]::new));
            assertEquals(reference(g, c, owner, held, timeout > System.currentTimeMillis()),
                Permissions.in(g, USER, c), "run " + run);
        }
    }

    /** A few random bits, biased to the ones that matter here (view, send, history and what needs send). */
    private static long randomBits(final Random random, final int n)
    {
        long bits = 0;
        final int[] interesting = {10, 11, 16, 17, 12, 15, 14, 6, 13, 20, 21};
        for (int i = 0; i < n; i++)
        {
            bits |= 1L << (random.nextBoolean() ? interesting[random.nextInt(interesting.length)]
                : random.nextInt(BITS));
        }
        return random.nextInt(8) == 0 ? 0 : bits;
    }

    private static boolean bit(final long mask, final int b)
    {
        return ((mask >>> b) & 1) == 1;
    }

    private static long reference(final Guild g, final GuildChannel c, final boolean owner, final List<Long> held,
        final boolean timedOut)
    {
        final long all = (1L << BITS) - 1;
        if (owner)
        {
            return all;
        }
        final List<Role> mine = new ArrayList<>();
        mine.add(g.role(GUILD));
        held.forEach(id -> mine.add(g.role(id)));
        if (mine.stream().anyMatch(r -> bit(r.permissions(), 3)))
        {
            return all;
        }
        final boolean[] granted = new boolean[BITS];
        for (int b = 0; b < BITS; b++)
        {
            final int bit = b;
            boolean v = mine.stream().anyMatch(r -> bit(r.permissions(), bit));
            for (final Overwrite o : c.overwrites())
            {
                if (o.id() == GUILD)
                {
                    v = !bit(o.deny(), bit) && v || bit(o.allow(), bit);
                }
            }
            final boolean roleDeny = java.util.Arrays.stream(c.overwrites()).anyMatch(o -> o.type() == Overwrite.ROLE
                && o.id() != GUILD && held.contains(o.id()) && bit(o.deny(), bit));
            final boolean roleAllow = java.util.Arrays.stream(c.overwrites()).anyMatch(o -> o.type() == Overwrite.ROLE
                && o.id() != GUILD && held.contains(o.id()) && bit(o.allow(), bit));
            v = !roleDeny && v || roleAllow;
            for (final Overwrite o : c.overwrites())
            {
                if (o.type() == Overwrite.MEMBER && o.id() == USER)
                {
                    v = !bit(o.deny(), bit) && v || bit(o.allow(), bit);
                }
            }
            granted[b] = v;
        }
        if (!granted[10])
        {
            return 0;
        }
        if (!granted[11])
        {
            for (final int b : NEED_SEND)
            {
                granted[b] = false;
            }
        }
        long result = 0;
        for (int b = 0; b < BITS; b++)
        {
            final boolean keptByTimeout = !timedOut || (1L << b) == VIEW || (1L << b) == READ_HISTORY;
            if (granted[b] && keptByTimeout)
            {
                result |= 1L << b;
            }
        }
        return result;
    }
}
