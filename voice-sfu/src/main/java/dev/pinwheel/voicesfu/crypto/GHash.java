package dev.pinwheel.voicesfu.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.slf4j.LoggerFactory;

/**
 * GHASH of GCM (NIST SP 800-38D §6.4) in constant time, without tables: GF(2^128) multiplication by the hash
 * key H is a carry-less multiply built from ordinary 64-bit integer multiplies whose operands keep only every
 * fourth bit (a 64×64 product then has at most 15 terms per kept bit position, so the carries stay inside
 * each 4-bit group and are masked away), the high half of each 64×64 product taken from the bit-reversed
 * operands, three such products per block (Karatsuba), then the 256-bit product is shifted into GCM's
 * reflected bit order and reduced by x^128 + x^7 + x^2 + x + 1.
 * <p>
 * Blocks are loaded big-endian: word {@code 1} holds bytes 0..7 (the lowest-degree coefficients, most
 * significant bit first), word {@code 0} bytes 8..15. NOT thread-safe; allocation-free.
 * <p>
 * <b>Fast path.</b> When the JVM runs with {@code --add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED}
 * (Pinwheel's {@code modules.args} has it), blocks go through the JDK's own GHASH kernel
 * ({@code com.sun.crypto.provider.GHASH.processBlocks}, an intrinsic: PCLMULQDQ/AVX on x86, PMULL on ARM) called
 * through a constant method handle on our own state arrays — the same instructions the JDK's AES/GCM uses,
 * without its per-{@code init} allocation. ~10× the portable path. If the JDK renames it or access is denied,
 * the portable constant-time code above is used and one line is logged.
 */
final class GHash
{
    /** {@code static void processBlocks(byte[] data, int inOfs, int blocks, long[] st, long[] subH)} or null. */
    private static final MethodHandle JDK_KERNEL = jdkKernel();
    /** Length of the JDK kernel's subkey table: H and the powers its wide (AVX) code caches there. */
    private static final int JDK_TABLE = 18;

    private static final long M1 = 0x1111111111111111L;
    private static final long M2 = 0x2222222222222222L;
    private static final long M4 = 0x4444444444444444L;
    private static final long M8 = 0x8888888888888888L;

    private long h0;
    private long h1;
    private long h2;
    private long h0r;
    private long h1r;
    private long h2r;
    private long y0;
    private long y1;
    private final byte[] last = new byte[16];
    private final long[] st;
    private final long[] subH;

    /** A GHASH on the fastest available path. */
    GHash()
    {
        this(JDK_KERNEL != null);
    }

    /**
     * @param useJdkKernel false forces the portable path (tests compare both).
     */
    GHash(final boolean useJdkKernel)
    {
        final boolean fast = useJdkKernel && JDK_KERNEL != null;
        st = fast ? new long[2] : null;
        subH = fast ? new long[JDK_TABLE] : null;
    }

    /**
     * @return true when the JDK's intrinsic GHASH kernel is reachable in this JVM.
     */
    static boolean jdkKernelAvailable()
    {
        return JDK_KERNEL != null;
    }

    private static MethodHandle jdkKernel()
    {
        try
        {
            final Class<?> ghash = Class.forName("com.sun.crypto.provider.GHASH");
            final MethodHandle mh = MethodHandles.privateLookupIn(ghash, MethodHandles.lookup()).findStatic(ghash,
                "processBlocks", MethodType.methodType(void.class, byte[].class, int.class, int.class,
                    long[].class, long[].class));
            // prove it on a known case before trusting it: (0 ^ X) * H with H = x^0 (0x80..) is X
            final long[] s = new long[2];
            final long[] h = new long[JDK_TABLE];
            h[0] = Long.MIN_VALUE;
            final byte[] x = new byte[16];
            x[0] = 0x12;
            x[15] = 0x34;
            mh.invokeExact(x, 0, 1, s, h);
            if (s[0] != 0x1200000000000000L || s[1] != 0x34L)
            {
                throw new IllegalStateException("unexpected result of the JDK GHASH kernel");
            }
            return mh;
        }
        catch (final Throwable ex)
        {
            LoggerFactory.getLogger(GHash.class).info("voice AES-GCM: portable GHASH (JDK kernel not reachable: {}; "
                + "add --add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED for the intrinsic)", ex.toString());
            return null;
        }
    }

    /**
     * @param h   array holding the 16-byte hash key E(K, 0^128).
     * @param off offset of the key.
     */
    void key(final byte[] h, final int off)
    {
        h1 = Bytes.be64(h, off);
        h0 = Bytes.be64(h, off + 8);
        if (subH != null)
        {
            java.util.Arrays.fill(subH, 0L);
            subH[0] = h1;
            subH[1] = h0;
        }
        h2 = h0 ^ h1;
        h0r = Long.reverse(h0);
        h1r = Long.reverse(h1);
        h2r = h0r ^ h1r;
    }

