package dev.pinwheel.voicesfu.crypto;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code aead_aes256_gcm_rtpsize} on the JDK's AES/GCM (AES-NI and CLMUL intrinsics). The 12-byte GCM nonce is
 * the 4-byte counter followed by 8 zero bytes. The JCE API allocates a small parameter object per
 * {@code init}; everything else is reused.
 */
public final class AesGcmRtpSizeCipher extends RtpSizeCipher
{
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final byte[] iv = new byte[12];

    AesGcmRtpSizeCipher(final byte[] key)
    {
        try
        {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES/GCM not available", ex);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    @Override
    public int open(final byte[] in, final int off, final int hdrLen, final int len, final byte[] out,
        final int outOff)
    {
        if (len < hdrLen + AeadMode.TAG_LENGTH + AeadMode.NONCE_LENGTH)
        {
            return FAILED;
        }
        System.arraycopy(in, off + len - AeadMode.NONCE_LENGTH, iv, 0, AeadMode.NONCE_LENGTH);
        try
        {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
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
        putBe32(iv, 0, nonce);
        try
        {
            System.arraycopy(aad, aadOff, dst, dstOff, aadLen);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
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
