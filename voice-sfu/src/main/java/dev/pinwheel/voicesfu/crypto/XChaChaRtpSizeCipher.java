package dev.pinwheel.voicesfu.crypto;

import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;

/**
 * {@code aead_xchacha20_poly1305_rtpsize}: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) — subkey =
 * HChaCha20(key, nonce[0..16]), then ChaCha20-Poly1305(subkey, 0x00000000 || nonce[16..24]). The 24-byte nonce
 * is the 4-byte counter followed by zeros, so the inner 12-byte nonce is always zero and the subkey changes with
 * every packet. All of it is Pinwheel's own allocation-free code ({@link HChaCha20}, {@link ChaCha20Poly1305}),
 * checked against the RFC 8439 and draft vectors and against the JDK's ChaCha20-Poly1305.
 */
public final class XChaChaRtpSizeCipher extends RtpSizeCipher
{
    private static final byte[] ZERO_NONCE = new byte[12];

    private final byte[] key;
    private final HChaCha20 hchacha = new HChaCha20();
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final byte[] nonce24 = new byte[24];
    private final byte[] subkey = new byte[32];

    XChaChaRtpSizeCipher(final byte[] key)
    {
        this.key = key.clone();
    }

    /**
     * Full XChaCha20-Poly1305 with an arbitrary 24-byte nonce (used by the test vectors).
     *
     * @param key   32-byte key.
     * @param nonce 24-byte nonce.
     * @param aad   associated data.
     * @param plain plaintext.
     * @return ciphertext || tag.
     */
    public static byte[] encrypt(final byte[] key, final byte[] nonce, final byte[] aad, final byte[] plain)
    {
        final byte[] sub = new byte[32];
        new HChaCha20().derive(key, nonce, 0, sub, 0);
        final byte[] inner = innerNonce(nonce);
        final byte[] out = new byte[plain.length + ChaCha20Poly1305.TAG];
        new ChaCha20Poly1305().seal(sub, 0, inner, 0, aad, 0, aad.length, plain, 0, plain.length, out, 0);
        return out;
    }

    /**
     * @param key    32-byte key.
     * @param nonce  24-byte nonce.
     * @param aad    associated data.
     * @param sealed ciphertext || tag.
     * @return plaintext.
     * @throws GeneralSecurityException when authentication fails.
     */
    public static byte[] decrypt(final byte[] key, final byte[] nonce, final byte[] aad, final byte[] sealed)
        throws GeneralSecurityException
    {
        final byte[] sub = new byte[32];
        new HChaCha20().derive(key, nonce, 0, sub, 0);
        final byte[] out = new byte[Math.max(0, sealed.length - ChaCha20Poly1305.TAG)];
        final int n = new ChaCha20Poly1305().open(sub, 0, innerNonce(nonce), 0, aad, 0, aad.length, sealed, 0,
            sealed.length, out, 0);
        if (n < 0)
        {
            throw new AEADBadTagException("tag mismatch");
        }
        return out;
    }

    private static byte[] innerNonce(final byte[] nonce)
    {
        final byte[] inner = new byte[12];
        System.arraycopy(nonce, 16, inner, 4, 8);
        return inner;
    }

    @Override
    public int open(final byte[] in, final int off, final int hdrLen, final int len, final byte[] out,
        final int outOff)
    {
        if (hdrLen < 0 || len < hdrLen + AeadMode.TAG_LENGTH + AeadMode.NONCE_LENGTH)
        {
            return FAILED;
        }
        System.arraycopy(in, off + len - AeadMode.NONCE_LENGTH, nonce24, 0, AeadMode.NONCE_LENGTH);
        hchacha.derive(key, nonce24, 0, subkey, 0);
        return aead.open(subkey, 0, ZERO_NONCE, 0, in, off, hdrLen, in, off + hdrLen,
            len - hdrLen - AeadMode.NONCE_LENGTH, out, outOff);
    }

    @Override
    public int seal(final byte[] aad, final int aadOff, final int aadLen, final byte[] plain, final int pOff,
        final int pLen, final int nonce, final byte[] dst, final int dstOff)
    {
        putBe32(nonce24, 0, nonce);
        hchacha.derive(key, nonce24, 0, subkey, 0);
        System.arraycopy(aad, aadOff, dst, dstOff, aadLen);
        final int n = aead.seal(subkey, 0, ZERO_NONCE, 0, dst, dstOff, aadLen, plain, pOff, pLen, dst,
            dstOff + aadLen);
        putBe32(dst, dstOff + aadLen + n, nonce);
        return aadLen + n + AeadMode.NONCE_LENGTH;
    }
}
