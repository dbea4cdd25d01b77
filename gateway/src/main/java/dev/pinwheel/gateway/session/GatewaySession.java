package dev.pinwheel.gateway.session;

import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.gateway.codec.Intents;

/**
 * A gateway session: what survives a dropped connection until RESUME or expiry. It numbers the dispatches
 * it receives ({@code s}) and keeps the last N of them — references to the shared, encoded
 * {@link Dispatch} objects, never copies — so a RESUME replays exactly what was missed.
 * Confined to its shard thread.
 */
public final class GatewaySession extends SessionEndpoint
{
    private final String id;
    private final long userId;
    private final int intents;
    private final int largeThreshold;
    private final int shardId;
    private final int shardCount;
    /**
     * Slots a new session's resume buffer starts with: an idle session holds READY and its GUILD_CREATEs until its first
     * heartbeat acknowledges them, then nothing (issue 14: 48 bytes instead of 144 per idle session); one that falls
     * behind grows it.
     */
    private static final int INITIAL_BUFFER = 4;
    private final int maxBuffer;
    private Dispatch[] buffer;
    private int mask;
    /** Guilds whose GUILD_CREATE was asked for and has not come yet; null when none (most of a session's life). */
    private LongHashSet pendingGuilds;
    /** Guilds in which this session asked to be in a voice channel (cleared on leave); null when none. */
    private LongHashSet voiceGuilds;
    private long seq;
    /**
     * First sequence not yet handed to the connection: dispatches are corked in the resume buffer (where they are
     * kept anyway) and framed together, into one write, at the end of the duty cycle ({@link #flush}) — or as soon as
     * {@link #CORK_LIMIT} are waiting, so that a corked event is never overwritten before it is written.
     */
    private long unwritten = 1;
    /** At most this many dispatches wait for the end of the cycle (never more than the smallest resume buffer). */
    public static final int CORK_LIMIT = 16;
    /** Highest sequence the client has acknowledged in a heartbeat: events up to it are no longer kept. */
    private long acked;
    private GatewayConnection connection;
    private long detachedAtNanos;
    private boolean destroyed;
    /** Its resume window on its shard's {@link SessionTimers} (armed while detached); null until it first detaches. */
    SessionTimers.Timer timer;

    GatewaySession(final String id, final long userId, final int intents, final int largeThreshold,
        final int shardId, final int shardCount, final int bufferSize)
    {
        this.id = id;
        this.userId = userId;
        this.intents = intents;
        this.largeThreshold = largeThreshold;
        this.shardId = shardId;
        this.shardCount = shardCount;
        this.maxBuffer = bufferSize;
        this.buffer = new Dispatch[Math.min(INITIAL_BUFFER, bufferSize)];
        this.mask = buffer.length - 1;
    }

    public String id()
    {
        return id;
    }

    @Override
    public long userId()
    {
        return userId;
    }

    public int intents()
    {
        return intents;
    }

    int shardId()
    {
        return shardId;
    }

    int shardCount()
    {
        return shardCount;
    }

    int largeThreshold()
    {
        return largeThreshold;
    }

    /**
     * @param guildId a guild.
     * @return whether this session's Discord shard ({@code [id, count]} of IDENTIFY) covers the guild.
     */
    boolean coversGuild(final long guildId)
    {
        return shardCount <= 1 || (int)((guildId >>> 22) % shardCount) == shardId;
    }

    /**
     * @param guildId a guild whose voice channel this session joined.
     */
    void joinedVoice(final long guildId)
    {
        if (voiceGuilds == null)
        {
            voiceGuilds = new LongHashSet();
        }
        voiceGuilds.add(guildId);
    }

    /**
     * @param guildId a guild whose voice channel this session left.
     */
    void leftVoice(final long guildId)
    {
        if (voiceGuilds != null && voiceGuilds.remove(guildId) && voiceGuilds.isEmpty())
        {
            voiceGuilds = null; // an idle session holds no set (issue 14)
        }
    }

    /**
     * Forgets every voice channel this session joined.
     *
     * @return the guilds they were in.
     */
    long[] leaveAllVoice()
    {
        if (voiceGuilds == null)
        {
            return new long[0];
        }
        final long[] out = new long[voiceGuilds.size()];
        int i = 0;
        for (final LongHashSet.LongIterator it = voiceGuilds.iterator(); it.hasNext(); )
        {
            out[i++] = it.nextValue();
        }
        voiceGuilds = null;
        return out;
    }

    /**
     * @param guildId a guild whose GUILD_CREATE this session asks for.
     * @return false if it was asked for already.
     */
    boolean awaitGuild(final long guildId)
    {
        if (pendingGuilds == null)
        {
            pendingGuilds = new LongHashSet();
        }
        return pendingGuilds.add(guildId);
    }

