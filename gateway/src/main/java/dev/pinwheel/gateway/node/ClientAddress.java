package dev.pinwheel.gateway.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Set;

import io.netty.util.NetUtil;

/**
 * Who a client is, for per-address limits: an IPv4 address, or the /64 an IPv6 address belongs to (one subscriber
 * usually holds a whole /64, so counting single IPv6 addresses would let one client be thousands). Behind a
 * reverse proxy every peer is the proxy: only for peers listed in {@link EdgeConfig#trustedProxies()} is the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy taken as the client. Stateless.
 */
public final class ClientAddress
{
    /** Key for a peer whose address is unknown (not an IP socket). */
    public static final String UNKNOWN = "unknown";

    private ClientAddress()
    {
    }

    /**
     * @param peer a channel's remote address.
     * @return the limit key of that peer ({@link #UNKNOWN} if it has no IP address).
     */
    public static String key(final SocketAddress peer)
    {
        return peer instanceof InetSocketAddress isa && isa.getAddress() != null ? key(isa.getAddress()) : UNKNOWN;
    }

    /**
     * @param address an IP address.
     * @return {@code a.b.c.d} for IPv4 (and IPv4-mapped IPv6), {@code xxxx:xxxx:xxxx:xxxx::/64} for IPv6.
     */
    public static String key(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        if (b.length == 4)
        {
            return address.getHostAddress();
        }
        if (isMappedV4(b))
        {
            return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        final StringBuilder s = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2)
        {
            s.append(Integer.toHexString((b[i] & 0xff) << 8 | (b[i + 1] & 0xff))).append(':');
        }
        return s.append(":/64").toString();
    }

    /**
     * The client of one request: the peer, or, when the peer is a trusted proxy, the address it forwards for.
     *
     * @param peer          the TCP peer.
     * @param forwardedFor  the {@code X-Forwarded-For} header, or null.
     * @param trusted       trusted proxy addresses (canonical text).
     * @return the limit key of the client.
     */
    public static String forRequest(final SocketAddress peer, final String forwardedFor, final Set<String> trusted)
    {
        if (forwardedFor == null || trusted.isEmpty() || !(peer instanceof InetSocketAddress isa)
            || isa.getAddress() == null || !trusted.contains(isa.getAddress().getHostAddress()))
        {
            return key(peer);
        }
        final String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--)
        {
            final InetAddress hop = literal(hops[i].strip());
            if (hop == null)
            {
                return key(peer); // a hop we cannot read: do not guess past it
            }
            if (!trusted.contains(hop.getHostAddress()) || i == 0)
            {
                return key(hop);
            }
        }
        return key(peer);
    }

    /**
     * @param ip an IP literal.
     * @return its canonical text ({@code InetAddress.getHostAddress()}).
     * @throws IllegalArgumentException if it is not an IP literal (no name is ever resolved).
     */
    public static String canonical(final String ip)
    {
        final InetAddress a = literal(ip);
        if (a == null)
        {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
        return a.getHostAddress();
    }

    private static InetAddress literal(final String text)
    {
        final byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null)
        {
            return null;
        }
        try
        {
            return InetAddress.getByAddress(bytes);
        }
        catch (final UnknownHostException e)
        {
            return null;
        }
    }

    private static boolean isMappedV4(final byte[] b)
    {
        for (int i = 0; i < 10; i++)
        {
            if (b[i] != 0)
            {
                return false;
            }
        }
        return b[10] == (byte)0xff && b[11] == (byte)0xff;
    }
}
