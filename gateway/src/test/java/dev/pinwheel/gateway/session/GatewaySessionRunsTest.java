package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionIndex;

/**
 * A guild's events reach its sessions through the guild's {@link dev.pinwheel.core.fanout.DispatchLog}: a session
 * keeps a run of the log instead of a resume slot per event (issue 14). Checked against a model, over random
 * mixes of guild events (some filtered out by a session's intents, some of channels only some users see, some for one
 * user), events for one session, flushes, heartbeat
 * acknowledgements, leaving and joining a guild, and connections dropped and resumed, with logs and resume buffers
 * small enough to overflow: every event a session receives is written exactly once, in order, while it is connected;
 * a RESUME replays exactly the events after the client's sequence; and one always succeeds while the session holds
 * no more unacknowledged events than its resume buffer (the log never drops what a session still needs: at its limit
 * the sessions that need its oldest events copy them into their own buffers).
 */
class GatewaySessionRunsTest
{
    private static final int BUFFER = 16;
    private static final int SESSIONS = 6;
    private static final long[] GUILDS = {1L << 22, 2L << 22};
    private static final int INTENT = 1 << 9;

    /** Records what a session writes, checking it against the model (events by sequence) as it goes. */
    static class Recorder implements SessionWire
    {
        final Dispatch[] scratch = new Dispatch[GatewaySession.CORK_LIMIT];
        final List<Dispatch> model;
        long next;
        int closes;

        Recorder(final List<Dispatch> model, final long next)
        {
            this.model = model;
            this.next = next;
        }

        @Override
        public void writeDispatches(final Dispatch[] ring, final int mask, final long from, final long to,
            final long firstSeq, final boolean seesContent)
        {
            assertEquals(next, firstSeq, "written right after the previous write");
            for (long i = from, s = firstSeq; i <= to; i++, s++)
            {
                assertSame(model.get((int)s), ring[(int)(i & mask)], "event " + s);
            }
            next = firstSeq + (to - from) + 1;
        }

        @Override
        public Dispatch[] dispatchScratch()
        {
            return scratch;
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close(final int code, final String reason)
        {
            closes++;
        }
    }

    @Test
    void runsMatchTheModel()
    {
        for (int round = 0; round < 40; round++)
        {
            run(new SplittableRandom(round), round % 2 == 0 ? 32 : 1024);
        }
    }

    /**
     * A session that filters out most of a busy guild's events, with one of its own corked, while another session
     * (detached, never acknowledging) keeps the guild's log at its limit: the corked event is still written, and the
     * detached session keeps as many events as its resume buffer holds.
     */
    @Test
    void aLogAtItsLimitLosesNothingASessionNeeds()
    {
        final SessionIndex index = new SessionIndex();
        index.logLimit(32);
        final GatewaySession filtering = new GatewaySession(0, 1, 1, 0, 50, 0, 1, BUFFER);
        final GatewaySession pinning = new GatewaySession(0, 1, 2, INTENT, 50, 0, 1, BUFFER);
        index.subscribe(GUILDS[0], filtering);
        index.subscribe(GUILDS[0], pinning);
        final List<Dispatch> model = new ArrayList<>(List.of(Dispatch.of("NONE", new byte[0])));
        final Recorder wire = new Recorder(model, 1);
        filtering.attachWire(wire);
        final Dispatch mine = new Dispatch("E", "{}".getBytes(), null, 0, GUILDS[0], 0, 0);
        model.add(mine);
        index.deliver(mine);
        for (int i = 0; i < 200; i++)
        {
            index.deliver(new Dispatch("F", "{}".getBytes(), null, INTENT, GUILDS[0], 0, 0));
        }
        index.flushDirty();
        assertEquals(2, wire.next, "its one event was written");
        assertEquals(0, wire.closes);
        assertEquals(201, pinning.seq());
        final List<Dispatch> pinned = new ArrayList<>();
        final Recorder replayed = new Recorder(pinned, 201 - BUFFER + 1)
        {
            @Override
            public void writeDispatches(final Dispatch[] ring, final int mask, final long from, final long to,
                final long firstSeq, final boolean seesContent)
            {
                for (long k = from; k <= to; k++)
                {
                    pinned.add(ring[(int)(k & mask)]);
                }
            }
        };
        pinning.attachWire(replayed);
        assertTrue(pinning.replay(201 - BUFFER), "the last " + BUFFER + " events are kept");
        assertEquals(BUFFER, pinned.size());
        assertTrue(pinned.stream().allMatch(d -> "F".equals(d.type())));
    }

