package dev.pinwheel.benchmarks.probe;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;

import org.HdrHistogram.Histogram;

/**
 * What the presence probe's sessions receive, counted from the first bytes of each dispatch frame (no JSON parsing
 * on the client's event loops): PRESENCE_UPDATE, GUILD_MEMBER_LIST_UPDATE and TYPING_START frames, and for a session
 * that sent op 14 the time until its first GUILD_MEMBER_LIST_UPDATE carrying a SYNC.
 */
public final class PresenceLoad
{
    private static final byte[] PRESENCE = "{\"t\":\"PRESENCE_UPDATE\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LIST = "{\"t\":\"GUILD_MEMBER_LIST_UPDATE\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPING = "{\"t\":\"TYPING_START\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYNC = "\"op\":\"SYNC\"".getBytes(StandardCharsets.US_ASCII);
    private final LongAdder presences = new LongAdder();
    private final LongAdder listUpdates = new LongAdder();
    private final LongAdder typing = new LongAdder();
    private final LongAdder syncs = new LongAdder();
    private final AtomicLongArray op14Sent;
    private final Histogram syncMicros = new Histogram(60_000_000L, 3);

    /**
     * @param sessions sessions the client opens (indices 0..sessions-1).
     */
    public PresenceLoad(final int sessions)
    {
        this.op14Sent = new AtomicLongArray(sessions);
    }

    /**
     * Makes the sessions the client opens from now on identify with these intents and report their frames here.
     *
     * @param client  the load client.
     * @param intents IDENTIFY intents.
     */
    public void attach(final GatewayLoadClient client, final int intents)
    {
        client.sessions(intents, this::onFrame);
    }

    /**
     * Sends op 14 on a session and starts its clock.
     *
     * @param client the load client.
     * @param index  the session.
     * @param json   the op 14 payload.
     * @return false if there is no such session.
     */
    public boolean sendOp14(final GatewayLoadClient client, final int index, final String json)
    {
        op14Sent.set(index, System.nanoTime());
        return client.send(index, json);
    }

    private boolean onFrame(final ProbeSession session, final ByteBuf b, final long now)
    {
        if (startsWith(b, PRESENCE))
        {
            presences.increment();
            return true;
        }
        if (startsWith(b, LIST))
        {
            listUpdates.increment();
            final int i = session.index();
            final long sent = i < op14Sent.length() ? op14Sent.get(i) : 0;
            if (sent != 0 && contains(b, SYNC) && op14Sent.compareAndSet(i, sent, 0))
            {
                synchronized (syncMicros)
                {
                    syncMicros.recordValue(Math.max(1, (now - sent) / 1000));
                }
                syncs.increment();
            }
            return true;
        }
        if (startsWith(b, TYPING))
        {
            typing.increment();
            return true;
        }
        return false;
    }

    private static boolean startsWith(final ByteBuf b, final byte[] prefix)
    {
        if (b.readableBytes() < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (b.getByte(b.readerIndex() + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(final ByteBuf b, final byte[] needle)
    {
        final int end = b.writerIndex() - needle.length;
        outer:
        for (int i = b.readerIndex(); i <= end; i++)
        {
            for (int k = 0; k < needle.length; k++)
            {
                if (b.getByte(i + k) != needle[k])
                {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * @return PRESENCE_UPDATE frames received.
     */
    public long presences()
    {
        return presences.sum();
    }

    /**
     * @return GUILD_MEMBER_LIST_UPDATE frames received.
     */
    public long listUpdates()
    {
        return listUpdates.sum();
    }

    /**
     * @return TYPING_START frames received.
     */
    public long typing()
    {
        return typing.sum();
    }

    /**
     * @return op 14 requests answered with a SYNC.
     */
    public long syncs()
    {
        return syncs.sum();
    }

    /**
     * @return op 14 to SYNC, microseconds (a copy).
     */
    public Histogram syncLatency()
    {
        synchronized (syncMicros)
        {
            return syncMicros.copy();
        }
    }

    /** Forgets the SYNC latencies recorded so far. */
    public void resetSyncLatency()
    {
        synchronized (syncMicros)
        {
            syncMicros.reset();
        }
    }
}
