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
        final int[] s = x;
        s[0] = 0x61707865;
        s[1] = 0x3320646e;
        s[2] = 0x79622d32;
        s[3] = 0x6b206574;
        for (int i = 0; i < 8; i++)
        {
            s[4 + i] = le32(key, i * 4);
        }
        for (int i = 0; i < 4; i++)
        {
            s[12 + i] = le32(nonce, nOff + i * 4);
        }
        for (int r = 0; r < 10; r++)
        {
            quarter(s, 0, 4, 8, 12);
            quarter(s, 1, 5, 9, 13);
            quarter(s, 2, 6, 10, 14);
            quarter(s, 3, 7, 11, 15);
            quarter(s, 0, 5, 10, 15);
            quarter(s, 1, 6, 11, 12);
            quarter(s, 2, 7, 8, 13);
            quarter(s, 3, 4, 9, 14);
        }
        for (int i = 0; i < 4; i++)
        {
            putLe32(out, outOff + i * 4, s[i]);
            putLe32(out, outOff + 16 + i * 4, s[12 + i]);
        }
    }

    private static void quarter(final int[] s, final int a, final int b, final int c, final int d)
    {
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 7);
    }

    private static int le32(final byte[] b, final int o)
    {
        return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24;
    }

    private static void putLe32(final byte[] b, final int o, final int v)
    {
        b[o] = (byte)v;
        b[o + 1] = (byte)(v >>> 8);
        b[o + 2] = (byte)(v >>> 16);
        b[o + 3] = (byte)(v >>> 24);
    }
}
