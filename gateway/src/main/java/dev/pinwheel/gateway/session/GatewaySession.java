package dev.pinwheel.gateway.session;

import org.agrona.collections.LongHashSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.DispatchLog;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.SessionIds;

/**
 * A gateway session: what survives a dropped connection until RESUME or expiry. It numbers the dispatches
 * it receives ({@code s}) and keeps the last N of them — references to the shared, encoded
 * {@link Dispatch} objects, never copies — so a RESUME replays exactly what was missed.
 * Confined to its shard thread.
 */
public final class GatewaySession extends SessionHotFields
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewaySession.class);
    /** Its id's first and last 16 hex digits ({@link SessionIds}): the string is built when asked for. */
    private final long idHigh;
    private final long idLow;
    /** {@code large_threshold} (50-250) as an unsigned byte: with the shard packed, 160 B a session instead of 176. */
    private final byte largeThreshold;
    /** {@code shard}: its index in the high 16 bits, the count ({@link #MAX_SHARD_COUNT} at most) in the low. */
    private final int shard;
    /**
     * Slots a new session's resume buffer starts with: an idle session holds READY and its GUILD_CREATEs until its first
     * heartbeat acknowledges them, then nothing (issue 14: 48 bytes instead of 144 per idle session); one that falls
     * behind grows it.
     */
    private static final int INITIAL_BUFFER = 4;
    /** The largest {@code shard} count an IDENTIFY may give (4010 above it): Discord's largest bots use thousands. */
    public static final int MAX_SHARD_COUNT = 0xFFFF;
    private static final String READY = "READY";
    private Dispatch[] buffer;
    /** Guilds whose GUILD_CREATE was asked for and has not come yet; null when none (most of a session's life). */
    private LongHashSet pendingGuilds;
    /** Guilds in which this session asked to be in a voice channel (cleared on leave); null when none. */
    private LongHashSet voiceGuilds;
    /**
     * At most this many dispatches wait for the end of the cycle (never more than the smallest resume buffer); a power
     * of two (the shard's scratch array for a run's events has this many slots).
     */
    public static final int CORK_LIMIT = 16;
    /** The most positions of a guild's log not offered to a session that its run goes on over ({@link #noneMineBefore}). */
    private static final int MAX_GAP = 64;
    /** Highest sequence the client has acknowledged in a heartbeat: events up to it are no longer kept. */
    private long acked;
    private GatewayConnection connection;
    private long detachedAtNanos;
    /** Its resume window on its shard's {@link SessionTimers} (armed while detached); null until it first detaches. */
    SessionTimers.Timer timer;

    GatewaySession(final long idHigh, final long idLow, final long userId, final int intents, final int largeThreshold,
        final int shardId, final int shardCount, final int bufferSize)
    {
        super(userId, intents, bufferSize);
        this.idHigh = idHigh;
        this.idLow = idLow;
        this.largeThreshold = (byte)largeThreshold;
        this.shard = shardId << 16 | shardCount;
        this.buffer = new Dispatch[Math.min(INITIAL_BUFFER, bufferSize)];
    }

    /**
     * A session outside any shard's registry, for benchmarks and tests of the delivery path: subscribe it to a
     * {@link dev.pinwheel.core.fanout.SessionIndex} and give it a {@link SessionWire} ({@link #attachWire}).
     *
     * @param idLow      the last 16 hex digits of its session id (the first are zero).
     * @param userId     its user.
     * @param intents    its gateway intents.
     * @param bufferSize its resume buffer's most events (a power of two).
     * @return the session, detached.
     */
    public static GatewaySession unattached(final long idLow, final long userId, final int intents,
        final int bufferSize)
    {
        return new GatewaySession(0, idLow, userId, intents, 50, 0, 1, bufferSize);
    }

    /** @return its session id (a new string each time: kept as two {@code long}s). */
    public String id()
    {
        return SessionIds.format(idHigh, idLow);
    }

    /** @return its id's first 16 hex digits (the key of its shard's sessions). */
    long idHigh()
    {
        return idHigh;
    }

    /**
     * @param low the last 16 hex digits of a session id whose first are this session's.
     * @return whether it is this session's id.
     */
    boolean isId(final long low)
    {
        return low == idLow;
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
        return shard >>> 16;
    }

    int shardCount()
    {
        return shard & 0xFFFF;
    }

    int largeThreshold()
    {
        return largeThreshold & 0xFF;
    }

    /**
     * @param guildId a guild.
     * @return whether this session's Discord shard ({@code [id, count]} of IDENTIFY) covers the guild.
     */
    boolean coversGuild(final long guildId)
    {
        final int count = shardCount();
        return count <= 1 || (int)((guildId >>> 22) % count) == shardId();
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
        attachWire(c);
        connection = c;
    }

    /**
     * @param w where dispatches are written from now on (a test's recorder; {@link #attach} for a connection).
     */
    public void attachWire(final SessionWire w)
    {
        wire = w;
        detachedAtNanos = 0;
    }

    void detach(final long nowNanos)
    {
        connection = null;
        wire = null;
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
        wire = null;
    }

    @Override
    public void dispatch(final Dispatch d)
    {
        final int need = d.intent();
        if (destroyed || (need != 0 && (intents & need) == 0))
        {
            return;
        }
        closeRun();
        final long s = ++seq;
        if (s - acked > buffer.length && buffer.length < maxBuffer)
        {
            grow(s - 1);
        }
        buffer[(int)(s & mask())] = d;
        queued(s);
    }

    /**
     * An event of a guild, at its position in the guild's log on this shard: if it follows this session's run there
     * (right after it, or after positions that are not this session's), the run only grows (no resume slot written);
     * otherwise the run is closed (its events copied into the resume buffer) and a new one starts here.
     */
    @Override
    public void dispatch(final Dispatch d, final DispatchLog log, final long position)
    {
        if (destroyed)
        {
            return;
        }
        final boolean follows = runLog == log && (runNextPos == position || noneMineBefore(log, position));
        if (follows && position != runNextPos)
        {
            runLastGap = position - 1; // it went on over positions that were not offered to it
        }
        final int need = d.intent();
        if (need != 0 && (intents & need) == 0)
        {
            if (follows)
            {
                runNextPos = position + 1;
                runLastGap = position;
            }
            return;
        }
        if (!follows)
        {
            closeRun(); // before the new sequence: the run ends at the current one
        }
        final long s = ++seq;
        if (!follows)
        {
            runLog = log;
            runFirstSeq = s;
            runPos = position;
            runLastGap = position - 1;
        }
        else if (s - runFirstSeq >= maxBuffer)
        {
            dropOldestOfRun(log);
        }
        runNextPos = position + 1;
        runLastPass = position;
        queued(s);
    }

    /**
     * The run holds more events than the resume buffer may: its oldest is dropped, as a full resume ring overwrites
     * its oldest slot (a RESUME from before it fails), so that a session that never acknowledges pins no more of the
     * log than its buffer's worth, and the log rarely has to make sessions copy their runs out at its limit. Never
     * an unwritten event: at most {@link #CORK_LIMIT} are, and the buffer holds at least that many.
     */
    private void dropOldestOfRun(final DispatchLog log)
    {
        runFirstSeq++;
        if (runLastGap <= runPos)
        {
            runPos++; // no gap after it: the next position is the run's next event (the log is not read)
            return;
        }
        do
        {
            runPos++;
        }
        while (runPos < runNextPos && !passes(log.at(runPos)));
    }

    /**
     * @return whether every position from the run's end up to {@code position} (not offered to this session: events
     *     of channels it cannot see, or for other users) is one it does not receive, so the run goes on over them;
     *     looked at for at most {@link #MAX_GAP} positions, else the run closes.
     */
    private boolean noneMineBefore(final DispatchLog log, final long position)
    {
        if (position - runNextPos > MAX_GAP || !log.holds(runNextPos))
        {
            return false;
        }
        for (long p = runNextPos; p < position; p++)
        {
            if (passes(log.at(p)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param d an event of a guild this session is subscribed to.
     * @return whether this session receives it: its intents allow it, it is for everyone or for this user, and its
     *     channel's audience, if any, holds this user (what the shard's delivery decides, as a pure function of the
     *     event, so that a run of a guild's log can be read back).
     */
    private boolean passes(final Dispatch d)
    {
        final int need = d.intent();
        if (need != 0 && (intents & need) == 0)
        {
            return false;
        }
        final long target = d.targetUserId();
        if (target != 0 && target != userId)
        {
            return false;
        }
        final LongHashSet audience = d.audience();
        return audience == null || inAudience(audience);
    }

    /** After event {@code s} was kept: written now if the cork is full, or skipped while no connection takes it. */
    private void queued(final long s)
    {
        if (wire == null)
        {
            unwritten = s + 1; // kept for a RESUME, which replays from the client's own sequence
        }
        else if (s - unwritten + 1 >= (runLog != null ? CORK_LIMIT : Math.min(CORK_LIMIT, buffer.length)))
        {
            // a run's events are in the log, not in the buffer (which takes no new event while a run is open)
            writeCorked();
        }
    }

    @Override
    public long oldestNeeded(final DispatchLog log)
    {
        return runLog == log && runFirstSeq <= seq ? runPos : Long.MAX_VALUE;
    }

    @Override
    public void evictBefore(final DispatchLog log, final long position)
    {
        if (runLog == log && runFirstSeq <= seq && runPos < position)
        {
            closeRun();
        }
    }

    @Override
    public void leaving(final DispatchLog log)
    {
        if (runLog == log)
        {
            closeRun();
        }
    }

    /**
     * Copies the open run's events into the resume buffer (growing it as {@link #dispatch(Dispatch)} would) and
     * closes the run. The log holds every position of an open run (it makes the run close before it releases one);
     * a slot left empty anyway makes a RESUME from before it fail, never a wrong event.
     */
    private void closeRun()
    {
        final DispatchLog log = runLog;
        if (log == null)
        {
            return;
        }
        if (runFirstSeq <= seq && !destroyed) // else nothing to keep: acknowledged, or the session ended
        {
            while (seq - acked > buffer.length && buffer.length < maxBuffer)
            {
                grow(runFirstSeq - 1);
            }
            final long oldestKept = Math.max(runFirstSeq, seq - buffer.length + 1);
            for (long k = copyRun(buffer, mask(), oldestKept); k >= oldestKept; k--)
            {
                buffer[(int)(k & mask())] = null; // no longer held: a RESUME from before it fails
            }
        }
        runLog = null;
        log.readerAdvanced();
    }

    @Override
    public void flush()
    {
        final SessionWire c = wire;
        if (c != null)
        {
            writeCorked();
            c.flush();
        }
    }

    /**
     * Hands every corked dispatch to the connection, framed into one write (not flushed). The connection calls it
     * before anything it writes itself (a heartbeat ACK, a close frame), so the client sees the order of old. Events
     * of the open run are read from the guild's log into the shard's scratch array.
     */
    void writeCorked()
    {
        final SessionWire c = wire;
        if (c == null || unwritten > seq)
        {
            return;
        }
        if (runLog == null || runFirstSeq > seq)
        {
            writeFromBuffer(seq); // every corked event is in the buffer
            return;
        }
        if (seq - unwritten + 1 > CORK_LIMIT)
        {
            closeRun(); // a long stretch (rare: corked events are written by CORK_LIMIT) goes through the buffer
            writeFromBuffer(seq);
            return;
        }
        final boolean seesContent = (intents & Intents.MESSAGE_CONTENT) != 0;
        final long firstPos = runLastPass - (seq - unwritten);
        if (unwritten >= runFirstSeq && runLastGap < firstPos && runLog.holds(firstPos))
        {
            // the corked events lie at consecutive positions of the log (all in the run: firstPos >= runPos follows, as
            // the run's positions from runPos on hold its events runFirstSeq..seq); written from its slots, nothing
            // copied (a reference stored into the scratch array costs a GC write barrier with a fence, per recipient)
            c.writeDispatches(runLog.slots(), runLog.slotMask(), firstPos, runLastPass, unwritten, seesContent);
            unwritten = seq + 1;
            return;
        }
        final Dispatch[] scratch = c.dispatchScratch();
        final int scratchMask = scratch.length - 1;
        final long from = Math.max(unwritten, runFirstSeq);
        long k = copyRun(scratch, scratchMask, from);
        if (k >= from)
        {
            java.util.Arrays.fill(scratch, null);
            lost(c, from, k);
            return;
        }
        for (k = unwritten; k < from; k++)
        {
            scratch[(int)(k & scratchMask)] = buffer[(int)(k & mask())];
        }
        c.writeDispatches(scratch, scratchMask, unwritten, seq, seesContent);
        for (k = unwritten; k <= seq; k++)
        {
            scratch[(int)(k & scratchMask)] = null; // the scratch keeps no event reachable
        }
        final boolean readyWritten = unwritten == 1;
        unwritten = seq + 1;
        if (readyWritten)
        {
            releaseReady();
        }
    }

    /**
     * Events to be written are missing (a bug: the guild's log keeps every open run, the buffer every event it copied
     * that was not acknowledged): never written as nothing or as another event; the connection is closed with 4000,
     * and a RESUME over them fails, so the client identifies again.
     */
    private void lost(final SessionWire c, final long from, final long to)
    {
        LOG.error("gateway session {}: events {}..{} are missing before they were written; the connection is closed "
            + "with 4000 and the client must identify again", id(), from, to);
        unwritten = seq + 1;
        c.close(dev.pinwheel.gateway.codec.CloseCodes.UNKNOWN_ERROR, "Events were lost before they were sent.");
    }

    /**
     * Copies the open run's events {@code from … seq} into a ring, at {@code sequence & intoMask}, reading the log back
     * from the run's last event.
     *
     * @return the newest sequence it did not find ({@code from - 1} when it found them all).
     */
    private long copyRun(final Dispatch[] into, final int intoMask, final long from)
    {
        final DispatchLog log = runLog;
        long k = seq;
        for (long p = runLastPass; k >= from && p >= runPos && log.holds(p); p--)
        {
            final Dispatch d = log.at(p);
            if (passes(d))
            {
                into[(int)(k & intoMask)] = d;
                k--;
            }
        }
        return k;
    }

    /** Writes the buffer's events from {@code unwritten} up to {@code to}, {@link #CORK_LIMIT} at a time. */
    private void writeFromBuffer(final long to)
    {
        for (long k = unwritten; k <= to; k++)
        {
            if (buffer[(int)(k & mask())] == null)
            {
                lost(wire, k, to);
                return;
            }
        }
        final boolean readyWritten = unwritten == 1;
        while (unwritten <= to)
        {
            final long end = Math.min(to, unwritten + CORK_LIMIT - 1);
            wire.writeDispatches(buffer, mask(), unwritten, end, (intents & Intents.MESSAGE_CONTENT) != 0);
            unwritten = end + 1;
        }
        if (readyWritten)
        {
            releaseReady();
        }
    }

    /**
     * Once written, READY (the session's first event) is dropped from the resume buffer: a client that can RESUME holds
     * the session id, so it has READY (and its sequence); only a RESUME claiming sequence 0 needed it, and that one now
     * fails (op 9: the client identifies again). Before, every session kept its READY (≈ 0.7 KiB with one guild, a
     * list of every guild for a bot) until its first heartbeat acknowledged it — up to 41 s, for every session of a
     * reconnect storm (issue 14).
     */
    private void releaseReady()
    {
        final int slot = (int)(1 & mask());
        final Dispatch first = buffer[slot];
        if (first != null && READY.equals(first.type()))
        {
            buffer[slot] = null;
        }
    }

    /** @return the resume buffer's index mask (its length, a power of two, less one). */
    private int mask()
    {
        return buffer.length - 1;
    }

    /**
     * Doubles the resume buffer, keeping the events it holds: sessions that acknowledge stay small ({@link #INITIAL_BUFFER} slots),
     * ones that fall behind grow to the configured maximum.
     *
     * @param newest the newest sequence the buffer holds.
     */
    private void grow(final long newest)
    {
        final Dispatch[] bigger = new Dispatch[buffer.length * 2];
        final int newMask = bigger.length - 1;
        for (long k = Math.max(1, newest - buffer.length + 1); k <= newest; k++)
        {
            bigger[(int)(k & newMask)] = buffer[(int)(k & mask())];
        }
        buffer = bigger;
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
        final boolean run = runLog != null && runFirstSeq <= seq;
        final long newestInBuffer = run ? runFirstSeq - 1 : seq;
        // a slot holds sequence k only while k is among the last buffer.length: an older k's slot holds a newer
        // event (one the client may not have been sent yet, or needs for a RESUME), which stays
        for (long k = Math.max(acked + 1, newestInBuffer - buffer.length + 1); k <= Math.min(upTo, newestInBuffer); k++)
        {
            buffer[(int)(k & mask())] = null;
        }
        acked = upTo;
        if (run && upTo >= runFirstSeq)
        {
            advanceRun(upTo + 1);
            runLog.readerAdvanced();
        }
    }

    /**
     * Moves the open run's start to sequence {@code first} (the ones before it acknowledged), so that the guild's log
     * can release what this session no longer needs.
     */
    private void advanceRun(final long first)
    {
        if (first > seq)
        {
            runFirstSeq = first;
            runPos = runNextPos;
            return;
        }
        long k = seq;
        for (long p = runLastPass; p >= runPos && runLog.holds(p); p--)
        {
            if (passes(runLog.at(p)))
            {
                if (k == first)
                {
                    runFirstSeq = first;
                    runPos = p;
                    return;
                }
                k--;
            }
        }
        // not held any more: the start stays (a RESUME from before the lost events fails)
    }

    /**
     * Re-sends every dispatch after {@code lastSeq} to the connection, in order.
     *
     * @param lastSeq the last sequence the client saw.
     * @return false if some of those events are no longer buffered (the client must IDENTIFY).
     */
    boolean replay(final long lastSeq)
    {
        if (lastSeq < acked)
        {
            return false; // released after the client acknowledged it
        }
        closeRun();
        if (lastSeq < seq - buffer.length)
        {
            return false; // overwritten
        }
        for (long k = lastSeq + 1; k <= seq; k++)
        {
            if (buffer[(int)(k & mask())] == null)
            {
                return false; // missing (never expected: see lost)
            }
        }
        unwritten = lastSeq + 1;
        writeFromBuffer(seq);
        return true;
    }
}