    /**
     * A session that never acknowledges keeps its resume buffer's worth of a run and no more, as a full resume ring
     * did: the guild's log is not pinned by older events, a RESUME from the oldest kept one replays it all, and one
     * from before fails.
     */
    @Test
    void aRunKeepsAResumeBufferOfEvents()
    {
        final SessionIndex index = new SessionIndex();
        final GatewaySession lagging = new GatewaySession(0, 1, 1, INTENT, 50, 0, 1, BUFFER);
        index.subscribe(GUILDS[0], lagging);
        final List<Dispatch> model = new ArrayList<>(List.of(Dispatch.of("NONE", new byte[0])));
        for (int i = 1; i <= 100; i++)
        {
            final Dispatch d = new Dispatch("E", ("{\"n\":" + i + "}").getBytes(), null, 0, GUILDS[0], 0, 0);
            model.add(d);
            index.deliver(d);
            // every other event is for a channel this session cannot see
            index.deliver(new Dispatch("F", "{}".getBytes(), null, 0, GUILDS[0], 0, 0,
                new org.agrona.collections.LongHashSet()));
        }
        final dev.pinwheel.core.fanout.DispatchLog log = logOf(index);
        assertEquals(2 * (100 - BUFFER), lagging.oldestNeeded(log), "needs only the positions of its last 16 events");
        final Recorder from84 = new Recorder(model, 85);
        lagging.attachWire(from84);
        assertTrue(lagging.replay(84));
        assertEquals(101, from84.next);
        lagging.detach(0);
        final GatewaySession again = new GatewaySession(0, 1, 1, INTENT, 50, 0, 1, BUFFER);
        index.subscribe(GUILDS[0], again);
        for (int i = 0; i < 40; i++)
        {
            index.deliver(new Dispatch("E", "{}".getBytes(), null, 0, GUILDS[0], 0, 0));
        }
        again.attachWire(new Recorder(model, 1));
        assertEquals(false, again.replay(40 - BUFFER - 1), "before the last 16: gone");
    }

    private static dev.pinwheel.core.fanout.DispatchLog logOf(final SessionIndex index)
    {
        final dev.pinwheel.core.fanout.DispatchLog[] seen = new dev.pinwheel.core.fanout.DispatchLog[1];
        final dev.pinwheel.core.fanout.SessionEndpoint probe = new dev.pinwheel.core.fanout.SessionEndpoint()
        {
            @Override
            public long userId()
            {
                return 0;
            }

            @Override
            public void dispatch(final Dispatch dispatch)
            {
            }

            @Override
            public void dispatch(final Dispatch dispatch, final dev.pinwheel.core.fanout.DispatchLog log,
                final long position)
            {
                seen[0] = log;
            }

            @Override
            public void flush()
            {
            }
        };
        index.subscribe(GUILDS[0], probe);
        index.deliver(new Dispatch("P", "{}".getBytes(), null, 1 << 20, GUILDS[0], 0, 0));
        index.unsubscribe(GUILDS[0], probe);
        return seen[0];
    }

