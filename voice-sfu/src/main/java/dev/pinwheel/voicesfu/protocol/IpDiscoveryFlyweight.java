package dev.pinwheel.voicesfu.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The voice IP-discovery packet, 74 bytes, big-endian:
 * <pre>
 *  0               2               4                               8
 *  +---------------+---------------+-------------------------------+
 *  | type (1 req,  | length (70)   | SSRC                          |
 *  |  2 response)  |               |                               |
 *  +---------------+---------------+-------------------------------+
 *  | address: 64 bytes, ASCII, NUL-padded (response: the sender's IPv4 as seen by the server)   |
 *  +-----------------------------------------------------------------------------+---------------+
 *  |                                                                  72         | port (u16)    |
 *  +-----------------------------------------------------------------------------+---------------+
 * </pre>
 */
public final class IpDiscoveryFlyweight
{
    /** Total length. */
    public static final int LENGTH = 74;
    /** The value of the length field. */
    public static final int BODY_LENGTH = 70;
    public static final int TYPE_OFFSET = 0;
    public static final int LENGTH_OFFSET = 2;
    public static final int SSRC_OFFSET = 4;
    public static final int ADDRESS_OFFSET = 8;
    public static final int ADDRESS_LENGTH = 64;
    public static final int PORT_OFFSET = 72;
    public static final int TYPE_REQUEST = 1;
    public static final int TYPE_RESPONSE = 2;

    private IpDiscoveryFlyweight()
    {
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @param len packet length.
     * @return whether it is a discovery request.
     */
    public static boolean isRequest(final byte[] b, final int off, final int len)
    {
        return len == LENGTH && u16(b, off + TYPE_OFFSET) == TYPE_REQUEST && u16(b, off + LENGTH_OFFSET) == BODY_LENGTH;
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @return the SSRC field.
     */
    public static int ssrc(final byte[] b, final int off)
    {
        return (b[off + SSRC_OFFSET] & 0xFF) << 24 | (b[off + SSRC_OFFSET + 1] & 0xFF) << 16
            | (b[off + SSRC_OFFSET + 2] & 0xFF) << 8 | (b[off + SSRC_OFFSET + 3] & 0xFF);
    }

    /**
     * Writes a packet (request or response) at {@code off}.
     *
     * @param b       buffer of at least {@link #LENGTH} bytes from {@code off}.
     * @param off     offset.
     * @param type    {@link #TYPE_REQUEST} or {@link #TYPE_RESPONSE}.
     * @param ssrc    SSRC.
     * @param address IPv4 literal (ASCII) or null.
     * @param port    port.
     */
    public static void write(final byte[] b, final int off, final int type, final int ssrc, final String address,
        final int port)
    {
        java.util.Arrays.fill(b, off, off + LENGTH, (byte)0);
        b[off] = (byte)(type >>> 8);
        b[off + 1] = (byte)type;
        b[off + 2] = (byte)(BODY_LENGTH >>> 8);
        b[off + 3] = (byte)BODY_LENGTH;
        b[off + 4] = (byte)(ssrc >>> 24);
        b[off + 5] = (byte)(ssrc >>> 16);
        b[off + 6] = (byte)(ssrc >>> 8);
        b[off + 7] = (byte)ssrc;
        if (address != null)
        {
            final byte[] a = address.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(a, 0, b, off + ADDRESS_OFFSET, Math.min(a.length, ADDRESS_LENGTH - 1));
        }
        b[off + PORT_OFFSET] = (byte)(port >>> 8);
        b[off + PORT_OFFSET + 1] = (byte)port;
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @return the address field up to the first NUL.
     */
    public static String address(final byte[] b, final int off)
    {
        int end = off + ADDRESS_OFFSET;
        while (end < off + ADDRESS_OFFSET + ADDRESS_LENGTH && b[end] != 0)
        {
            end++;
        }
        return new String(b, off + ADDRESS_OFFSET, end - off - ADDRESS_OFFSET, StandardCharsets.US_ASCII);
    }

    /**
     * @param b   buffer.
     * @param off packet offset.
     * @return the port field.
     */
    public static int port(final byte[] b, final int off)
    {
        return u16(b, off + PORT_OFFSET);
    }

    private static int u16(final byte[] b, final int o)
    {
        return (b[o] & 0xFF) << 8 | (b[o + 1] & 0xFF);
    }
}
