package dev.pinwheel.voicesfu.crypto;

/**
 * The Discord voice encryption modes Pinwheel speaks. Both are "rtpsize" modes: the RTP header (fixed part,
 * CSRCs and the 4-byte extension header) is the AAD, the rest is encrypted, and a 4-byte big-endian nonce
 * counter is appended after the tag; the cipher's nonce is that counter followed by zero bytes.
 */
public enum AeadMode
{
    /** AES-256-GCM (12-byte nonce): the JDK's AES block function (AES-NI) + Pinwheel's CTR and GHASH. */
    AEAD_AES256_GCM_RTPSIZE("aead_aes256_gcm_rtpsize"),
    /** XChaCha20-Poly1305 (24-byte nonce): Pinwheel's HChaCha20 + ChaCha20-Poly1305 (RFC 8439). */
    AEAD_XCHACHA20_POLY1305_RTPSIZE("aead_xchacha20_poly1305_rtpsize");

    /** Tag length of both modes. */
    public static final int TAG_LENGTH = 16;
    /** Length of the nonce counter appended to each packet. */
    public static final int NONCE_LENGTH = 4;

    private final String wireName;

    AeadMode(final String wireName)
    {
        this.wireName = wireName;
    }

    /**
     * @return the name used in READY / SELECT_PROTOCOL / SESSION_DESCRIPTION.
     */
    public String wireName()
    {
        return wireName;
    }

    /**
     * @param name a wire name.
     * @return the mode, or null if unknown.
     */
    public static AeadMode fromWireName(final String name)
    {
        for (final AeadMode m : values())
        {
            if (m.wireName.equals(name))
            {
                return m;
            }
        }
        return null;
    }

    /**
     * @param key 32-byte secret key.
     * @return a new cipher for this mode (one per thread and direction).
     */
    public RtpSizeCipher newCipher(final byte[] key)
    {
        return this == AEAD_AES256_GCM_RTPSIZE ? new AesGcmRtpSizeCipher(key) : new XChaChaRtpSizeCipher(key);
    }
}
