package dev.pinwheel.voicesfu.crypto;

/**
 * The ChaCha20-Poly1305 AEAD of RFC 8439 §2.8 on caller-supplied arrays: the Poly1305 key is the first half of
 * keystream block 0, the text is encrypted from block 1, the tag covers {@code aad || pad16 || ciphertext ||
 * pad16 || len(aad) || len(ciphertext)}. {@link #open} verifies the tag (constant time) before it writes any
 * plaintext. NOT thread-safe; allocation-free (the JDK's cipher allocates on every {@code init}, which the
 * per-packet nonce requires).
 */
final class ChaCha20Poly1305
{
    static final int TAG = 16;

    private final ChaCha20 chacha;
    private final Poly1305 poly = new Poly1305();
    private final byte[] polyKey = new byte[64];
    private final byte[] tag = new byte[TAG];

    ChaCha20Poly1305()
    {
        this(true);
    }

    /**
     * @param useJdkKernel false forces the portable ChaCha20 block function (tests compare both).
     */
    ChaCha20Poly1305(final boolean useJdkKernel)
    {
        this.chacha = new ChaCha20(useJdkKernel);
    }

    /**
     * Encrypts {@code text} to {@code out} and appends the 16-byte tag.
     *
     * @return bytes written: {@code textLen + 16}.
     */
    int seal(final byte[] key, final int keyOff, final byte[] nonce, final int nOff, final byte[] aad,
        final int aadOff, final int aadLen, final byte[] text, final int textOff, final int textLen,
        final byte[] out, final int outOff)
    {
        start(key, keyOff, nonce, nOff, aad, aadOff, aadLen);
        chacha.xor(text, textOff, textLen, out, outOff);
        poly.padded(out, outOff, textLen);
        poly.lengths(aadLen, textLen);
        poly.finish(out, outOff + textLen);
        return textLen + TAG;
    }

    /**
     * Verifies and decrypts {@code sealed} (ciphertext followed by the tag).
     *
     * @return plaintext length, or {@link RtpSizeCipher#FAILED} if the tag does not match (nothing written).
     */
    int open(final byte[] key, final int keyOff, final byte[] nonce, final int nOff, final byte[] aad,
        final int aadOff, final int aadLen, final byte[] sealed, final int sOff, final int sLen, final byte[] out,
        final int outOff)
    {
        final int textLen = sLen - TAG;
        if (textLen < 0)
        {
            return RtpSizeCipher.FAILED;
        }
        start(key, keyOff, nonce, nOff, aad, aadOff, aadLen);
        poly.padded(sealed, sOff, textLen);
        poly.lengths(aadLen, textLen);
        poly.finish(tag, 0);
        if (!Bytes.equal(tag, 0, sealed, sOff + textLen, TAG))
        {
            return RtpSizeCipher.FAILED;
        }
        chacha.xor(sealed, sOff, textLen, out, outOff);
        return textLen;
    }

    private void start(final byte[] key, final int keyOff, final byte[] nonce, final int nOff, final byte[] aad,
        final int aadOff, final int aadLen)
    {
        chacha.init(key, keyOff, nonce, nOff, 0);
        chacha.read(polyKey, 0, 64); // block 0: the Poly1305 key (first half); the text starts at block 1
        poly.init(polyKey, 0);
        poly.padded(aad, aadOff, aadLen);
    }
}
