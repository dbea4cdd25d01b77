package dev.pinwheel.core.guild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;

/**
 * {@link Guild#holders}, {@link Guild#roleMembers} and {@link Guild#viewers}, kept up to date by member changes,
 * against a pass over every member after each of thousands of random changes: joins, leaves, new roles for a member,
 * role permissions changed (administrators, {@code @everyone} gaining and losing a permission), roles deleted,
 * ownership moved, a channel's overwrites changed — asked for now and then, so that several changes pass between two
 * questions. A viewer snapshot once handed out never changes (events carry it to other shards).
 */
class GuildMemberIndexesTest
{
    private static final long GUILD = 1;
    private static final long[] ASKED = {Permissions.MANAGE_CHANNELS, Permissions.VIEW_AUDIT_LOG,
        Permissions.MANAGE_CHANNELS | Permissions.VIEW_AUDIT_LOG};

    @Test
    void holdersFollowEveryChange()
    {
        final Random random = new Random(7);
        final Guild g = new Guild(GUILD, "g", 1_000);
        g.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
        final List<Long> roles = new ArrayList<>();
        long nextRole = 100;
        long nextUser = 1_000;
        int everyoneAnswers = 0;
        int setAnswers = 0;
        int viewerAnswers = 0;
        int roleAnswers = 0;
        final List<LongHashSet> snapshots = new ArrayList<>();
        final List<TreeSet<Long>> snapshotContents = new ArrayList<>();
        GuildChannel channel = restricted(random, roles);
        g.putChannel(channel);
        for (int step = 0; step < 6_000; step++)
        {
            final int op = random.nextInt(100);
            if (op < 40 || g.memberCount() < 5)
            {
                g.putMember(new Member(nextUser++, 0, someOf(random, roles), null));
            }
            else if (op < 55)
            {
                g.putMember(g.member(anyMember(random, g)).withRoles(someOf(random, roles)));
            }
            else if (op < 75)
            {
                g.removeMember(anyMember(random, g));
            }
            else if (op < 85 || roles.isEmpty())
            {
                final long id = roles.isEmpty() || random.nextBoolean() ? nextRole++ : roles.get(
                    random.nextInt(roles.size()));
                if (!roles.contains(id))
                {
                    roles.add(id);
                }
                g.putRole(new Role(id, "r" + id, randomPermissions(random), 1, 0));
            }
            else if (op < 90)
            {
                final long everyone = random.nextInt(4) == 0
                    ? Permissions.EVERYONE_DEFAULT | ASKED[random.nextInt(ASKED.length)] : Permissions.EVERYONE_DEFAULT;
                g.putRole(new Role(GUILD, "@everyone", everyone, 0, 0));
            }
            else if (op < 93)
            {
                g.removeRole(roles.remove(random.nextInt(roles.size())));
            }
            else if (op < 95)
            {
                channel = restricted(random, roles);
                g.putChannel(channel);
            }
            else
            {
                g.transferOwnership(anyMember(random, g));
            }
            if (random.nextInt(3) == 0)
            {
                final LongHashSet kept = g.viewers(channel);
                final TreeSet<Long> expected = new TreeSet<>();
                for (final Member m : g.members())
                {
                    if ((Permissions.in(g, m.userId(), channel) & Permissions.VIEW_CHANNEL) != 0)
                    {
                        expected.add(m.userId());
                    }
                }
                final TreeSet<Long> got = new TreeSet<>();
                if (kept == null)
                {
                    assertEquals(g.memberCount(), expected.size(), "null viewers, yet not every member sees it");
                }
                else
                {
                    kept.forEach(got::add);
                    assertEquals(expected, got, "viewers at step " + step);
                    viewerAnswers++;
                    if (snapshots.size() < 200)
                    {
                        snapshots.add(kept);
                        snapshotContents.add(got);
                    }
                }
            }
            if (!roles.isEmpty() && random.nextInt(4) == 0)
            {
                final long role = roles.get(random.nextInt(roles.size()));
                final TreeSet<Long> expected = new TreeSet<>();
                for (final Member m : g.members())
                {
                    if (java.util.Arrays.stream(m.roleIds()).anyMatch(r -> r == role))
                    {
                        expected.add(m.userId());
                    }
                }
                final TreeSet<Long> got = new TreeSet<>();
                g.roleMembers(role).forEach(got::add);
                assertEquals(expected, got, "members of role " + role + " at step " + step);
                roleAnswers++;
            }
            if (random.nextInt(4) == 0)
            {
                for (final long permission : ASKED)
                {
                    final LongHashSet kept = g.holders(permission);
                    final TreeSet<Long> expected = scan(g, permission);
                    if (kept == null)
                    {
                        assertEquals(g.memberCount(), expected.size(), "null holders, yet not every member holds it");
                        everyoneAnswers++;
                    }
                    else
                    {
                        final TreeSet<Long> got = new TreeSet<>();
                        kept.forEach(got::add);
                        assertEquals(expected, got, "step " + step + ", permission " + permission);
                        setAnswers++;
                    }
                }
            }
        }
        assertTrue(everyoneAnswers > 50 && setAnswers > 500 && viewerAnswers > 500 && roleAnswers > 500,
            everyoneAnswers + " / " + setAnswers + " / " + viewerAnswers + " / " + roleAnswers);
        for (int i = 0; i < snapshots.size(); i++)
        {
            final TreeSet<Long> now = new TreeSet<>();
            snapshots.get(i).forEach(now::add);
            assertEquals(snapshotContents.get(i), now, "a snapshot handed out was changed");
        }
    }