    private static void run(final SplittableRandom random, final int logLimit)
    {
        final SessionIndex index = new SessionIndex();
        index.logLimit(logLimit);
        final GatewaySession[] sessions = new GatewaySession[SESSIONS];
        final List<List<Dispatch>> model = new ArrayList<>();
        final Recorder[] wires = new Recorder[SESSIONS];
        final long[] acked = new long[SESSIONS];
        final boolean[][] in = new boolean[SESSIONS][GUILDS.length];
        for (int i = 0; i < SESSIONS; i++)
        {
            final boolean filters = i % 3 == 2;
            sessions[i] = new GatewaySession(0, i, 100 + i, filters ? 0 : INTENT, 50, 0, 1, BUFFER);
            model.add(new ArrayList<>(List.of(Dispatch.of("NONE", new byte[0])))); // sequences start at 1
            wires[i] = new Recorder(model.get(i), 1);
            sessions[i].attachWire(wires[i]);
            for (int g = 0; g < GUILDS.length; g++)
            {
                if (random.nextInt(4) != 0)
                {
                    index.subscribe(GUILDS[g], sessions[i]);
                    in[i][g] = true;
                }
            }
        }
        final org.agrona.collections.LongHashSet[] audiences = new org.agrona.collections.LongHashSet[2];
        for (int a = 0; a < audiences.length; a++)
        {
            audiences[a] = new org.agrona.collections.LongHashSet();
            for (int i = 0; i < SESSIONS; i++)
            {
                if (random.nextInt(3) != 0)
                {
                    audiences[a].add(100 + i);
                }
            }
        }
        int replays = 0;
        for (int step = 0; step < 3000; step++)
        {
            final int op = random.nextInt(100);
            if (op == 0)
            {
                // a burst in a channel some users cannot see: their runs meet gaps longer than they look across
                final int g = random.nextInt(GUILDS.length);
                final org.agrona.collections.LongHashSet audience = audiences[random.nextInt(audiences.length)];
                for (int b = 0; b < 80; b++)
                {
                    final Dispatch d = new Dispatch("B", ("{\"n\":" + step + "}").getBytes(), null, 0, GUILDS[g], 0,
                        0, audience);
                    for (int i = 0; i < SESSIONS; i++)
                    {
                        if (in[i][g] && audience.contains(100 + i))
                        {
                            model.get(i).add(d);
                        }
                    }
                    index.deliver(d);
                }
            }
            else if (op < 60)
            {
                final int g = random.nextInt(GUILDS.length);
                final boolean needsIntent = random.nextInt(4) == 0;
                final int kind = random.nextInt(10);
                // a channel whose viewers are some of the users (one of two snapshots), or an event for one user
                final org.agrona.collections.LongHashSet audience = kind < 2 ? audiences[kind] : null;
                final long target = kind == 2 ? 100 + random.nextInt(SESSIONS) : 0;
                final Dispatch d = new Dispatch("E", ("{\"n\":" + step + "}").getBytes(), null,
                    needsIntent ? INTENT : 0, GUILDS[g], 0, target, audience);
                for (int i = 0; i < SESSIONS; i++)
                {
                    if (in[i][g] && (!needsIntent || sessions[i].intents() != 0)
                        && (audience == null || audience.contains(100 + i)) && (target == 0 || target == 100 + i))
                    {
                        model.get(i).add(d); // first: a full cork is written during the delivery
                    }
                }
                index.deliver(d);
            }
            else if (op < 68)
            {
                final int i = random.nextInt(SESSIONS);
                final Dispatch d = Dispatch.of("DIRECT", ("{\"n\":" + step + "}").getBytes());
                model.get(i).add(d);
                index.deliverTo(sessions[i], d);
            }
            else if (op < 80)
            {
                index.flushDirty();
            }
            else if (op < 88)
            {
                final int i = random.nextInt(SESSIONS);
                if (wires[i] != null && wires[i].next > 1)
                {
                    final long ack = acked[i] + random.nextLong(wires[i].next - acked[i]);
                    sessions[i].acknowledge(ack);
                    acked[i] = Math.max(acked[i], ack);
                }
            }
            else if (op < 93)
            {
                final int i = random.nextInt(SESSIONS);
                final int g = random.nextInt(GUILDS.length);
                if (in[i][g])
                {
                    index.unsubscribe(GUILDS[g], sessions[i]);
                }
                else
                {
                    index.subscribe(GUILDS[g], sessions[i]);
                }
                in[i][g] = !in[i][g];
            }
            else
            {
                final int i = random.nextInt(SESSIONS);
                if (wires[i] != null)
                {
                    index.flushDirty();
                    sessions[i].detach(step);
                    wires[i] = null;
                    continue;
                }
                final long seq = sessions[i].seq();
                final long written = model.get(i).size() - 1;
                assertEquals(written, seq, "session " + i + " numbered every event it received");
                final long lastSeq = seq - random.nextLong(Math.min(seq - acked[i], 2L * BUFFER) + 1);
                final Recorder w = new Recorder(model.get(i), lastSeq + 1);
                sessions[i].attachWire(w);
                final boolean resumed = sessions[i].replay(lastSeq);
                if (seq - acked[i] <= BUFFER)
                {
                    assertTrue(resumed, "a session resumes within its buffer (" + (seq - lastSeq) + " events)");
                }
                if (resumed)
                {
                    assertEquals(seq + 1, w.next, "the replay wrote every event after " + lastSeq);
                    replays++;
                    wires[i] = w;
                }
                else
                {
                    // the client identifies again: a new session, numbered from 1
                    final GatewaySession fresh = new GatewaySession(0, 1_000 + step, 100 + i, sessions[i].intents(), 50,
                        0, 1, BUFFER);
                    for (int g = 0; g < GUILDS.length; g++)
                    {
                        if (in[i][g])
                        {
                            index.unsubscribe(GUILDS[g], sessions[i]);
                            index.subscribe(GUILDS[g], fresh);
                        }
                    }
                    sessions[i] = fresh;
                    model.set(i, new ArrayList<>(List.of(Dispatch.of("NONE", new byte[0]))));
                    acked[i] = 0;
                    wires[i] = new Recorder(model.get(i), 1);
                    fresh.attachWire(wires[i]);
                }
            }
        }
        index.flushDirty();
        for (int i = 0; i < SESSIONS; i++)
        {
            if (wires[i] != null)
            {
                assertEquals(model.get(i).size(), wires[i].next, "session " + i + " was sent every event");
                assertEquals(0, wires[i].closes, "no connection was closed for lost events");
            }
        }
        assertTrue(replays > 0, "some connections resumed");
    }
}
