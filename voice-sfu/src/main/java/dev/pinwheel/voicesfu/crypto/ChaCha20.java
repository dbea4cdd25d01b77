package dev.pinwheel.voicesfu.crypto;

/**
 * The ChaCha20 stream cipher of RFC 8439 §2.4 (32-bit block counter, 96-bit nonce), written so that a whole
 * 64-byte block is computed in sixteen local variables (registers) and then XORed into the output.
 * An instance holds one key and nonce at a time and reuses its keystream block: NOT thread-safe,
 * allocation-free.
 */
final class ChaCha20
{
    private static final int C0 = 0x61707865;
    private static final int C1 = 0x3320646e;
    private static final int C2 = 0x79622d32;
    private static final int C3 = 0x6b206574;

    private int k0;
    private int k1;
    private int k2;
    private int k3;
    private int k4;
    private int k5;
    private int k6;
    private int k7;
    private int n0;
    private int n1;
    private int n2;
    private final byte[] block = new byte[64];

    /**
     * @param key    array holding a 32-byte key.
     * @param keyOff offset of the key.
     * @param nonce  array holding a 12-byte nonce.
     * @param nOff   offset of the nonce.
     */
    void init(final byte[] key, final int keyOff, final byte[] nonce, final int nOff)
    {
        k0 = Bytes.le32(key, keyOff);
        k1 = Bytes.le32(key, keyOff + 4);
        k2 = Bytes.le32(key, keyOff + 8);
        k3 = Bytes.le32(key, keyOff + 12);
        k4 = Bytes.le32(key, keyOff + 16);
        k5 = Bytes.le32(key, keyOff + 20);
        k6 = Bytes.le32(key, keyOff + 24);
        k7 = Bytes.le32(key, keyOff + 28);
        n0 = Bytes.le32(nonce, nOff);
        n1 = Bytes.le32(nonce, nOff + 4);
        n2 = Bytes.le32(nonce, nOff + 8);
    }

    /**
     * Writes keystream block {@code counter} (64 bytes) to {@code out}.
     */
    void keystream(final int counter, final byte[] out, final int outOff)
    {
        int x0 = C0;
        int x1 = C1;
        int x2 = C2;
        int x3 = C3;
        int x4 = k0;
        int x5 = k1;
        int x6 = k2;
        int x7 = k3;
        int x8 = k4;
        int x9 = k5;
        int x10 = k6;
        int x11 = k7;
        int x12 = counter;
        int x13 = n0;
        int x14 = n1;
        int x15 = n2;
        for (int i = 0; i < 10; i++)
        {
            // column round: quarter rounds on (0,4,8,12) (1,5,9,13) (2,6,10,14) (3,7,11,15)
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            // diagonal round: (0,5,10,15) (1,6,11,12) (2,7,8,13) (3,4,9,14)
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        Bytes.putLe32(out, outOff, x0 + C0);
        Bytes.putLe32(out, outOff + 4, x1 + C1);
        Bytes.putLe32(out, outOff + 8, x2 + C2);
        Bytes.putLe32(out, outOff + 12, x3 + C3);
        Bytes.putLe32(out, outOff + 16, x4 + k0);
        Bytes.putLe32(out, outOff + 20, x5 + k1);
        Bytes.putLe32(out, outOff + 24, x6 + k2);
        Bytes.putLe32(out, outOff + 28, x7 + k3);
        Bytes.putLe32(out, outOff + 32, x8 + k4);
        Bytes.putLe32(out, outOff + 36, x9 + k5);
        Bytes.putLe32(out, outOff + 40, x10 + k6);
        Bytes.putLe32(out, outOff + 44, x11 + k7);
        Bytes.putLe32(out, outOff + 48, x12 + counter);
        Bytes.putLe32(out, outOff + 52, x13 + n0);
        Bytes.putLe32(out, outOff + 56, x14 + n1);
        Bytes.putLe32(out, outOff + 60, x15 + n2);
    }

    /**
     * XORs {@code len} bytes of keystream, starting at block {@code counter}, over {@code in} into {@code out}
     * ({@code out} may be {@code in} at the same offset).
     */
    void xor(final int counter, final byte[] in, final int inOff, final int len, final byte[] out, final int outOff)
    {
        int ctr = counter;
        for (int done = 0; done < len; done += 64)
        {
            keystream(ctr++, block, 0);
            Bytes.xor(in, inOff + done, block, 0, out, outOff + done, Math.min(64, len - done));
        }
    }
}
