package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.bytes.Bytes;

import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes the records of a shard journal: one Chronicle Queue document per record, a compact binary
 * layout (native byte order, little-endian on x86/ARM), a one-byte kind first.
 * <pre>
 * STATE      +------+----------+-------------+----------------------+
 *            | 0x01 | type i32 | length i32  | payload (length B)   |
 *            +------+----------+-------------+----------------------+
 * MESSAGE    +------+--------+-------------+-----------+------------+--------------+-----------+----------+
 *            | 0x02 | id i64 | channel i64 | guild i64 | author i64 | edited i64   | flags i32 | bits i8  | ->
 *            +------+--------+-------------+-----------+------------+--------------+-----------+----------+
 *              -> | content length i32 | content (UTF-8, length B) | [extra length i32 | extra (UTF-8)]
 *                 bits: 0x1 tts, 0x2 pinned, 0x4 extra present (the API's embeds / message_reference as a JSON
 *                 object; records written before it existed have the bit clear and decode as before)
 * TOMBSTONE  +------+-------------+------------+
 *            | 0x03 | channel i64 | id i64     |
 *            +------+-------------+------------+
 * </pre>
 * A MESSAGE record is a whole message version (create, edit, pin): the newest one for an id wins. A TOMBSTONE
 * deletes the message. The {@code id} and {@code channel} of a MESSAGE sit at fixed offsets so recovery reads them
 * without decoding the content.
 * <p>
 * Content is standard UTF-8 (supplementary characters as 4 bytes), encoded through a reusable scratch array.
 * <p>
 * <b>Not thread-safe</b> (the scratch array): one instance per {@link ChronicleShardStore}.
 */
final class JournalRecordCodec
{
    /** Kind of an opaque state record. */
    static final byte STATE = 0x01;
    /** Kind of a message version. */
    static final byte MESSAGE = 0x02;
    /** Kind of a message tombstone. */
    static final byte TOMBSTONE = 0x03;

    /** Offset of a MESSAGE's id, after the kind byte. */
    static final int MESSAGE_ID_OFFSET = 1;
    /** Offset of a MESSAGE's channel id. */
    static final int MESSAGE_CHANNEL_OFFSET = MESSAGE_ID_OFFSET + Long.BYTES;
    /** Offset of a MESSAGE's bits (tts, pinned). */
    static final int MESSAGE_BITS_OFFSET = MESSAGE_CHANNEL_OFFSET + 4 * Long.BYTES + Integer.BYTES;
    /** Fixed part of a MESSAGE before the content bytes. */
    static final int MESSAGE_FIXED_LENGTH = 1 + 5 * Long.BYTES + Integer.BYTES + 1 + Integer.BYTES;

    private static final int TTS = 0x1;
    private static final int PINNED = 0x2;
    private static final int EXTRA = 0x4;

    private byte[] scratch = new byte[8 * 1024];

    /**
     * @param out     the document's bytes.
     * @param type    record type.
     * @param payload record bytes.
     */
    static void writeState(final Bytes<?> out, final int type, final byte[] payload)
    {
        out.writeByte(STATE);
        out.writeInt(type);
        out.writeInt(payload.length);
        out.write(payload, 0, payload.length);
    }

    /**
     * @param out     the document's bytes.
     * @param message the version to write.
     */
    void writeMessage(final Bytes<?> out, final StoredMessage message)
    {
        final String content = message.content() == null ? "" : message.content();
        final int length = encodeUtf8(content);
        out.writeByte(MESSAGE);
        out.writeLong(message.id());
        out.writeLong(message.channelId());
        out.writeLong(message.guildId());
        out.writeLong(message.authorId());
        out.writeLong(message.editedTimestampMillis());
        out.writeInt(message.flags());
        final String extra = message.extra();
        out.writeByte((byte)((message.tts() ? TTS : 0) | (message.pinned() ? PINNED : 0) | (extra != null ? EXTRA : 0)));
        out.writeInt(length);
        out.write(scratch, 0, length);
        if (extra != null)
        {
            final int extraLength = encodeUtf8(extra);
            out.writeInt(extraLength);
            out.write(scratch, 0, extraLength);
        }
    }

    /**
     * @param out       the document's bytes.
     * @param channelId channel of the deleted message.
     * @param messageId the deleted message.
     */
    static void writeTombstone(final Bytes<?> out, final long channelId, final long messageId)
    {
        out.writeByte(TOMBSTONE);
        out.writeLong(channelId);
        out.writeLong(messageId);
    }

    /**
     * @param in a document's bytes, positioned at its start.
     * @return the record kind (the byte is consumed).
     */
    static byte readKind(final Bytes<?> in)
    {
        return in.readByte();
    }

    /**
     * Reads the fixed id of a MESSAGE without moving the read position.
     *
     * @param in a MESSAGE document's bytes, positioned at its start (before the kind byte).
     * @return the message id.
     */
    static long peekMessageId(final Bytes<?> in)
    {
        requireRemaining(in, MESSAGE_FIXED_LENGTH);
        return in.readLong(in.readPosition() + MESSAGE_ID_OFFSET);
    }

