package dev.pinwheel.core.command;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Encodes one typed command as bytes: a type, then fields in a fixed order that the command's reader knows (the
 * sequential layout of SBE without its generated code). A command is bytes so that it can be counted by type,
 * logged, replayed and sent to another node exactly as it is sent to another shard — never a closure.
 * <pre>
 *   +-----------+---------------------------------------------------------------------+
 *   | type i32  | fields: i64 / i32 / i8, strings and byte arrays as (length i32, bytes) |
 *   +-----------+---------------------------------------------------------------------+
 *   native byte order; a null string or array has length -1
 * </pre>
 * One writer per producing thread, reused for every command (a shard has its own: {@code Shard#commandWriter}):
 * {@link #begin} starts a command, the {@code put} methods append, and the command is handed to
 * {@code Shard#send(int, CommandWriter)} or {@code ShardGroup#send(int, CommandWriter)}, which copy it.
 * <p>
 * <b>Not thread-safe.</b>
 */
public final class CommandWriter
{
    private final ExpandableArrayBuffer buffer;
    private int position;

    /** A writer with a 512-byte buffer that grows as commands need. */
    public CommandWriter()
    {
        this(512);
    }

    /**
     * @param initialCapacity starting size of the buffer.
     */
    public CommandWriter(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    /**
     * Starts a command, dropping whatever was written before.
     *
     * @param type the command's type, 0..{@value CommandReader#MAX_TYPE}.
     * @return this.
     */
    public CommandWriter begin(final int type)
    {
        if (type < 0 || type > CommandReader.MAX_TYPE)
        {
            throw new IllegalArgumentException("command type out of range: " + type);
        }
        buffer.putInt(0, type);
        position = Integer.BYTES;
        return this;
    }

    /**
     * @param value a 64-bit field.
     * @return this.
     */
    public CommandWriter putLong(final long value)
    {
        buffer.putLong(position, value);
        position += Long.BYTES;
        return this;
    }

    /**
     * @param value a 32-bit field.
     * @return this.
     */
    public CommandWriter putInt(final int value)
    {
        buffer.putInt(position, value);
        position += Integer.BYTES;
        return this;
    }

    /**
     * @param value a flag.
     * @return this.
     */
    public CommandWriter putBoolean(final boolean value)
    {
        buffer.putByte(position, value ? (byte)1 : 0);
        position++;
        return this;
    }

    /**
     * @param value a text field, or null.
     * @return this.
     */
    public CommandWriter putString(final String value)
    {
        if (value == null)
        {
            return putInt(-1);
        }
        if (isAscii(value))
        {
            final int n = value.length();
            buffer.putInt(position, n);
            buffer.putStringWithoutLengthAscii(position + Integer.BYTES, value);
            position += Integer.BYTES + n;
            return this;
        }
        return putBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isAscii(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            if (value.charAt(i) >= 0x80)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param value bytes (already encoded JSON...), or null.
     * @return this.
     */
    public CommandWriter putBytes(final byte[] value)
    {
        if (value == null)
        {
            return putInt(-1);
        }
        buffer.putInt(position, value.length);
        buffer.putBytes(position + Integer.BYTES, value);
        position += Integer.BYTES + value.length;
        return this;
    }

    /**
     * Appends bytes as they are, without a length: the fields of another command copied after a new header
     * ({@link #begin} with another type), say.
     *
     * @param source where the bytes are.
     * @param offset the first byte's index.
     * @param length how many.
     * @return this.
     */
    public CommandWriter putRaw(final DirectBuffer source, final int offset, final int length)
    {
        buffer.putBytes(position, source, offset, length);
        position += length;
        return this;
    }

    /**
     * @param values 64-bit values (ids...), or null.
     * @return this.
     */
    public CommandWriter putLongs(final long[] values)
    {
        if (values == null)
        {
            return putInt(-1);
        }
        putInt(values.length);
        for (final long v : values)
        {
            putLong(v);
        }
        return this;
    }

    /**
     * @return the command's type.
     */
    public int type()
    {
        return buffer.getInt(0);
    }

    /**
     * @return the bytes written, from index 0.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the command's length in bytes.
     */
    public int length()
    {
        return position;
    }
}
