package dev.pinwheel.voicesfu.protocol;

/**
 * The RTP header of a Discord voice packet (RFC 3550), read in place:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|  PT (0x78)  |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             SSRC                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  CSRC list (CC × 4 bytes)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | if X: 0xBEDE profile          |  extension length (words)     |  ← last byte of the AAD ("rtpsize")
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | encrypted: extension body, Opus payload ... | tag | nonce (4) |
 * </pre>
 */
public final class RtpHeaderFlyweight
{
    public static final int FIXED_LENGTH = 12;
    public static final int VERSION_BYTE_OFFSET = 0;
    public static final int PAYLOAD_TYPE_OFFSET = 1;
    public static final int SEQUENCE_OFFSET = 2;
    public static final int TIMESTAMP_OFFSET = 4;
    public static final int SSRC_OFFSET = 8;
    /** Discord's Opus payload type. */
    public static final int PAYLOAD_TYPE_OPUS = 0x78;

    private RtpHeaderFlyweight()
    {
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @param len packet length (at least 2).
     * @return whether version is 2 and the payload type is Opus.
     */
    public static boolean isOpusRtp(final byte[] b, final int off, final int len)
    {
        return len >= 2 && (b[off] & 0xC0) == 0x80 && (b[off + 1] & 0x7F) == PAYLOAD_TYPE_OPUS;
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @param len packet length.
     * @return the AAD length (fixed header, CSRCs, extension header), or -1 if the packet is shorter.
     */
    public static int aadLength(final byte[] b, final int off, final int len)
    {
        if (len < FIXED_LENGTH)
        {
            return -1;
        }
        final int h = FIXED_LENGTH + 4 * (b[off] & 0x0F) + ((b[off] & 0x10) != 0 ? 4 : 0);
        return h <= len ? h : -1;
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @return the SSRC.
     */
    public static int ssrc(final byte[] b, final int off)
    {
        return be32(b, off + SSRC_OFFSET);
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @return the sequence number.
     */
    public static int sequence(final byte[] b, final int off)
    {
        return (b[off + SEQUENCE_OFFSET] & 0xFF) << 8 | (b[off + SEQUENCE_OFFSET + 1] & 0xFF);
    }

    static int be32(final byte[] b, final int o)
    {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }
}