    /**
     * Reads the fixed channel id of a MESSAGE without moving the read position.
     *
     * @param in a MESSAGE document's bytes, positioned at its start (before the kind byte).
     * @return the channel id.
     */
    static long peekMessageChannelId(final Bytes<?> in)
    {
        requireRemaining(in, MESSAGE_FIXED_LENGTH);
        return in.readLong(in.readPosition() + MESSAGE_CHANNEL_OFFSET);
    }

    /**
     * Reads the pinned bit of a MESSAGE without moving the read position.
     *
     * @param in a MESSAGE document's bytes, positioned at its start (before the kind byte).
     * @return whether the version is pinned.
     */
    static boolean peekMessagePinned(final Bytes<?> in)
    {
        requireRemaining(in, MESSAGE_FIXED_LENGTH);
        return (in.readByte(in.readPosition() + MESSAGE_BITS_OFFSET) & PINNED) != 0;
    }

    /**
     * @param in a MESSAGE document's bytes, positioned after the kind byte.
     * @return the decoded version.
     * @throws IllegalStateException if the record is short or malformed.
     */
    StoredMessage readMessage(final Bytes<?> in)
    {
        requireRemaining(in, MESSAGE_FIXED_LENGTH - 1);
        final long id = in.readLong();
        final long channelId = in.readLong();
        final long guildId = in.readLong();
        final long authorId = in.readLong();
        final long edited = in.readLong();
        final int flags = in.readInt();
        final int bits = in.readByte();
        final String content = readUtf8(in, "content");
        String extra = null;
        if ((bits & EXTRA) != 0)
        {
            requireRemaining(in, Integer.BYTES);
            extra = readUtf8(in, "extra");
        }
        return new StoredMessage(
            id, channelId, guildId, authorId, content, edited, flags, (bits & TTS) != 0, (bits & PINNED) != 0, extra);
    }

    /** Reads an i32 length and that many UTF-8 bytes (through the scratch array). */
    private String readUtf8(final Bytes<?> in, final String what)
    {
        final int length = in.readInt();
        if (length < 0)
        {
            throw new IllegalStateException("negative " + what + " length " + length);
        }
        requireRemaining(in, length);
        final byte[] buffer = scratch(length);
        in.read(buffer, 0, length);
        return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * @param in a STATE document's bytes, positioned after the kind byte.
     * @return the record type (consumed); read the payload next with {@link #readStatePayload(Bytes)}.
     */
    static int readStateType(final Bytes<?> in)
    {
        requireRemaining(in, 2 * Integer.BYTES);
        return in.readInt();
    }

    /**
     * @param in a STATE document's bytes, positioned after the type.
     * @return a new array with the payload.
     * @throws IllegalStateException if the record is short or malformed.
     */
    static byte[] readStatePayload(final Bytes<?> in)
    {
        final int length = in.readInt();
        if (length < 0)
        {
            throw new IllegalStateException("negative payload length " + length);
        }
        requireRemaining(in, length);
        final byte[] payload = new byte[length];
        in.read(payload, 0, length);
        return payload;
    }

    /**
     * @param in a TOMBSTONE document's bytes, positioned after the kind byte.
     * @return the channel id (consumed); read the message id next with {@link Bytes#readLong()}.
     */
    static long readTombstoneChannelId(final Bytes<?> in)
    {
        requireRemaining(in, 2 * Long.BYTES);
        return in.readLong();
    }

    /**
     * Encodes {@code text} as standard UTF-8 into the scratch array.
     *
     * @param text the text.
     * @return the number of bytes.
     */
    int encodeUtf8(final String text)
    {
        final int chars = text.length();
        final byte[] out = scratch(chars * 3);
        int n = 0;
        for (int i = 0; i < chars; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                out[n++] = (byte)c;
            }
            else if (c < 0x800)
            {
                out[n++] = (byte)(0xC0 | c >> 6);
                out[n++] = (byte)(0x80 | c & 0x3F);
            }
            else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = (byte)(0xF0 | cp >> 18);
                out[n++] = (byte)(0x80 | cp >> 12 & 0x3F);
                out[n++] = (byte)(0x80 | cp >> 6 & 0x3F);
                out[n++] = (byte)(0x80 | cp & 0x3F);
            }
            else if (Character.isSurrogate(c))
            {
                out[n++] = '?'; // unpaired surrogate: what String.getBytes(UTF_8) writes too
            }
            else
            {
                out[n++] = (byte)(0xE0 | c >> 12);
                out[n++] = (byte)(0x80 | c >> 6 & 0x3F);
                out[n++] = (byte)(0x80 | c & 0x3F);
            }
        }
        return n;
    }

    /**
     * @return the scratch array the last {@link #encodeUtf8(String)} wrote to.
     */
    byte[] scratch()
    {
        return scratch;
    }

    private byte[] scratch(final int capacity)
    {
        if (scratch.length < capacity)
        {
            scratch = new byte[Math.max(capacity, scratch.length << 1)];
        }
        return scratch;
    }

    private static void requireRemaining(final Bytes<?> in, final long length)
    {
        if (in.readRemaining() < length)
        {
            throw new IllegalStateException("record too short: " + in.readRemaining() + " < " + length + " bytes");
        }
    }
}
