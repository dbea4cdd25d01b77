package dev.pinwheel.voicesfu.crypto;

/**
 * Seals and opens the payload of one "rtpsize" voice packet with one key:
 * <pre>
 *  0                 hdrLen                                   len-4     len
 *  +-----------------+----------------------------------------+---------+
 *  | RTP header (AAD)| ciphertext (payload)       | tag (16)  | nonce(4)|
 *  +-----------------+----------------------------------------+---------+
 * </pre>
 * An instance reuses its cipher object and buffers: NOT thread-safe, one per thread and key.
 * Failures are return codes, never exceptions: the media plane must not throw on hostile input.
 */
public abstract class RtpSizeCipher
{
    /** Returned when authentication fails or the input is malformed. */
    public static final int FAILED = -1;

    /**
     * Authenticates and decrypts.
     *
     * @param in     packet bytes.
     * @param off    offset of the packet.
     * @param hdrLen length of the AAD (RTP header incl. CSRCs and extension header).
     * @param len    packet length including tag and nonce.
     * @param out    receives the plaintext.
     * @param outOff offset in {@code out}.
     * @return plaintext length, or {@link #FAILED}.
     */
    public abstract int open(byte[] in, int off, int hdrLen, int len, byte[] out, int outOff);

    /**
     * Encrypts {@code plain} behind the header {@code aad} and appends the tag and the nonce counter.
     *
     * @param aad    header bytes (copied to {@code dst} first by the caller or here).
     * @param aadOff offset of the header.
     * @param aadLen header length.
     * @param plain  plaintext.
     * @param pOff   plaintext offset.
     * @param pLen   plaintext length.
     * @param nonce  the 32-bit nonce counter, unique per key.
     * @param dst    receives header, ciphertext, tag, nonce.
     * @param dstOff offset in {@code dst}.
     * @return total packet length written, or {@link #FAILED}.
     */
    public abstract int seal(byte[] aad, int aadOff, int aadLen, byte[] plain, int pOff, int pLen, int nonce,
        byte[] dst, int dstOff);

    static int be32(final byte[] b, final int o)
    {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }

    static void putBe32(final byte[] b, final int o, final int v)
    {
        b[o] = (byte)(v >>> 24);
        b[o + 1] = (byte)(v >>> 16);
        b[o + 2] = (byte)(v >>> 8);
        b[o + 3] = (byte)v;
    }
}
