package dev.pinwheel.core.command;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads the command a {@link CommandWriter} wrote, field by field in the same order. A flyweight: it wraps the bytes
 * where they are (a ring slot, a received message) and allocates only for the strings and arrays it returns.
 * <p>
 * <b>Not thread-safe</b>; valid only while the wrapped bytes are (the duration of a
 * {@link CommandHandler#onCommand} call).
 */
public final class CommandReader
{
    /** Largest command type (types index per-type counters). */
    public static final int MAX_TYPE = 255;

    private DirectBuffer buffer;
    private int offset;
    private int length;
    private int position;

    /**
     * @param bytes  the buffer.
     * @param at     where the command starts.
     * @param length its length.
     * @return this, positioned at the first field.
     */
    public CommandReader wrap(final DirectBuffer bytes, final int at, final int length)
    {
        this.buffer = bytes;
        this.offset = at;
        this.length = length;
        this.position = at + Integer.BYTES;
        return this;
    }

    /**
     * @return the command's type.
     */
    public int type()
    {
        return buffer.getInt(offset);
    }

    /**
     * @param index a byte index from the command's start (a header field's: its origin, say).
     * @return the 32-bit field there; the reading position does not move.
     */
    public int intAt(final int index)
    {
        return buffer.getInt(offset + index);
    }

    /**
     * @param index a byte index from the command's start.
     * @return the 64-bit field there; the reading position does not move.
     */
    public long longAt(final int index)
    {
        return buffer.getLong(offset + index);
    }

    /**
     * @return bytes after the reading position (a field appended to some commands when they are sent again).
     */
    public int remaining()
    {
        return offset + length - position;
    }

    /**
     * Moves back to the first field (a failure handler reads the header again).
     *
     * @return this.
     */
    public CommandReader rewind()
    {
        position = offset + Integer.BYTES;
        return this;
    }

    /**
     * @return the next 64-bit field.
     */
    public long getLong()
    {
        check(Long.BYTES);
        final long v = buffer.getLong(position);
        position += Long.BYTES;
        return v;
    }

    /**
     * @return the next 32-bit field.
     */
    public int getInt()
    {
        check(Integer.BYTES);
        final int v = buffer.getInt(position);
        position += Integer.BYTES;
        return v;
    }

    /**
     * @return the next flag.
     */
    public boolean getBoolean()
    {
        check(1);
        return buffer.getByte(position++) != 0;
    }

    /**
     * @return the next text field, or null.
     */
    public String getString()
    {
        final int n = getInt();
        if (n < 0)
        {
            return null;
        }
        check(n);
        final String s = buffer.getStringWithoutLengthUtf8(position, n);
        position += n;
        return s;
    }

    /**
     * @return the next byte-array field, or null.
     */
    public byte[] getBytes()
    {
        final int n = getInt();
        if (n < 0)
        {
            return null;
        }
        check(n);
        final byte[] b = new byte[n];
        buffer.getBytes(position, b);
        position += n;
        return b;
    }

    /**
     * Reads the next byte-array field where it lies, without copying it: for a reader that copies the bytes straight
     * to where they go (an answer's body into the connection's buffer). The view is valid as long as the command is.
     *
     * @param view wrapped over the field's bytes (left as it was for a null field).
     * @return the field's length, or -1 for null.
     */
    public int getBytes(final UnsafeBuffer view)
    {
        final int n = getInt();
        if (n < 0)
        {
            return -1;
        }
        check(n);
        view.wrap(buffer, position, n);
        position += n;
        return n;
    }

    /**
     * @return the next array of 64-bit values, or null.
     */
    public long[] getLongs()
    {
        final int n = getInt();
        if (n < 0)
        {
            return null;
        }
        check((long)n * Long.BYTES);
        final long[] v = new long[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = buffer.getLong(position);
            position += Long.BYTES;
        }
        return v;
    }

    /**
     * @return the whole command's bytes, a copy (to log or keep it).
     */
    public byte[] copy()
    {
        final byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        return b;
    }

    private void check(final long bytes)
    {
        if (position + bytes > offset + length)
        {
            throw new IllegalStateException("command of type " + type() + " is shorter than its fields ("
                + length + " bytes)");
        }
    }
}
