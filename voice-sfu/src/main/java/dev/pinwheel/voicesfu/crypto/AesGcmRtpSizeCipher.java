package dev.pinwheel.voicesfu.crypto;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code aead_aes256_gcm_rtpsize} without a per-packet allocation. The JDK's AES/GCM must be re-initialised for
 * every nonce and allocates ~1 KB each time, so GCM is assembled here from two parts:
 * <ul>
 *   <li>the AES block function: the JDK's {@code AES/ECB/NoPadding}, keyed once per member (AES-NI intrinsic;
 *       {@code update} on block-aligned input allocates nothing), run over the counter blocks
 *       {@code J0, J0+1, …} in one call — {@code E(K, J0)} masks the tag, the rest is the CTR keystream;</li>
 *   <li>{@link GHash}: the JDK's intrinsic GHASH kernel on our own state when reachable, else portable
 *       constant-time code.</li>
 * </ul>
 * The 12-byte GCM IV is the packet's 4-byte nonce counter followed by 8 zero bytes, so {@code J0 = IV || 1}.
 * NOT thread-safe: one instance per thread and key.
 */
public final class AesGcmRtpSizeCipher extends RtpSizeCipher
{
    private static final int BLOCK = 16;
    private static final int MAX_BLOCKS = 2048 / BLOCK;

    private final Cipher ecb;
    private final GHash ghash;
    private final byte[] counters = new byte[(MAX_BLOCKS + 1) * BLOCK];
    private final byte[] keystream = new byte[(MAX_BLOCKS + 1) * BLOCK];
    private final byte[] tag = new byte[BLOCK];

    AesGcmRtpSizeCipher(final byte[] key)
    {
        this(key, true);
    }

    /**
     * @param key          32-byte key.
     * @param jdkGhash     false forces the portable GHASH (tests compare both paths).
     */
    AesGcmRtpSizeCipher(final byte[] key, final boolean jdkGhash)
    {
        this.ghash = new GHash(jdkGhash);
        try
        {
            this.ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            final byte[] h = new byte[BLOCK];
            ecb.update(new byte[BLOCK], 0, BLOCK, h, 0);
            ghash.key(h, 0);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES not available", ex);
        }
    }

    @Override
    public int open(final byte[] in, final int off, final int hdrLen, final int len, final byte[] out,
        final int outOff)
    {
        final int textLen = len - hdrLen - AeadMode.TAG_LENGTH - AeadMode.NONCE_LENGTH;
        if (textLen < 0 || hdrLen < 0 || textLen > MAX_BLOCKS * BLOCK)
        {
            return FAILED;
        }
        final int nonce = Bytes.be32(in, off + len - AeadMode.NONCE_LENGTH);
        if (!keystream(nonce, textLen))
        {
            return FAILED;
        }
        ghash.reset();
        ghash.padded(in, off, hdrLen);
        ghash.padded(in, off + hdrLen, textLen);
        ghash.lengths(hdrLen, textLen);
        ghash.digest(tag, 0);
        Bytes.xor(tag, 0, keystream, 0, tag, 0, BLOCK);
        if (!Bytes.equal(tag, 0, in, off + hdrLen + textLen, BLOCK))
        {
            return FAILED;
        }
        Bytes.xor(in, off + hdrLen, keystream, BLOCK, out, outOff, textLen);
        return textLen;
    }

    @Override
    public int seal(final byte[] aad, final int aadOff, final int aadLen, final byte[] plain, final int pOff,
        final int pLen, final int nonce, final byte[] dst, final int dstOff)
    {
        if (pLen > MAX_BLOCKS * BLOCK || !keystream(nonce, pLen))
        {
            return FAILED;
        }
        System.arraycopy(aad, aadOff, dst, dstOff, aadLen);
        final int ct = dstOff + aadLen;
        Bytes.xor(plain, pOff, keystream, BLOCK, dst, ct, pLen);
        ghash.reset();
        ghash.padded(dst, dstOff, aadLen);
        ghash.padded(dst, ct, pLen);
        ghash.lengths(aadLen, pLen);
        ghash.digest(dst, ct + pLen);
        Bytes.xor(dst, ct + pLen, keystream, 0, dst, ct + pLen, BLOCK);
        Bytes.putBe32(dst, ct + pLen + BLOCK, nonce);
        return aadLen + pLen + BLOCK + AeadMode.NONCE_LENGTH;
    }

    /** Fills {@code keystream} with E(K, J0) followed by enough CTR blocks for {@code textLen} bytes. */
    private boolean keystream(final int nonce, final int textLen)
    {
        final int blocks = 1 + (textLen + BLOCK - 1) / BLOCK;
        for (int i = 0; i < blocks; i++)
        {
            final int o = i * BLOCK;
            Bytes.putBe32(counters, o, nonce);
            Bytes.putLe64(counters, o + 4, 0L);
            Bytes.putBe32(counters, o + 12, i + 1);
        }
        try
        {
            return ecb.update(counters, 0, blocks * BLOCK, keystream, 0) == blocks * BLOCK;
        }
        catch (final ShortBufferException | RuntimeException ex)
        {
            return false;
        }
    }
}