    @Test
    void aJoinOfSomeoneWhoMayNotSeeTheChannelKeepsItsViewers()
    {
        final Guild g = new Guild(GUILD, "g", 10);
        g.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
        g.putRole(new Role(100, "staff", Permissions.EVERYONE_DEFAULT, 1, 0));
        final GuildChannel staff = new GuildChannel(50, GUILD, GuildChannel.TEXT, "staff", 0, null, 0, 0, 0,
            new Overwrite[] {new Overwrite(GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL),
                new Overwrite(100, Overwrite.ROLE, Permissions.VIEW_CHANNEL, 0)});
        g.putChannel(staff);
        g.putMember(new Member(10, 0, new long[0], null));
        g.putMember(new Member(11, 0, new long[] {100}, null));
        final LongHashSet first = g.viewers(staff);
        assertEquals(2, first.size(), "the owner and the staff member");
        g.putMember(new Member(12, 0, new long[0], null));
        g.removeMember(12);
        assertTrue(first == g.viewers(staff), "nobody who sees it changed: the same snapshot (other shards' views stay)");
        g.putMember(new Member(13, 0, new long[] {100}, null));
        final LongHashSet second = g.viewers(staff);
        assertTrue(second != first && second.contains(13) && second.size() == 3, second.toString());
        assertEquals(2, first.size(), "the first snapshot is left as it was");
    }

    @Test
    void everyMemberHoldsWhatEveryoneHolds()
    {
        final Guild g = new Guild(GUILD, "g", 10);
        g.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
        g.putMember(new Member(10, 0, new long[0], null));
        g.putMember(new Member(11, 0, new long[0], null));
        final LongHashSet owners = g.holders(Permissions.MANAGE_CHANNELS);
        assertNotNull(owners);
        assertEquals(1, owners.size());
        assertTrue(owners.contains(10), "the owner holds every permission");
        g.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT | Permissions.ADMINISTRATOR, 0, 0));
        assertNull(g.holders(Permissions.MANAGE_CHANNELS), "administrator for everyone");
        g.putRole(new Role(GUILD, "@everyone", Permissions.EVERYONE_DEFAULT, 0, 0));
        assertEquals(1, g.holders(Permissions.MANAGE_CHANNELS).size());
    }

    /** A text channel {@code @everyone} may not see, which some of the roles (or one member) may. */
    private static GuildChannel restricted(final Random random, final List<Long> roles)
    {
        final List<Overwrite> overwrites = new ArrayList<>();
        overwrites.add(new Overwrite(GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL));
        for (final long role : roles)
        {
            if (random.nextInt(3) == 0)
            {
                overwrites.add(new Overwrite(role, Overwrite.ROLE, Permissions.VIEW_CHANNEL, 0));
            }
        }
        if (random.nextBoolean())
        {
            overwrites.add(new Overwrite(1_000 + random.nextInt(200), Overwrite.MEMBER, Permissions.VIEW_CHANNEL, 0));
        }
        return new GuildChannel(50, GUILD, GuildChannel.TEXT, "staff", 0, null, 0, 0, 0,
            overwrites.toArray(new Overwrite[0]));
    }

    private static TreeSet<Long> scan(final Guild g, final long permission)
    {
        final TreeSet<Long> out = new TreeSet<>();
        for (final Member m : g.members())
        {
            if (Permissions.has(Permissions.base(g, m.userId()), permission))
            {
                out.add(m.userId());
            }
        }
        return out;
    }

    private static long anyMember(final Random random, final Guild g)
    {
        final List<Member> all = new ArrayList<>(g.members());
        return all.get(random.nextInt(all.size())).userId();
    }

    private static long[] someOf(final Random random, final List<Long> roles)
    {
        return roles.stream().filter(r -> random.nextInt(4) == 0).mapToLong(Long::longValue).toArray();
    }

    private static long randomPermissions(final Random random)
    {
        long p = Permissions.EVERYONE_DEFAULT;
        if (random.nextInt(3) == 0)
        {
            p |= Permissions.MANAGE_CHANNELS;
        }
        if (random.nextInt(3) == 0)
        {
            p |= Permissions.VIEW_AUDIT_LOG;
        }
        if (random.nextInt(15) == 0)
        {
            p |= Permissions.ADMINISTRATOR;
        }
        return p;
    }
}
