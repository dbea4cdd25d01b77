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
}
