package dev.pinwheel.storage;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A record read back from a journal ({@link Journal#read}): a private copy of its bytes and where its body is, or
 * why it could not be used. Reused for every read by its owner (one per store): valid until the next read.
 * <p>
 * <b>Not thread-safe.</b>
 */
final class JournalRecord
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private byte kind;
    private int bodyOffset;
    private int bodyLength;
    private String problem;

    /**
     * @param length bytes about to be copied in.
     * @return the array to copy them to, from index 0.
     */
    byte[] ensure(final int length)
    {
        if (buffer.capacity() < length)
        {
            buffer.wrap(new byte[Math.max(length, buffer.capacity() << 1)]);
        }
        return buffer.byteArray();
    }

    int ok(final byte recordKind, final int offset, final int length)
    {
        kind = recordKind;
        bodyOffset = offset;
        bodyLength = length;
        problem = null;
        return Journal.READ_OK;
    }

    int damaged(final String why)
    {
        problem = why;
        return Journal.READ_DAMAGED;
    }

    /**
     * @return the copy (the record from index 0).
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the record's kind without the checked bit.
     */
    byte kind()
    {
        return kind;
    }

    /**
     * @return where the body starts in {@link #buffer()}.
     */
    int bodyOffset()
    {
        return bodyOffset;
    }

    /**
     * @return the body's length.
     */
    int bodyLength()
    {
        return bodyLength;
    }

    /**
     * @return why the last read failed.
     */
    String problem()
    {
        return problem;
    }
}
