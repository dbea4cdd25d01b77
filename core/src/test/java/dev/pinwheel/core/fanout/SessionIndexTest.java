package dev.pinwheel.core.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SessionIndexTest
{
    static final class Recording extends SessionEndpoint
    {
        final long user;
        final List<Dispatch> got = new ArrayList<>();
        int flushes;

        Recording(final long user)
        {
            this.user = user;
        }

        @Override
        public long userId()
        {
            return user;
        }

        @Override
        public void dispatch(final Dispatch d)
        {
            got.add(d);
        }

        @Override
        public void flush()
        {
            flushes++;
        }
    }

    private static Dispatch event(final long guild, final long target)
    {
        return new Dispatch("MESSAGE_CREATE", new byte[] {'{', '}'}, null, 0, guild, 0, target);
    }

    @Test
    void deliversToSubscribersOfTheGuildOnlyAndFlushesEachOncePerCycle()
    {
        final SessionIndex index = new SessionIndex();
        final Recording a = new Recording(1);
        final Recording b = new Recording(2);
        final Recording other = new Recording(3);
        assertTrue(index.subscribe(10, a));
        assertFalse(index.subscribe(10, b));
        index.subscribe(20, other);
        assertEquals(2, index.deliver(event(10, 0)));
        assertEquals(2, index.deliver(event(10, 0)));
        assertEquals(2, a.got.size());
        assertEquals(0, other.got.size());
        assertEquals(2, index.flushDirty());
        assertEquals(1, a.flushes);
        assertEquals(0, index.flushDirty());
    }

    /**
     * Every session that got output in a cycle is flushed exactly once at its end, however it got it (an event for the
     * whole guild, for one user, for a channel most or few see, or for it alone) and whatever it did since: joined or
     * left guilds, also the one whose event it got (a guild-wide event marks its sessions and queues the guild, not each
     * session, so a session that left is found another way). Seeded random cycles against a model.
     */
    @Test
    void everySessionWithOutputIsFlushedOnceAtTheEndOfItsCycle()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        final SessionIndex index = new SessionIndex();
        final int sessions = 40;
        final Recording[] all = new Recording[sessions];
        final java.util.Set<Long>[] member = new java.util.Set[sessions];
        for (int i = 0; i < sessions; i++)
        {
            all[i] = new Recording(100 + i % 30); // some users have two sessions
            member[i] = new java.util.HashSet<>();
        }
        // a channel few see (its viewers are listed one by one) and one most see (the guild is walked at the flush)
        final org.agrona.collections.LongHashSet few = new org.agrona.collections.LongHashSet();
        final org.agrona.collections.LongHashSet most = new org.agrona.collections.LongHashSet();
        for (long u = 100; u < 130; u++)
        {
            (u % 3 == 0 ? few : most).add(u);
        }
        for (int cycle = 0; cycle < 500; cycle++)
        {
            final int[] flushesBefore = new int[sessions];
            for (int i = 0; i < sessions; i++)
            {
                flushesBefore[i] = all[i].flushes;
            }
            final java.util.Set<Integer> expected = new java.util.HashSet<>();
            for (int step = 0, steps = random.nextInt(12); step < steps; step++)
            {
                final int i = random.nextInt(sessions);
                final long guild = 1 + random.nextInt(3);
                switch (random.nextInt(6))
                {
                    case 0 ->
                    {
                        index.subscribe(guild, all[i]);
                        member[i].add(guild);
                    }
                    case 1 ->
                    {
                        index.unsubscribe(guild, all[i]);
                        member[i].remove(guild);
                    }
                    case 2 ->
                    {
                        index.deliver(event(guild, 0));
                        for (int k = 0; k < sessions; k++)
                        {
                            if (member[k].contains(guild))
                            {
                                expected.add(k);
                            }
                        }
                    }
                    case 3 ->
                    {
                        final long user = 100 + random.nextInt(30);
                        index.deliver(event(guild, user));
                        for (int k = 0; k < sessions; k++)
                        {
                            if (member[k].contains(guild) && all[k].user == user)
                            {
                                expected.add(k);
                            }
                        }
                    }
                    case 4 ->
                    {
                        final org.agrona.collections.LongHashSet viewers = random.nextBoolean() ? few : most;
                        index.deliver(event(guild, 0).withAudience(viewers));
                        for (int k = 0; k < sessions; k++)
                        {
                            if (member[k].contains(guild) && viewers.contains(all[k].user))
                            {
                                expected.add(k);
                            }
                        }
                    }
                    default ->
                    {
                        index.deliverTo(all[i], event(guild, 0));
                        expected.add(i);
                    }
                }
            }
            assertEquals(expected.size(), index.flushDirty(), "cycle " + cycle);
            for (int i = 0; i < sessions; i++)
            {
                assertEquals(flushesBefore[i] + (expected.contains(i) ? 1 : 0), all[i].flushes,
                    "session " + i + " in cycle " + cycle);
            }
        }
    }

    @Test
    void anEventWithAnAudienceReachesOnlyItsViewersAndANewSnapshotIsLookedUpAgain()
    {
        final SessionIndex index = new SessionIndex();
        final Recording a = new Recording(1);
        final Recording b = new Recording(2);
        index.subscribe(10, a);
        index.subscribe(10, b);
        final org.agrona.collections.LongHashSet onlyA = new org.agrona.collections.LongHashSet();
        onlyA.add(1);
        assertEquals(1, index.deliver(event(10, 0).withAudience(onlyA)));
        assertEquals(1, index.deliver(event(10, 0).withAudience(onlyA)), "the same snapshot: remembered");
        assertEquals(2, a.got.size());
        assertEquals(0, b.got.size());
        final org.agrona.collections.LongHashSet both = new org.agrona.collections.LongHashSet();
        both.add(1);
        both.add(2);
        assertEquals(2, index.deliver(event(10, 0).withAudience(both)), "a new snapshot after a change");
        assertEquals(2, index.deliver(event(10, 0)), "no audience: everyone");
        assertEquals(1, index.deliver(event(10, 0).withAudience(onlyA)), "and back");
    }

    private static Dispatch created(final long guild, final long messageId, final boolean again)
    {
        return new Dispatch("MESSAGE_CREATE", new byte[] {'{', '}'}, null, 0, guild, 0, 0, null, null, messageId,
            again);
    }

    /**
     * A MESSAGE_CREATE sent again (its owner died after writing it; the post came again) reaches this shard's sessions
     * once: skipped where its first copy was delivered, delivered where none was — also after more keyed events than
     * the ring first holds ({@link DeliveredKeys#INITIAL_CAPACITY}: before, the key was forgotten then, and the event
     * delivered twice).
     */
    @Test
    void anEventSentAgainIsDeliveredHereOnlyIfItsFirstCopyWasNot()
    {
        final SessionIndex index = new SessionIndex();
        final Recording a = new Recording(1);
        index.subscribe(10, a);
        assertEquals(1, index.deliver(created(10, 500, false)));
        assertEquals(0, index.deliver(created(10, 500, true)), "delivered here before: skipped");
        assertEquals(0, index.deliver(created(10, 500, false).withAudience(null).sentAgain()
            .withAudience(new org.agrona.collections.LongHashSet())), "an audience copy keeps its key and mark");
        assertEquals(1, index.deliver(created(10, 501, true)), "its first copy never came: delivered");
        assertEquals(0, index.deliver(created(10, 501, true)), "and only once");
        assertEquals(1, index.deliver(created(10, 502, false)), "a first copy is never skipped");
        assertEquals(1, index.deliver(created(10, 502, false)), "even twice (no key check on first copies)");
        assertEquals(1, index.deliver(event(10, 0)), "unkeyed events as before");
        for (int i = 0; i < 4 * DeliveredKeys.INITIAL_CAPACITY; i++)
        {
            index.deliver(created(10, 1_000 + i, false));
        }
        assertEquals(0, index.deliver(created(10, 500, true)), "remembered past the ring's first size (seconds old)");
        assertEquals(0, index.deliver(created(10, 1_000 + 4 * DeliveredKeys.INITIAL_CAPACITY - 1, true)));
        assertEquals(0, new SessionIndex().deliver(created(11, 600, true)), "nobody follows the guild here");
    }

    /** A DM's event goes to each of its users' sessions: keyed per user, so one user's copy does not skip the other's. */
    @Test
    void anEventSentAgainToOneUserIsKeyedForThatUser()
    {
        final DeliveredKeys keys = new DeliveredKeys();
        final Dispatch first = created(0, 700, false);
        assertTrue(keys.admit(first, 1));
        assertTrue(keys.admit(first, 2));
        assertFalse(keys.admit(first.sentAgain(), 1));
        assertFalse(keys.admit(first.sentAgain(), 2));
        assertTrue(keys.admit(first.sentAgain(), 3), "a user who never got it here");
        assertTrue(keys.admit(event(0, 3), 3), "unkeyed");
    }

    @Test
    void targetedDispatchReachesOnlyThatUser()
    {
        final SessionIndex index = new SessionIndex();
        final Recording a = new Recording(1);
        final Recording b = new Recording(2);
        index.subscribe(10, a);
        index.subscribe(10, b);
        assertEquals(1, index.deliver(event(10, 2)));
        assertEquals(0, a.got.size());
        assertEquals(1, b.got.size());
    }

    @Test
    void swapRemoveKeepsEverySlotConsistent()
    {
        final SessionIndex index = new SessionIndex();
        final List<Recording> sessions = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final Recording r = new Recording(i);
            sessions.add(r);
            index.subscribe(7, r);
            index.subscribe(8, r);
        }
        for (int i = 0; i < 100; i += 3)
        {
            index.unsubscribe(7, sessions.get(i));
        }
        assertEquals(66, index.subscribers(7));
        index.deliver(event(7, 0));
        for (int i = 0; i < 100; i++)
        {
            assertEquals(i % 3 == 0 ? 0 : 1, sessions.get(i).got.size(), "session " + i);
        }
        for (final Recording r : sessions)
        {
            index.unsubscribeAll(r);
        }
        assertEquals(0, index.guildCount());
    }

    /**
     * Random subscribes, unsubscribes and deliveries with and without audiences (more snapshots than the index keeps
     * views of, targeted and not) against a plain model: each event reaches exactly the subscribed sessions its
     * audience and target allow, however the cached views went stale.
     */
    @Test
    void audienceViewsStayExactThroughChurnAndManySnapshots()
    {
        final java.util.Random random = new java.util.Random(15);
        final SessionIndex index = new SessionIndex();
        final List<Recording> all = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            all.add(new Recording(100 + i % 30));
        }
        final java.util.Set<Recording> subscribed = new java.util.HashSet<>();
        final List<org.agrona.collections.LongHashSet> audiences = new ArrayList<>();
        for (int a = 0; a < 7; a++)
        {
            final org.agrona.collections.LongHashSet viewers = new org.agrona.collections.LongHashSet();
            for (long u = 100; u < 130; u++)
            {
                if (random.nextInt(3) != 0)
                {
                    viewers.add(u);
                }
            }
            audiences.add(viewers);
        }
        for (int step = 0; step < 5_000; step++)
        {
            final int op = random.nextInt(10);
            final Recording r = all.get(random.nextInt(all.size()));
            if (op < 2)
            {
                index.subscribe(10, r);
                subscribed.add(r);
            }
            else if (op < 3)
            {
                index.unsubscribe(10, r);
                subscribed.remove(r);
            }
            else
            {
                final org.agrona.collections.LongHashSet audience =
                    random.nextInt(5) == 0 ? null : audiences.get(random.nextInt(audiences.size()));
                final long target = random.nextInt(6) == 0 ? 100 + random.nextInt(30) : 0;
                final Dispatch d = event(10, target).withAudience(audience);
                for (final Recording each : all)
                {
                    each.got.clear();
                }
                int expected = 0;
                for (final Recording each : all)
                {
                    final boolean should = subscribed.contains(each) && (target == 0 || each.user == target)
                        && (audience == null || audience.contains(each.user));
                    expected += should ? 1 : 0;
                }
                assertEquals(expected, index.deliver(d), "step " + step);
                for (final Recording each : all)
                {
                    final boolean should = subscribed.contains(each) && (target == 0 || each.user == target)
                        && (audience == null || audience.contains(each.user));
                    assertEquals(should ? 1 : 0, each.got.size(), "step " + step + " user " + each.user);
                }
            }
        }
        index.flushDirty();
    }
}
