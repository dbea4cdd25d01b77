package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * Attackers come from their own loopback addresses. On Linux the whole of 127.0.0.0/8 is the loopback: a socket
 * bound to 127.0.0.9 reaches a server on 127.0.0.1, which sees 127.0.0.9 as the client's address. So the node's
 * per-address limits (connection cap, login windows, hashing share) treat each attacker as another client, and the
 * normal client keeps 127.0.0.1 to itself, as on a real network.
 * <pre>
 *   127.0.0.1       the normal client (REST, gateway sessions, logins, metrics)
 *   127.0.0.2       edge deadlines: idle, slowloris, half-sent upgrades, after a 400
 *   127.0.0.3       connection cap
 *   127.0.0.4       login flood from one address
 *   127.0.1.1..N    login flood from N addresses
 *   127.0.0.5       WebSocket abuse: heartbeat burst, 16 MiB frame, over-long fragmented message
 *   127.0.0.6       identify storm (and its account)
 * </pre>
 */
final class Loopback
{
    static final InetAddress EDGE = address(0, 2);
    static final InetAddress CAP = address(0, 3);
    static final InetAddress LOGIN_ONE = address(0, 4);
    static final InetAddress WS_ABUSE = address(0, 5);
    static final InetAddress IDENTIFY = address(0, 6);

    private Loopback()
    {
    }

    /**
     * @param k 0-based index of an address of a spread attacker (at most 250).
     * @return 127.0.1.(k+1).
     */
    static InetAddress spread(final int k)
    {
        return address(1, 1 + k);
    }

    /**
     * Opens a TCP connection from {@code source}.
     *
     * @param source    source address (a loopback address).
     * @param host      server host.
     * @param port      server port.
     * @param timeoutMs connect timeout.
     * @return the connected socket (TCP_NODELAY).
     * @throws IOException if it cannot connect.
     */
    static Socket connect(final InetAddress source, final String host, final int port, final int timeoutMs)
        throws IOException
    {
        final Socket s = new Socket();
        try
        {
            s.setTcpNoDelay(true);
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            return s;
        }
        catch (final IOException ex)
        {
            s.close();
            throw ex;
        }
    }

    private static InetAddress address(final int third, final int fourth)
    {
        try
        {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte)third, (byte)fourth});
        }
        catch (final UnknownHostException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