    /**
     * @param guildId a guild whose GUILD_CREATE (or refusal) came.
     * @return whether it was awaited.
     */
    boolean guildArrived(final long guildId)
    {
        if (pendingGuilds == null || !pendingGuilds.remove(guildId))
        {
            return false;
        }
        if (pendingGuilds.isEmpty())
        {
            pendingGuilds = null; // an idle session holds no set (issue 14)
        }
        return true;
    }

    long seq()
    {
        return seq;
    }

    GatewayConnection connection()
    {
        return connection;
    }

    void attach(final GatewayConnection c)
    {
        connection = c;
        detachedAtNanos = 0;
    }

    void detach(final long nowNanos)
    {
        connection = null;
        detachedAtNanos = nowNanos;
    }

    long detachedAtNanos()
    {
        return detachedAtNanos;
    }

    boolean destroyed()
    {
        return destroyed;
    }

    void markDestroyed()
    {
        destroyed = true;
        connection = null;
    }

    @Override
    public void dispatch(final Dispatch d)
    {
        final int need = d.intent();
        if (destroyed || (need != 0 && (intents & need) == 0))
        {
            return;
        }
        final long s = ++seq;
        if (s - acked > buffer.length && buffer.length < maxBuffer)
        {
            grow();
        }
        buffer[(int)(s & mask)] = d;
        if (connection == null)
        {
            unwritten = s + 1; // kept for a RESUME, which replays from the client's own sequence
        }
        else if (s - unwritten + 1 >= Math.min(CORK_LIMIT, buffer.length))
        {
            writeCorked();
        }
    }

    @Override
    public void flush()
    {
        final GatewayConnection c = connection;
        if (c != null)
        {
            writeCorked();
            c.flush();
        }
    }

    /**
     * Hands every corked dispatch to the connection, framed into one write (not flushed). The connection calls it
     * before anything it writes itself (a heartbeat ACK, a close frame), so the client sees the order of old.
     */
    void writeCorked()
    {
        if (connection != null && unwritten <= seq)
        {
            connection.writeDispatches(buffer, mask, unwritten, seq, (intents & Intents.MESSAGE_CONTENT) != 0);
            unwritten = seq + 1;
        }
    }

    /**
     * Doubles the resume buffer, keeping the events it holds: sessions that acknowledge stay small ({@link #INITIAL_BUFFER} slots),
     * ones that fall behind grow to the configured maximum.
     */
    private void grow()
    {
        final Dispatch[] bigger = new Dispatch[buffer.length * 2];
        final int newMask = bigger.length - 1;
        for (long k = Math.max(1, seq - buffer.length); k < seq; k++)
        {
            bigger[(int)(k & newMask)] = buffer[(int)(k & mask)];
        }
        buffer = bigger;
        mask = newMask;
    }

    /**
     * The client acknowledged every dispatch up to {@code ack} (the {@code d} of its heartbeat): a RESUME never
     * asks for those again, so their slots are released — an idle session then holds no events at all (its
     * READY and GUILD_CREATE, encoded for it alone, are the biggest), and a session that keeps acknowledging
     * keeps its buffer small however many events it has seen.
     *
     * @param ack the last sequence the client says it received.
     */
    void acknowledge(final long ack)
    {
        final long upTo = Math.min(ack, unwritten - 1); // never release an event the client has not been sent
        if (upTo <= acked)
        {
            return;
        }
        // a slot holds sequence k only while k is among the last buffer.length: an older k's slot holds a newer
        // event (one the client may not have been sent yet, or needs for a RESUME), which stays
        for (long k = Math.max(acked + 1, seq - buffer.length + 1); k <= upTo; k++)
        {
            buffer[(int)(k & mask)] = null;
        }
        acked = upTo;
    }

    /**
     * Re-sends every dispatch after {@code lastSeq} to the connection, in order.
     *
     * @param lastSeq the last sequence the client saw.
     * @return false if some of those events are no longer buffered (the client must IDENTIFY).
     */
    boolean replay(final long lastSeq)
    {
        if (lastSeq < seq - buffer.length || lastSeq < acked)
        {
            return false; // overwritten, or released after the client acknowledged it
        }
        unwritten = lastSeq + 1;
        while (unwritten <= seq)
        {
            final long to = Math.min(seq, unwritten + CORK_LIMIT - 1);
            connection.writeDispatches(buffer, mask, unwritten, to, (intents & Intents.MESSAGE_CONTENT) != 0);
            unwritten = to + 1;
        }
        return true;
    }
}