    /** Starts a new hash with the same key. */
    void reset()
    {
        y0 = 0;
        y1 = 0;
        if (st != null)
        {
            st[0] = 0;
            st[1] = 0;
        }
    }

    /**
     * Absorbs {@code len} bytes; a final partial block is zero-padded.
     */
    void padded(final byte[] b, final int off, final int len)
    {
        if (st != null)
        {
            final int full = len >>> 4;
            if (full > 0)
            {
                kernel(b, off, full);
            }
            if ((len & 15) != 0)
            {
                java.util.Arrays.fill(last, (byte)0);
                System.arraycopy(b, off + (full << 4), last, 0, len & 15);
                kernel(last, 0, 1);
            }
            return;
        }
        int i = 0;
        for (; i + 16 <= len; i += 16)
        {
            multiply(Bytes.be64(b, off + i), Bytes.be64(b, off + i + 8));
        }
        if (i < len)
        {
            java.util.Arrays.fill(last, (byte)0);
            System.arraycopy(b, off + i, last, 0, len - i);
            multiply(Bytes.be64(last, 0), Bytes.be64(last, 8));
        }
    }

    /**
     * Absorbs the length block: AAD and text lengths in bits, big-endian.
     */
    void lengths(final long aadBytes, final long textBytes)
    {
        if (st != null)
        {
            Bytes.putBe64(last, 0, aadBytes << 3);
            Bytes.putBe64(last, 8, textBytes << 3);
            kernel(last, 0, 1);
            return;
        }
        multiply(aadBytes << 3, textBytes << 3);
    }

    /**
     * Writes the 16-byte hash.
     */
    void digest(final byte[] out, final int off)
    {
        Bytes.putBe64(out, off, st != null ? st[0] : y1);
        Bytes.putBe64(out, off + 8, st != null ? st[1] : y0);
    }

    /** Bounds are the caller's duty: the intrinsic checks nothing. */
    private void kernel(final byte[] b, final int off, final int blocks)
    {
        if (off < 0 || blocks < 0 || off + (blocks << 4) > b.length)
        {
            throw new IndexOutOfBoundsException(off + (blocks << 4));
        }
        try
        {
            JDK_KERNEL.invokeExact(b, off, blocks, st, subH);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Y = (Y ^ block) · H, block given as its big-endian words (hi = bytes 0..7). */
    private void multiply(final long hi, final long lo)
    {
        final long a1 = y1 ^ hi;
        final long a0 = y0 ^ lo;
        final long a2 = a0 ^ a1;
        final long a0r = Long.reverse(a0);
        final long a1r = Long.reverse(a1);
        final long a2r = a0r ^ a1r;

        final long z0 = bmul64(a0, h0);
        final long z1 = bmul64(a1, h1);
        long z2 = bmul64(a2, h2);
        long z0h = bmul64(a0r, h0r);
        long z1h = bmul64(a1r, h1r);
        long z2h = bmul64(a2r, h2r);
        z2 ^= z0 ^ z1;
        z2h ^= z0h ^ z1h;
        z0h = Long.reverse(z0h) >>> 1;
        z1h = Long.reverse(z1h) >>> 1;
        z2h = Long.reverse(z2h) >>> 1;

        // 256-bit carry-less product w3:w2:w1:w0 (w3 most significant)
        long w0 = z0;
        long w1 = z0h ^ z2;
        long w2 = z1 ^ z2h;
        long w3 = z1h;

        // reflected order: the product of two 128-bit reflected values is one bit short; shift left once
        w3 = (w3 << 1) | (w2 >>> 63);
        w2 = (w2 << 1) | (w1 >>> 63);
        w1 = (w1 << 1) | (w0 >>> 63);
        w0 <<= 1;

        // reduce the high-degree half L = w1:w0 (x^128 = x^7 + x^2 + x + 1; x^s is a right shift by s)
        long r1 = w1 ^ (w1 >>> 1) ^ (w1 >>> 2) ^ (w1 >>> 7);
        final long r0 = w0 ^ ((w0 >>> 1) | (w1 << 63)) ^ ((w0 >>> 2) | (w1 << 62)) ^ ((w0 >>> 7) | (w1 << 57));
        // the bits those shifts pushed past degree 127, folded once more (degree < 7: no further overflow)
        final long m = (w0 << 63) ^ (w0 << 62) ^ (w0 << 57);
        r1 ^= m ^ (m >>> 1) ^ (m >>> 2) ^ (m >>> 7);

        y1 = w3 ^ r1;
        y0 = w2 ^ r0;
    }

    /** Low 64 bits of the carry-less product of x and y. */
    private static long bmul64(final long x, final long y)
    {
        final long x0 = x & M1;
        final long x1 = x & M2;
        final long x2 = x & M4;
        final long x3 = x & M8;
        final long y0 = y & M1;
        final long y1 = y & M2;
        final long y2 = y & M4;
        final long y3 = y & M8;
        final long z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
        final long z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
        final long z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
        final long z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
        return (z0 & M1) | (z1 & M2) | (z2 & M4) | (z3 & M8);
    }
}
