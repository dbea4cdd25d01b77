package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoredMessage;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes the records of a shard journal: one Chronicle Queue document per record, a compact binary
 * layout in native byte order (little-endian on x86/ARM).
 * <p>
 * <b>Checked records</b> (everything written since checksums exist) frame themselves, independently of
 * Chronicle's document header, and carry a CRC32C:
 * <pre>
 *   +------+-------------+------------+------------------------------------+
 *   | kind | body length | crc32c     | body (body length bytes)           |
 *   | u8   | i32         | i32        |                                    |
 *   +------+-------------+------------+------------------------------------+
 *   kind: 0x11 STATE, 0x12 MESSAGE, 0x13 TOMBSTONE (the legacy kind | 0x10)
 *   crc32c over kind, body length and body (the crc field itself excluded)
 * </pre>
 * so that a flipped bit anywhere in a record is detected (at recovery and on every read), and a record whose
 * Chronicle header was damaged is still recognised by its own framing ({@link JournalScanner}).
 * <p>
 * <b>Bodies</b> (the same for checked and legacy records):
 * <pre>
 * STATE      | type i32 | length i32 | payload (length B) |
 * MESSAGE    | id i64 | channel i64 | guild i64 | author i64 | edited i64 | flags i32 | bits i8 |
 *              content length i32 | content (UTF-8) | [extra length i32 | extra (UTF-8)]
 *              bits: 0x1 tts, 0x2 pinned, 0x4 extra present (the API's embeds / message_reference, JSON)
 * TOMBSTONE  | channel i64 | id i64 |
 * </pre>
 * <b>Legacy records</b> (kinds 0x01, 0x02, 0x03) are a kind byte followed directly by the body: written before
 * checksums, they are still read (unverified) and never written.
 * <p>
 * A MESSAGE record is a whole message version (create, edit, pin): the newest one for an id wins. A TOMBSTONE deletes
 * the message. A MESSAGE's id, channel and bits sit at fixed body offsets so recovery reads them without decoding the
 * content. Content is standard UTF-8 (supplementary characters as 4 bytes).
 * <p>
 * <b>Not thread-safe</b> (the scratch buffer and checksum): one instance per journal owner.
 */
final class JournalRecordCodec
{
    /** Kind of an opaque state record (legacy layout; {@code | CHECKED} for the checked one). */
    static final byte STATE = 0x01;
    /** Kind of a message version. */
    static final byte MESSAGE = 0x02;
    /** Kind of a message tombstone. */
    static final byte TOMBSTONE = 0x03;
    /** Bit of a kind that marks the checked layout. */
    static final byte CHECKED = 0x10;

    /** Bytes before a checked record's body: kind, body length, crc32c. */
    static final int CHECKED_HEADER = 1 + Integer.BYTES + Integer.BYTES;
    private static final int LENGTH_OFFSET = 1;
    private static final int CRC_OFFSET = LENGTH_OFFSET + Integer.BYTES;

    /** Offset of a MESSAGE's id in its body. */
    static final int MESSAGE_ID_OFFSET = 0;
    /** Offset of a MESSAGE's channel id in its body. */
    static final int MESSAGE_CHANNEL_OFFSET = MESSAGE_ID_OFFSET + Long.BYTES;
    /** Offset of a MESSAGE's bits (tts, pinned, extra) in its body. */
    static final int MESSAGE_BITS_OFFSET = MESSAGE_CHANNEL_OFFSET + 4 * Long.BYTES + Integer.BYTES;
    /** Fixed part of a MESSAGE body before the content bytes. */
    static final int MESSAGE_FIXED_LENGTH = 5 * Long.BYTES + Integer.BYTES + 1 + Integer.BYTES;
    /** Length of a TOMBSTONE body. */
    static final int TOMBSTONE_LENGTH = 2 * Long.BYTES;
    /** Fixed part of a STATE body before the payload. */
    static final int STATE_FIXED_LENGTH = 2 * Integer.BYTES;

    private static final int TTS = 0x1;
    private static final int PINNED = 0x2;
    private static final int EXTRA = 0x4;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8 * 1024]);
    private final CRC32C crc = new CRC32C();

    // ------------------------------------------------------------------------------------------------ encoding

    /**
     * Encodes a checked STATE record into the scratch buffer ({@link #scratch()}).
     *
     * @param type    record type.
     * @param payload record bytes.
     * @return the record's length.
     */
    int encodeState(final int type, final byte[] payload)
    {
        final int body = STATE_FIXED_LENGTH + payload.length;
        ensure(CHECKED_HEADER + body);
        int p = CHECKED_HEADER;
        buffer.putInt(p, type);
        p += Integer.BYTES;
        buffer.putInt(p, payload.length);
        p += Integer.BYTES;
        buffer.putBytes(p, payload);
        return seal(STATE, body);
    }

    /**
     * Encodes a checked MESSAGE record into the scratch buffer.
     *
     * @param message the version to write.
     * @return the record's length.
     */
    int encodeMessage(final StoredMessage message)
    {
        final String content = message.content() == null ? "" : message.content();
        final String extra = message.extra();
        ensure(CHECKED_HEADER + MESSAGE_FIXED_LENGTH + content.length() * 3
            + (extra == null ? 0 : Integer.BYTES + extra.length() * 3));
        int p = CHECKED_HEADER;
        buffer.putLong(p, message.id());
        buffer.putLong(p + 8, message.channelId());
        buffer.putLong(p + 16, message.guildId());
        buffer.putLong(p + 24, message.authorId());
        buffer.putLong(p + 32, message.editedTimestampMillis());
        buffer.putInt(p + 40, message.flags());
        buffer.putByte(p + 44,
            (byte)((message.tts() ? TTS : 0) | (message.pinned() ? PINNED : 0) | (extra != null ? EXTRA : 0)));
        p += MESSAGE_FIXED_LENGTH;
        final int contentLength = encodeUtf8(content, buffer.byteArray(), p);
        buffer.putInt(p - Integer.BYTES, contentLength);
        p += contentLength;
        if (extra != null)
        {
            final int extraLength = encodeUtf8(extra, buffer.byteArray(), p + Integer.BYTES);
            buffer.putInt(p, extraLength);
            p += Integer.BYTES + extraLength;
        }
        return seal(MESSAGE, p - CHECKED_HEADER);
    }

    /**
     * Encodes a checked TOMBSTONE record into the scratch buffer.
     *
     * @param channelId channel of the deleted message.
     * @param messageId the deleted message.
     * @return the record's length.
     */
    int encodeTombstone(final long channelId, final long messageId)
    {
        ensure(CHECKED_HEADER + TOMBSTONE_LENGTH);
        buffer.putLong(CHECKED_HEADER, channelId);
        buffer.putLong(CHECKED_HEADER + Long.BYTES, messageId);
        return seal(TOMBSTONE, TOMBSTONE_LENGTH);
    }

    private int seal(final byte kind, final int bodyLength)
    {
        buffer.putByte(0, (byte)(kind | CHECKED));
        buffer.putInt(LENGTH_OFFSET, bodyLength);
        final int length = CHECKED_HEADER + bodyLength;
        buffer.putInt(CRC_OFFSET, checksum(buffer.byteArray(), 0, length));
        return length;
    }

    /**
     * @return the scratch array the last {@code encode*} wrote to, from offset 0.
     */
    byte[] scratch()
    {
        return buffer.byteArray();
    }

    /**
     * @return the CRC32C of the record the last {@code encode*} sealed.
     */
    int sealedChecksum()
    {
        return buffer.getInt(CRC_OFFSET);
    }

    // ------------------------------------------------------------------------------------------------ checksums

    /**
     * @param record   a whole checked record (header and body).
     * @param offset   where it starts.
     * @param length   {@link #CHECKED_HEADER} + its body length.
     * @return its CRC32C (over kind, body length and body).
     */
    int checksum(final byte[] record, final int offset, final int length)
    {
        crc.reset();
        crc.update(record, offset, CRC_OFFSET);
        crc.update(record, offset + CHECKED_HEADER, length - CHECKED_HEADER);
        return (int)crc.getValue();
    }

    /**
     * The same checksum over a record in a (mapped) buffer; the buffer's position and limit are changed.
     *
     * @param record a buffer holding the record.
     * @param offset where it starts.
     * @param length {@link #CHECKED_HEADER} + its body length.
     * @return its CRC32C.
     */
    int checksum(final ByteBuffer record, final int offset, final int length)
    {
        crc.reset();
        record.limit(offset + CRC_OFFSET).position(offset);
        crc.update(record);
        record.limit(offset + length).position(offset + CHECKED_HEADER);
        crc.update(record);
        return (int)crc.getValue();
    }

    /**
     * @param kind a record's first byte.
     * @return whether it is a checked record's kind.
     */
    static boolean isChecked(final byte kind)
    {
        return kind == (STATE | CHECKED) || kind == (MESSAGE | CHECKED) || kind == (TOMBSTONE | CHECKED);
    }

    /**
     * @param kind a record's first byte.
     * @return the kind without the checked bit.
     */
    static byte baseKind(final byte kind)
    {
        return (byte)(kind & ~CHECKED);
    }

    /**
     * @param buffer a buffer holding a checked record at {@code offset}.
     * @param offset where the record starts.
     * @return the body length it declares.
     */
    static int checkedBodyLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    /**
     * @param buffer a buffer holding a checked record at {@code offset}.
     * @param offset where the record starts.
     * @return the checksum it carries.
     */
    static int storedChecksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CRC_OFFSET);
    }

    // ------------------------------------------------------------------------------------------------ decoding

    /**
     * Decodes a MESSAGE body.
     *
     * @param in     the buffer.
     * @param offset the body's first byte.
     * @param length the body's length.
     * @return the decoded version.
     * @throws IllegalStateException if the body is short or malformed.
     */
    StoredMessage decodeMessage(final DirectBuffer in, final int offset, final int length)
    {
        require(length, MESSAGE_FIXED_LENGTH, "message");
        final long id = in.getLong(offset);
        final long channelId = in.getLong(offset + 8);
        final long guildId = in.getLong(offset + 16);
        final long authorId = in.getLong(offset + 24);
        final long edited = in.getLong(offset + 32);
        final int flags = in.getInt(offset + 40);
        final int bits = in.getByte(offset + 44);
        int p = offset + MESSAGE_FIXED_LENGTH;
        final int end = offset + length;
        final int contentLength = in.getInt(p - Integer.BYTES);
        require(end - p, contentLength, "content");
        final String content = in.getStringWithoutLengthUtf8(p, contentLength);
        p += contentLength;
        String extra = null;
        if ((bits & EXTRA) != 0)
        {
            require(end - p, Integer.BYTES, "extra length");
            final int extraLength = in.getInt(p);
            p += Integer.BYTES;
            require(end - p, extraLength, "extra");
            extra = in.getStringWithoutLengthUtf8(p, extraLength);
        }
        return new StoredMessage(
            id, channelId, guildId, authorId, content, edited, flags, (bits & TTS) != 0, (bits & PINNED) != 0, extra);
    }

    /**
     * @param in     the buffer.
     * @param offset a STATE body's first byte.
     * @param length the body's length.
     * @return the record type.
     * @throws IllegalStateException if the body is short or its payload length disagrees.
     */
    static int stateType(final DirectBuffer in, final int offset, final int length)
    {
        require(length, STATE_FIXED_LENGTH, "state");
        final int payloadLength = in.getInt(offset + Integer.BYTES);
        require(length - STATE_FIXED_LENGTH, payloadLength, "state payload");
        return in.getInt(offset);
    }

    /**
     * @param in     the buffer.
     * @param offset a STATE body's first byte (checked by {@link #stateType}).
     * @return a new array with the payload.
     */
    static byte[] statePayload(final DirectBuffer in, final int offset)
    {
        final byte[] payload = new byte[in.getInt(offset + Integer.BYTES)];
        in.getBytes(offset + STATE_FIXED_LENGTH, payload);
        return payload;
    }

    /**
     * @param in     the buffer.
     * @param offset a MESSAGE body's first byte.
     * @param length the body's length.
     * @throws IllegalStateException if the fixed part is missing.
     */
    static void requireMessageFixed(final DirectBuffer in, final int offset, final int length)
    {
        require(length, MESSAGE_FIXED_LENGTH, "message");
        final int contentLength = in.getInt(offset + MESSAGE_FIXED_LENGTH - Integer.BYTES);
        require(length - MESSAGE_FIXED_LENGTH, contentLength, "content");
    }

    /**
     * @param kind   a record's kind without the checked bit.
     * @param in     the buffer.
     * @param offset the record's body's first byte (its fixed part checked).
     * @return the message id a MESSAGE or TOMBSTONE carries, else 0.
     */
    static long messageIdOf(final byte kind, final DirectBuffer in, final int offset)
    {
        return switch (kind)
        {
            case MESSAGE -> in.getLong(offset + MESSAGE_ID_OFFSET);
            case TOMBSTONE -> in.getLong(offset + Long.BYTES);
            default -> 0;
        };
    }

    /**
     * @param in     the buffer.
     * @param offset a MESSAGE body's first byte.
     * @return whether the version is pinned.
     */
    static boolean messagePinned(final DirectBuffer in, final int offset)
    {
        return (in.getByte(offset + MESSAGE_BITS_OFFSET) & PINNED) != 0;
    }

    private static void require(final int have, final int need, final String what)
    {
        if (need < 0)
        {
            throw new IllegalStateException("negative " + what + " length " + need);
        }
        if (have < need)
        {
            throw new IllegalStateException(what + " too short: " + have + " < " + need + " bytes");
        }
    }

    // ------------------------------------------------------------------------------------------------ UTF-8

    /**
     * Encodes {@code text} as standard UTF-8 (an unpaired surrogate becomes '?', as {@code String.getBytes} does).
     *
     * @param text   the text.
     * @param out    where to write; room for {@code 3 × text.length()} bytes from {@code offset}.
     * @param offset first byte written.
     * @return the number of bytes.
     */
    static int encodeUtf8(final String text, final byte[] out, final int offset)
    {
        final int chars = text.length();
        int n = offset;
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
                out[n++] = '?';
            }
            else
            {
                out[n++] = (byte)(0xE0 | c >> 12);
                out[n++] = (byte)(0x80 | c >> 6 & 0x3F);
                out[n++] = (byte)(0x80 | c & 0x3F);
            }
        }
        return n - offset;
    }

    /**
     * @param text the text.
     * @return its standard UTF-8 bytes (tests and tools).
     */
    static byte[] utf8(final String text)
    {
        final byte[] out = new byte[text.length() * 3];
        return java.util.Arrays.copyOf(out, encodeUtf8(text, out, 0));
    }

    private void ensure(final int capacity)
    {
        if (buffer.capacity() < capacity)
        {
            buffer.wrap(new byte[Math.max(capacity, buffer.capacity() << 1)]);
        }
    }
}
