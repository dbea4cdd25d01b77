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
 *   guild i64 | author i64 | target user i64 | intent i32 | message key i64 (top bit: sent again) |
 *   type (len i32, ASCII) | data (len i32, bytes) | redacted data |
 *   audience (count i32 or -1, i64 each) | mentioned users (count i32, i64 each, ascending)
 *
 *   redacted data: -1 (none) | -2, prefix i32, suffix i32, middle (len i32, bytes)
 * </pre>
 * The redacted data (what a session without {@code MESSAGE_CONTENT} gets) is the data with a few fields emptied, so it
 * crosses as the data's common prefix and suffix, which the receiver copies, and the differing middle: a
 * MESSAGE_CREATE then fits one datagram (an MTU of 1,408 bytes) instead of two, and the sender's second cycle and
 * the receiver's second wake-up for its second half are gone from the hop.
 */
public final class DispatchFlyweight
{
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
        long[].class, java.nio.ByteOrder.nativeOrder());

    private DispatchFlyweight()
    {
    }

    /**
     * @param d the event.
     * @return at most its encoded length (the redacted data counted whole): room enough for {@link #encode}, found
     *         without comparing the data.
     */
    public static int maxLength(final Dispatch d)
    {
        final LongHashSet audience = d.audience();
        final byte[] redacted = d.redactedData();
        return 4 * Long.BYTES + Integer.BYTES
            + Integer.BYTES + d.typeAscii().length
            + Integer.BYTES + d.data().length
            + Integer.BYTES + (redacted == null ? 0 : 3 * Integer.BYTES + redacted.length)
            + Integer.BYTES + (audience == null ? 0 : audience.size() * Long.BYTES)
            + Integer.BYTES + (d.mentioned() == null ? 0 : d.mentioned().length * Long.BYTES);
    }

    /**
     * @param d  the event.
     * @return its encoded length.
     */
    public static int length(final Dispatch d)
    {
        final byte[] redacted = d.redactedData();
        return maxLength(d) - (redacted == null ? 0 : shared(d.data(), redacted));
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
        out.putLong(p, d.again() ? d.messageKey() | Long.MIN_VALUE : d.messageKey());
        p += Long.BYTES;
        p = putBytes(out, p, d.typeAscii());
        p = putBytes(out, p, d.data());
        p = putRedacted(out, p, d.data(), d.redactedData());
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
        // the users it mentions see its content without MESSAGE_CONTENT, on every node (before, only on the owner's)
        final long[] mentioned = d.mentioned();
        out.putInt(p, mentioned == null ? 0 : mentioned.length);
        p += Integer.BYTES;
        if (mentioned != null)
        {
            for (final long user : mentioned)
            {
                out.putLong(p, user);
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
        final long key = in.getLong(p);
        p += Long.BYTES;
        final byte[] type = getBytes(in, p);
        p += Integer.BYTES + type.length;
        final byte[] data = getBytes(in, p);
        p += Integer.BYTES + data.length;
        final byte[] redacted;
        final int form = in.getInt(p);
        p += Integer.BYTES;
        if (form == -1)
        {
            redacted = null;
        }
        else if (form == -2)
        {
            final int prefix = in.getInt(p);
            final int suffix = in.getInt(p + Integer.BYTES);
            final int middle = in.getInt(p + 2 * Integer.BYTES);
            p += 3 * Integer.BYTES;
            if (prefix < 0 || suffix < 0 || middle < 0 || prefix + suffix > data.length)
            {
                throw new IllegalArgumentException("a malformed redacted event: prefix " + prefix + ", suffix " + suffix
                    + ", middle " + middle + " of " + data.length + " bytes");
            }
            redacted = new byte[prefix + middle + suffix];
            System.arraycopy(data, 0, redacted, 0, prefix);
            in.getBytes(p, redacted, prefix, middle);
            System.arraycopy(data, data.length - suffix, redacted, prefix + middle, suffix);
            p += middle;
        }
        else
        {
            throw new IllegalArgumentException("a malformed event: redacted form " + form);
        }
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
        final int mentions = in.getInt(p);
        p += Integer.BYTES;
        if (mentions < 0 || mentions > (in.capacity() - p) / Long.BYTES)
        {
            throw new IllegalArgumentException("a malformed event: " + mentions + " mentioned users");
        }
        final long[] mentioned = mentions == 0 ? null : new long[mentions];
        for (int i = 0; i < mentions; i++)
        {
            mentioned[i] = in.getLong(p);
            p += Long.BYTES;
        }
        return new Dispatch(new String(type, StandardCharsets.US_ASCII), data, redacted, intent, guild, author,
            targetUser, audience, mentioned, key & Long.MAX_VALUE, key < 0);
    }

    /** @return the bytes the redacted data shares with the data: their common prefix plus common suffix. */
    private static int shared(final byte[] data, final byte[] redacted)
    {
        final long ps = prefixAndSuffix(data, redacted);
        return (int)(ps >>> 32) + (int)ps;
    }

    /** @return the common prefix's length in the high half, the common suffix's (not overlapping it) in the low. */
    private static long prefixAndSuffix(final byte[] data, final byte[] redacted)
    {
        final int mismatch = java.util.Arrays.mismatch(data, redacted);
        final int max = Math.min(data.length, redacted.length);
        final int prefix = mismatch < 0 ? max : mismatch;
        final int room = max - prefix;
        int suffix = 0;
        while (suffix + Long.BYTES <= room // eight bytes at a time from the end: the suffix is most of the event
            && (long)LONGS.get(data, data.length - Long.BYTES - suffix)
                == (long)LONGS.get(redacted, redacted.length - Long.BYTES - suffix))
        {
            suffix += Long.BYTES;
        }
        while (suffix < room && data[data.length - 1 - suffix] == redacted[redacted.length - 1 - suffix])
        {
            suffix++;
        }
        return (long)prefix << 32 | suffix;
    }

    private static int putRedacted(final MutableDirectBuffer out, final int at, final byte[] data,
        final byte[] redacted)
    {
        if (redacted == null)
        {
            out.putInt(at, -1);
            return at + Integer.BYTES;
        }
        final long ps = prefixAndSuffix(data, redacted);
        final int prefix = (int)(ps >>> 32);
        final int suffix = (int)ps;
        final int middle = redacted.length - prefix - suffix;
        out.putInt(at, -2);
        out.putInt(at + Integer.BYTES, prefix);
        out.putInt(at + 2 * Integer.BYTES, suffix);
        out.putInt(at + 3 * Integer.BYTES, middle);
        out.putBytes(at + 4 * Integer.BYTES, redacted, prefix, middle);
        return at + 4 * Integer.BYTES + middle;
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
