package dev.pinwheel.voicesfu.crypto;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code aead_xchacha20_poly1305_rtpsize}: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) built from
 * {@link HChaCha20} and the JDK's ChaCha20-Poly1305 — subkey = HChaCha20(key, nonce[0..16]), then
 * ChaCha20-Poly1305(subkey, 0x00000000 || nonce[16..24]). The 24-byte nonce is the 4-byte counter followed by
 * zeros, so the inner 12-byte nonce is always zero and the subkey changes with every packet.
 */
public final class XChaChaRtpSizeCipher extends RtpSizeCipher
{
    private static final IvParameterSpec ZERO_IV = new IvParameterSpec(new byte[12]);
    private final Cipher cipher;
    private final byte[] key;
    private final HChaCha20 hchacha = new HChaCha20();
    private final byte[] nonce24 = new byte[24];
    private final byte[] subkey = new byte[32];
    private final IvParameterSpec innerIv;

    XChaChaRtpSizeCipher(final byte[] key)
    {
        try
        {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("ChaCha20-Poly1305 not available", ex);
        }
        this.key = key.clone();
        this.innerIv = ZERO_IV;
    }

    /**
     * Full XChaCha20-Poly1305 with an arbitrary 24-byte nonce (used by the test vectors).
     *
     * @param key    32-byte key.
     * @param nonce  24-byte nonce.
     * @param aad    associated data.
     * @param plain  plaintext.
     * @return ciphertext || tag.
     * @throws GeneralSecurityException on cipher errors.
     */
    public static byte[] encrypt(final byte[] key, final byte[] nonce, final byte[] aad, final byte[] plain)
        throws GeneralSecurityException
    {
        return crypt(Cipher.ENCRYPT_MODE, key, nonce, aad, plain);
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
        return crypt(Cipher.DECRYPT_MODE, key, nonce, aad, sealed);
    }

    private static byte[] crypt(final int mode, final byte[] key, final byte[] nonce, final byte[] aad,
        final byte[] in) throws GeneralSecurityException
    {
        final byte[] sub = new byte[32];
        new HChaCha20().derive(key, nonce, 0, sub, 0);
        final byte[] iv = new byte[12];
        System.arraycopy(nonce, 16, iv, 4, 8);
        final Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(mode, new SecretKeySpec(sub, "ChaCha20"), new IvParameterSpec(iv));
        c.updateAAD(aad);
        return c.doFinal(in);
    }

    @Override
    public int open(final byte[] in, final int off, final int hdrLen, final int len, final byte[] out,
        final int outOff)
    {
        if (len < hdrLen + AeadMode.TAG_LENGTH + AeadMode.NONCE_LENGTH)
        {
            return FAILED;
        }
        System.arraycopy(in, off + len - AeadMode.NONCE_LENGTH, nonce24, 0, AeadMode.NONCE_LENGTH);
        hchacha.derive(key, nonce24, 0, subkey, 0);
        try
        {
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(subkey, "ChaCha20"), innerIv);
            cipher.updateAAD(in, off, hdrLen);
            return cipher.doFinal(in, off + hdrLen, len - hdrLen - AeadMode.NONCE_LENGTH, out, outOff);
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            return FAILED;
        }
    }

    @Override
    public int seal(final byte[] aad, final int aadOff, final int aadLen, final byte[] plain, final int pOff,
        final int pLen, final int nonce, final byte[] dst, final int dstOff)
    {
        putBe32(nonce24, 0, nonce);
        hchacha.derive(key, nonce24, 0, subkey, 0);
        try
        {
            System.arraycopy(aad, aadOff, dst, dstOff, aadLen);
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(subkey, "ChaCha20"), innerIv);
            cipher.updateAAD(dst, dstOff, aadLen);
            final int n = cipher.doFinal(plain, pOff, pLen, dst, dstOff + aadLen);
            putBe32(dst, dstOff + aadLen + n, nonce);
            return aadLen + n + AeadMode.NONCE_LENGTH;
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            return FAILED;
        }
    }
}
