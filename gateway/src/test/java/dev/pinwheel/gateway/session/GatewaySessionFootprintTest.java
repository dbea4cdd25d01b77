package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * An idle session holds no per-guild sets (issue 14): the set of awaited GUILD_CREATEs exists only while some are
 * awaited, the set of voice guilds only while the session is in a voice channel; its resume buffer starts at four
 * slots and grows, keeping every unacknowledged event, when the client falls behind.
 */
class GatewaySessionFootprintTest
{
    private static Object field(final GatewaySession s, final String name) throws ReflectiveOperationException
    {
        final Field f = GatewaySession.class.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(s);
    }

    @Test
    void setsExistOnlyWhileInUse() throws ReflectiveOperationException
    {
        final GatewaySession s = new GatewaySession(0, 1, 1, 0, 50, 0, 1, 1024);
        assertNull(field(s, "pendingGuilds"));
        assertNull(field(s, "voiceGuilds"));
        assertTrue(s.awaitGuild(10L << 22));
        assertFalse(s.awaitGuild(10L << 22), "asked for once");
        assertTrue(s.awaitGuild(11L << 22));
        assertTrue(s.guildArrived(10L << 22));
        assertFalse(s.guildArrived(10L << 22));
        assertTrue(s.guildArrived(11L << 22));
        assertNull(field(s, "pendingGuilds"), "none awaited: no set");
        assertFalse(s.guildArrived(12L << 22));

        s.joinedVoice(10L << 22);
        s.joinedVoice(11L << 22);
        s.leftVoice(10L << 22);
        assertArrayEquals(new long[] {11L << 22}, s.leaveAllVoice());
        assertNull(field(s, "voiceGuilds"));
        assertArrayEquals(new long[0], s.leaveAllVoice());
        s.joinedVoice(12L << 22);
        s.leftVoice(12L << 22);
        assertNull(field(s, "voiceGuilds"));
    }

    @Test
    void theResumeBufferGrowsAndKeepsWhatIsNotAcknowledged() throws ReflectiveOperationException
    {
        final GatewaySession s = new GatewaySession(0, 1, 1, 0, 50, 0, 1, 1024);
        assertEquals(4, ((Dispatch[])field(s, "buffer")).length);
        final Dispatch[] sent = new Dispatch[41];
        for (int i = 1; i <= 40; i++)
        {
            sent[i] = Dispatch.of("TEST", ("{\"n\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.dispatch(sent[i]); // detached: every event is kept for a RESUME
        }
        final Dispatch[] ring = (Dispatch[])field(s, "buffer");
        assertEquals(64, ring.length, "grown to hold 40 unacknowledged events");
        for (int i = 1; i <= 40; i++)
        {
            assertEquals(sent[i], ring[i & (ring.length - 1)], "event " + i);
        }
    }

    /**
     * A client that acknowledges more than a full buffer at once (a busy guild between two heartbeats) releases only
     * the events it acknowledged: the slots of older sequences hold newer events by then. Before, the release ran over
     * the whole ring and emptied the slots of events not acknowledged — not yet written to the socket, too: the
     * corked write then failed on an empty slot and the connection was closed (seen at 500 events/s in
     * {@code cluster-probe}).
     */
    @Test
    void anAcknowledgementOfMoreThanTheBufferReleasesOnlyWhatItAcknowledges() throws ReflectiveOperationException
    {
        final GatewaySession s = new GatewaySession(0, 1, 1, 0, 50, 0, 1, 8);
        final Dispatch[] sent = new Dispatch[41];
        for (int i = 1; i <= 40; i++)
        {
            sent[i] = Dispatch.of("TEST", ("{\"n\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.dispatch(sent[i]); // detached: the ring holds the last 8 (33..40), none acknowledged
        }
        final Dispatch[] ring = (Dispatch[])field(s, "buffer");
        assertEquals(8, ring.length, "at its maximum");
        s.acknowledge(32); // 32 events at once, more than the ring holds: none of 33..40 is released
        for (int i = 33; i <= 40; i++)
        {
            assertEquals(sent[i], ring[i & 7], "event " + i + " is not acknowledged: kept");
        }
        s.acknowledge(36);
        for (int i = 33; i <= 40; i++)
        {
            assertEquals(i <= 36 ? null : sent[i], ring[i & 7], "event " + i);
        }
    }

    /**
     * READY leaves the resume buffer once written: a client that can RESUME has it (it holds the session id). A RESUME
     * from after READY replays the rest; one claiming sequence 0 fails (the client identifies again). Before, READY was
     * kept until the first heartbeat acknowledged it.
     */
    @Test
    void readyLeavesTheResumeBufferOnceWritten() throws ReflectiveOperationException
    {
        final GatewaySession s = new GatewaySession(0, 1, 1, 0, 50, 0, 1, 1024);
        final Dispatch ready = Dispatch.of("READY", "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final Dispatch guild = Dispatch.of("GUILD_CREATE", "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final java.util.List<Dispatch> model = java.util.Arrays.asList(null, ready, guild); // by sequence
        final GatewaySessionRunsTest.Recorder wire = new GatewaySessionRunsTest.Recorder(model, 1);
        s.attachWire(wire);
        s.dispatch(ready);
        s.dispatch(guild);
        assertEquals(ready, ((Dispatch[])field(s, "buffer"))[1], "kept until written");
        s.flush();
        assertEquals(3, wire.next, "READY and GUILD_CREATE written, in order");
        final Dispatch[] ring = (Dispatch[])field(s, "buffer");
        assertNull(ring[1], "READY written: no longer kept");
        assertEquals(guild, ring[2], "GUILD_CREATE kept until acknowledged");

        final GatewaySessionRunsTest.Recorder resumed = new GatewaySessionRunsTest.Recorder(model, 2);
        s.attachWire(resumed);
        assertTrue(s.replay(1), "a RESUME after READY replays the rest");
        assertEquals(3, resumed.next, "GUILD_CREATE written again");
        assertFalse(s.replay(0), "a RESUME claiming sequence 0 cannot be served");
    }
}
