package dev.pinwheel.benchmarks.voice;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.pinwheel.voicesfu.crypto.AeadMode;
import dev.pinwheel.voicesfu.crypto.HChaCha20;
import dev.pinwheel.voicesfu.crypto.RtpSizeCipher;

/**
 * The baseline of {@link AeadBenchmark}: the same two rtpsize modes done the textbook way with the JDK's AEAD
 * ciphers ({@code AES/GCM/NoPadding}, {@code ChaCha20-Poly1305}), re-initialised for every packet because every
 * packet has its own nonce. This is what Pinwheel's voice plane ran before its own allocation-free AEAD code;
 * kept here so every benchmark run measures both side by side.
 */
final class JceBaselineCiphers
{
    private JceBaselineCiphers()
    {
    }

    static RtpSizeCipher of(final AeadMode mode, final byte[] key)
    {
        return mode == AeadMode.AEAD_AES256_GCM_RTPSIZE ? new JceAesGcm(key) : new JceXChaCha(key);
    }

    private static int be32(final byte[] b, final int o)
    {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }

    private static void putBe32(final byte[] b, final int o, final int v)
    {
        b[o] = (byte)(v >>> 24);
        b[o + 1] = (byte)(v >>> 16);
        b[o + 2] = (byte)(v >>> 8);
        b[o + 3] = (byte)v;
    }

    /**
     * One rtpsize cipher on a JDK AEAD {@link Cipher}: per packet, {@link #init} with that packet's nonce, the
     * header as AAD, then {@code doFinal}. The two modes differ only in what {@code init} hands the cipher.
     */
    private abstract static class JceRtpSize extends RtpSizeCipher
    {
        final Cipher cipher;

        JceRtpSize(final String transformation)
        {
            try
            {
                this.cipher = Cipher.getInstance(transformation);
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        /** Initialises {@link #cipher} for the packet with 32-bit nonce counter {@code nonce}. */
        abstract void init(int opMode, int nonce) throws GeneralSecurityException;

        @Override
        public int open(final byte[] in, final int off, final int hdrLen, final int len, final byte[] out,
            final int outOff)
        {
            try
            {
                init(Cipher.DECRYPT_MODE, be32(in, off + len - AeadMode.NONCE_LENGTH));
                cipher.updateAAD(in, off, hdrLen);
                return cipher.doFinal(in, off + hdrLen, len - hdrLen - AeadMode.NONCE_LENGTH, out, outOff);
            }
            catch (final GeneralSecurityException ex)
            {
                return FAILED;
            }
        }

        @Override
        public int seal(final byte[] aad, final int aadOff, final int aadLen, final byte[] plain, final int pOff,
            final int pLen, final int nonce, final byte[] dst, final int dstOff)
        {
            try
            {
                System.arraycopy(aad, aadOff, dst, dstOff, aadLen);
                init(Cipher.ENCRYPT_MODE, nonce);
                cipher.updateAAD(dst, dstOff, aadLen);
                final int n = cipher.doFinal(plain, pOff, pLen, dst, dstOff + aadLen);
                putBe32(dst, dstOff + aadLen + n, nonce);
                return aadLen + n + AeadMode.NONCE_LENGTH;
            }
            catch (final GeneralSecurityException ex)
            {
                return FAILED;
            }
        }
    }

    /** AES-256-GCM through JCE: a new {@link GCMParameterSpec} (and the cipher's GCM state) per packet. */
    private static final class JceAesGcm extends JceRtpSize
    {
        private final SecretKeySpec key;
        private final byte[] iv = new byte[12];

        JceAesGcm(final byte[] key)
        {
            super("AES/GCM/NoPadding");
            this.key = new SecretKeySpec(key, "AES");
        }

        @Override
        void init(final int opMode, final int nonce) throws GeneralSecurityException
        {
            putBe32(iv, 0, nonce);
            cipher.init(opMode, key, new GCMParameterSpec(128, iv));
        }
    }

    /** XChaCha20-Poly1305: HChaCha20 subkey, then the JDK's ChaCha20-Poly1305 with a fresh key object. */
    private static final class JceXChaCha extends JceRtpSize
    {
        private static final IvParameterSpec ZERO_IV = new IvParameterSpec(new byte[12]);
        private final byte[] key;
        private final HChaCha20 hchacha = new HChaCha20();
        private final byte[] nonce24 = new byte[24];
        private final byte[] subkey = new byte[32];

        JceXChaCha(final byte[] key)
        {
            super("ChaCha20-Poly1305");
            this.key = key.clone();
        }

        @Override
        void init(final int opMode, final int nonce) throws GeneralSecurityException
        {
            putBe32(nonce24, 0, nonce);
            hchacha.derive(key, nonce24, 0, subkey, 0);
            cipher.init(opMode, new SecretKeySpec(subkey, "ChaCha20"), ZERO_IV);
        }
    }
}
