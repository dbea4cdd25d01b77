package dev.pinwheel.voicesfu.crypto;

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha §2.2): derives a 256-bit subkey from a 256-bit key and a 128-bit nonce by
 * running the ChaCha20 block function's 20 rounds without the final feed-forward and keeping words 0-3 and 12-15.
 * The JDK has ChaCha20-Poly1305 but not its extended-nonce form; this is the missing piece.
 * Sixteen local variables, no state: thread-safe, allocation-free.
 */
public final class HChaCha20
{
    /**
     * @param key     32-byte key.
     * @param nonce   array holding the 16-byte nonce.
     * @param nOff    offset of the nonce.
     * @param out     receives the 32-byte subkey.
     * @param outOff  offset in {@code out}.
     */
    public void derive(final byte[] key, final byte[] nonce, final int nOff, final byte[] out, final int outOff)
    {
        int x0 = ChaCha20.C0;
        int x1 = ChaCha20.C1;
        int x2 = ChaCha20.C2;
        int x3 = ChaCha20.C3;
        int x4 = Bytes.le32(key, 0);
        int x5 = Bytes.le32(key, 4);
        int x6 = Bytes.le32(key, 8);
        int x7 = Bytes.le32(key, 12);
        int x8 = Bytes.le32(key, 16);
        int x9 = Bytes.le32(key, 20);
        int x10 = Bytes.le32(key, 24);
        int x11 = Bytes.le32(key, 28);
        int x12 = Bytes.le32(nonce, nOff);
        int x13 = Bytes.le32(nonce, nOff + 4);
        int x14 = Bytes.le32(nonce, nOff + 8);
        int x15 = Bytes.le32(nonce, nOff + 12);
        for (int i = 0; i < 10; i++)
        {
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        // no feed-forward: the subkey is words 0-3 and 12-15 of the permuted state
        Bytes.putLe32(out, outOff, x0);
        Bytes.putLe32(out, outOff + 4, x1);
        Bytes.putLe32(out, outOff + 8, x2);
        Bytes.putLe32(out, outOff + 12, x3);
        Bytes.putLe32(out, outOff + 16, x12);
        Bytes.putLe32(out, outOff + 20, x13);
        Bytes.putLe32(out, outOff + 24, x14);
        Bytes.putLe32(out, outOff + 28, x15);
    }
}
