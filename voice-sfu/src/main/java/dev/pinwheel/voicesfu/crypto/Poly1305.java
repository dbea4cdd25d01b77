package dev.pinwheel.voicesfu.crypto;

/**
 * The Poly1305 one-time authenticator of RFC 8439 §2.5, in five 26-bit limbs held in {@code long}s (every
 * product fits in 64 bits; no multiply-high needed), fed the way the AEAD construction of §2.8 needs it:
 * runs zero-padded to 16 bytes, then the two lengths. Constant time in the data; NOT thread-safe;
 * allocation-free.
 */
final class Poly1305
{
    private static final long M26 = 0x3ffffff;
    private static final long M32 = 0xffffffffL;

    private long r0;
    private long r1;
    private long r2;
    private long r3;
    private long r4;
    private long s1;
    private long s2;
    private long s3;
    private long s4;
    private long h0;
    private long h1;
    private long h2;
    private long h3;
    private long h4;
    private long pad0;
    private long pad1;
    private long pad2;
    private long pad3;
    private final byte[] last = new byte[16];

    /**
     * Starts a MAC with the 32-byte one-time key {@code r || s} (r is clamped here).
     */
    void init(final byte[] key, final int off)
    {
        r0 = u32(key, off) & 0x3ffffff;
        r1 = (u32(key, off + 3) >>> 2) & 0x3ffff03;
        r2 = (u32(key, off + 6) >>> 4) & 0x3ffc0ff;
        r3 = (u32(key, off + 9) >>> 6) & 0x3f03fff;
        r4 = (u32(key, off + 12) >>> 8) & 0x00fffff;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        h0 = 0;
        h1 = 0;
        h2 = 0;
        h3 = 0;
        h4 = 0;
        pad0 = u32(key, off + 16);
        pad1 = u32(key, off + 20);
        pad2 = u32(key, off + 24);
        pad3 = u32(key, off + 28);
    }

    /**
     * Absorbs {@code len} bytes; a final partial block is zero-padded to 16 bytes (the AEAD's pad16).
     */
    void padded(final byte[] m, final int off, final int len)
    {
        int i = 0;
        for (; i + 16 <= len; i += 16)
        {
            block(m, off + i);
        }
        if (i < len)
        {
            java.util.Arrays.fill(last, (byte)0);
            System.arraycopy(m, off + i, last, 0, len - i);
            block(last, 0);
        }
    }

    /**
     * Absorbs the final block of the AEAD: little-endian 64-bit AAD length and ciphertext length.
     */
    void lengths(final long aadLen, final long textLen)
    {
        Bytes.putLe64(last, 0, aadLen);
        Bytes.putLe64(last, 8, textLen);
        block(last, 0);
    }

    private void block(final byte[] m, final int off)
    {
        long a0 = h0 + (u32(m, off) & M26);
        long a1 = h1 + ((u32(m, off + 3) >>> 2) & M26);
        long a2 = h2 + ((u32(m, off + 6) >>> 4) & M26);
        long a3 = h3 + ((u32(m, off + 9) >>> 6) & M26);
        long a4 = h4 + ((u32(m, off + 12) >>> 8) | (1L << 24));

        final long d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        long d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
        long d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
        long d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
        long d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;

        long c = d0 >>> 26;
        a0 = d0 & M26;
        d1 += c;
        c = d1 >>> 26;
        a1 = d1 & M26;
        d2 += c;
        c = d2 >>> 26;
        a2 = d2 & M26;
        d3 += c;
        c = d3 >>> 26;
        a3 = d3 & M26;
        d4 += c;
        c = d4 >>> 26;
        a4 = d4 & M26;
        a0 += c * 5;
        c = a0 >>> 26;
        a0 &= M26;
        a1 += c;
        h0 = a0;
        h1 = a1;
        h2 = a2;
        h3 = a3;
        h4 = a4;
    }

    /**
     * Writes the 16-byte tag.
     */
    void finish(final byte[] out, final int off)
    {
        long a0 = h0;
        long a1 = h1;
        long a2 = h2;
        long a3 = h3;
        long a4 = h4;
        long c = a1 >>> 26;
        a1 &= M26;
        a2 += c;
        c = a2 >>> 26;
        a2 &= M26;
        a3 += c;
        c = a3 >>> 26;
        a3 &= M26;
        a4 += c;
        c = a4 >>> 26;
        a4 &= M26;
        a0 += c * 5;
        c = a0 >>> 26;
        a0 &= M26;
        a1 += c;

        // g = h + 5 - 2^130: if it does not go negative, h >= p and the result is g
        long g0 = a0 + 5;
        c = g0 >>> 26;
        g0 &= M26;
        long g1 = a1 + c;
        c = g1 >>> 26;
        g1 &= M26;
        long g2 = a2 + c;
        c = g2 >>> 26;
        g2 &= M26;
        long g3 = a3 + c;
        c = g3 >>> 26;
        g3 &= M26;
        final long g4 = a4 + c - (1L << 26);
        final long useG = ~(g4 >> 63); // all ones when g4 >= 0
        a0 = (a0 & ~useG) | (g0 & useG);
        a1 = (a1 & ~useG) | (g1 & useG);
        a2 = (a2 & ~useG) | (g2 & useG);
        a3 = (a3 & ~useG) | (g3 & useG);
        a4 = (a4 & ~useG) | (g4 & useG);

        // h mod 2^128, then + s
        final long w0 = (a0 | (a1 << 26)) & M32;
        final long w1 = ((a1 >>> 6) | (a2 << 20)) & M32;
        final long w2 = ((a2 >>> 12) | (a3 << 14)) & M32;
        final long w3 = ((a3 >>> 18) | (a4 << 8)) & M32;
        long f = w0 + pad0;
        Bytes.putLe32(out, off, (int)f);
        f = w1 + pad1 + (f >>> 32);
        Bytes.putLe32(out, off + 4, (int)f);
        f = w2 + pad2 + (f >>> 32);
        Bytes.putLe32(out, off + 8, (int)f);
        f = w3 + pad3 + (f >>> 32);
        Bytes.putLe32(out, off + 12, (int)f);
    }

    private static long u32(final byte[] b, final int off)
    {
        return Bytes.le32(b, off) & M32;
    }
}
