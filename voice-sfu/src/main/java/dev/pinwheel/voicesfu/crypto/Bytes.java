package dev.pinwheel.voicesfu.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte-array helpers of the ciphers: little/big-endian word access through array views (intrinsified by the
 * JIT: one load or store, no per-byte bounds checks) and XOR of runs. Allocation-free.
 */
final class Bytes
{
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes()
    {
    }

    static int le32(final byte[] b, final int off)
    {
        return (int)LE32.get(b, off);
    }

    static void putLe32(final byte[] b, final int off, final int v)
    {
        LE32.set(b, off, v);
    }

    static void putLe64(final byte[] b, final int off, final long v)
    {
        LE64.set(b, off, v);
    }

    static int be32(final byte[] b, final int off)
    {
        return (int)BE32.get(b, off);
    }

    static void putBe32(final byte[] b, final int off, final int v)
    {
        BE32.set(b, off, v);
    }

    static long be64(final byte[] b, final int off)
    {
        return (long)BE64.get(b, off);
    }

    static void putBe64(final byte[] b, final int off, final long v)
    {
        BE64.set(b, off, v);
    }

    /**
     * {@code out[outOff..+len) = a[aOff..+len) ^ b[bOff..+len)}; {@code out} may be {@code a} at the same offset.
     */
    static void xor(final byte[] a, final int aOff, final byte[] b, final int bOff, final byte[] out,
        final int outOff, final int len)
    {
        int i = 0;
        for (; i + 8 <= len; i += 8)
        {
            LE64.set(out, outOff + i, (long)LE64.get(a, aOff + i) ^ (long)LE64.get(b, bOff + i));
        }
        for (; i < len; i++)
        {
            out[outOff + i] = (byte)(a[aOff + i] ^ b[bOff + i]);
        }
    }

    /**
     * Constant-time comparison (no early exit).
     *
     * @return true when the two runs are equal.
     */
    static boolean equal(final byte[] a, final int aOff, final byte[] b, final int bOff, final int len)
    {
        int diff = 0;
        for (int i = 0; i < len; i++)
        {
            diff |= a[aOff + i] ^ b[bOff + i];
        }
        return diff == 0;
    }
}
