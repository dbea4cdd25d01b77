package dev.pinwheel.cluster;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * An encoded guild event ({@link Dispatch}) as it crosses nodes: encoded once per (event, node) by the owner shard,
 * decoded once by the receiving node, whose interested shards then share the one decoded {@link Dispatch}.
 * <pre>
 *   guild i64 | author i64 | target user i64 | intent i32 |
 *   type (len i32, ASCII) | data (len i32, bytes) | redacted data (len i32 or -1, bytes) |
 *   audience (count i32 or -1, i64 each)
 * </pre>
 */
public final class DispatchFlyweight
{
    private DispatchFlyweight()
    {
    }

    /**
     * @param d  the event.
     * @return its encoded length.
     */
    public static int length(final Dispatch d)
    {
        final LongHashSet audience = d.audience();
        return 3 * Long.BYTES + Integer.BYTES
            + Integer.BYTES + d.typeAscii().length
            + Integer.BYTES + d.data().length
            + Integer.BYTES + (d.redactedData() == null ? 0 : d.redactedData().length)
            + Integer.BYTES + (audience == null ? 0 : audience.size() * Long.BYTES);
    }

    /**
     * @param d   the event.
     * @param out where to write it (room for {@link #length}).
     * @param at  offset.
     * @return bytes written.
     */
    public static int encode(final Dispatch d, final MutableDirectBuffer out, final int at)
    {
        int p = at;
        out.putLong(p, d.guildId());
        p += Long.BYTES;
        out.putLong(p, d.authorId());
        p += Long.BYTES;
        out.putLong(p, d.targetUserId());
        p += Long.BYTES;
        out.putInt(p, d.intent());
        p += Integer.BYTES;
        p = putBytes(out, p, d.typeAscii());
        p = putBytes(out, p, d.data());
        p = putBytes(out, p, d.redactedData());
        final LongHashSet audience = d.audience();
        if (audience == null)
        {
            out.putInt(p, -1);
            p += Integer.BYTES;
        }
        else
        {
            out.putInt(p, audience.size());
            p += Integer.BYTES;
            final LongHashSet.LongIterator it = audience.iterator();
            while (it.hasNext())
            {
                out.putLong(p, it.nextValue());
                p += Long.BYTES;
            }
        }
        return p - at;
    }

    /**
     * @param in     the received bytes.
     * @param at     where the event starts.
     * @return the event.
     */
    public static Dispatch decode(final DirectBuffer in, final int at)
    {
        int p = at;
        final long guild = in.getLong(p);
        p += Long.BYTES;
        final long author = in.getLong(p);
        p += Long.BYTES;
        final long targetUser = in.getLong(p);
        p += Long.BYTES;
        final int intent = in.getInt(p);
        p += Integer.BYTES;
        final byte[] type = getBytes(in, p);
        p += Integer.BYTES + type.length;
        final byte[] data = getBytes(in, p);
        p += Integer.BYTES + data.length;
        final byte[] redacted = getBytes(in, p);
        p += Integer.BYTES + (redacted == null ? 0 : redacted.length);
        final int count = in.getInt(p);
        p += Integer.BYTES;
        LongHashSet audience = null;
        if (count >= 0)
        {
            audience = new LongHashSet(Math.max(8, count * 2));
            for (int i = 0; i < count; i++)
            {
                audience.add(in.getLong(p));
                p += Long.BYTES;
            }
        }
        return new Dispatch(new String(type, StandardCharsets.US_ASCII), data, redacted, intent, guild, author,
            targetUser, audience);
    }

    private static int putBytes(final MutableDirectBuffer out, final int at, final byte[] b)
    {
        if (b == null)
        {
            out.putInt(at, -1);
            return at + Integer.BYTES;
        }
        out.putInt(at, b.length);
        out.putBytes(at + Integer.BYTES, b);
        return at + Integer.BYTES + b.length;
    }

    private static byte[] getBytes(final DirectBuffer in, final int at)
    {
        final int n = in.getInt(at);
        if (n < 0)
        {
            return null;
        }
        final byte[] b = new byte[n];
        in.getBytes(at + Integer.BYTES, b);
        return b;
    }
}
