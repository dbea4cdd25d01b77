package dev.pinwheel.voicesfu.crypto;

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha §2.2): derives a 256-bit subkey from a 256-bit key and a 128-bit nonce by
 * running the ChaCha20 block function's 20 rounds without the final feed-forward and keeping words 0-3 and 12-15.
 * The JDK has ChaCha20-Poly1305 but not its extended-nonce form; this is the missing piece.
 * An instance holds its working state: NOT thread-safe, allocation-free.
 */
public final class HChaCha20
{
    private final int[] x = new int[16];

    /**
     * @param key     32-byte key.
     * @param nonce   array holding the 16-byte nonce.
     * @param nOff    offset of the nonce.
     * @param out     receives the 32-byte subkey.
     * @param outOff  offset in {@code out}.
     */
    public void derive(final byte[] key, final byte[] nonce, final int nOff, final byte[] out, final int outOff)
    {
        x[0] = ChaCha20.C0;
        x[1] = ChaCha20.C1;
        x[2] = ChaCha20.C2;
        x[3] = ChaCha20.C3;
        for (int i = 0; i < 8; i++)
        {
            x[4 + i] = Bytes.le32(key, 4 * i);
        }
        for (int i = 0; i < 4; i++)
        {
            x[12 + i] = Bytes.le32(nonce, nOff + 4 * i);
        }
        ChaCha20.permute(x);
        // no feed-forward: the subkey is words 0-3 and 12-15 of the permuted state
        for (int i = 0; i < 4; i++)
        {
            Bytes.putLe32(out, outOff + 4 * i, x[i]);
            Bytes.putLe32(out, outOff + 16 + 4 * i, x[12 + i]);
        }
    }
}
