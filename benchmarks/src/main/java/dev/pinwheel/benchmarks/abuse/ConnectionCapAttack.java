package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * One address ({@link Loopback#CAP}) opens connections until the node refuses them: the node accepts up to its
 * per-address cap and closes every further one at accept, before reading anything. Each connection is checked once
 * after all are open: a refused one reads end of stream (or a reset) at once, an accepted one reads nothing yet (it
 * would be closed by the first-request deadline later). Not thread-safe; one attack at a time.
 */
final class ConnectionCapAttack implements AutoCloseable
{
    private final List<Socket> sockets = new ArrayList<>();
    private int connectFailures;

    /**
     * Opens {@code n} connections one after another.
     *
     * @param host node host.
     * @param port node port.
     * @param n    connections to try.
     * @return this.
     */
    ConnectionCapAttack open(final String host, final int port, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            try
            {
                sockets.add(Loopback.connect(Loopback.CAP, host, port, 5000));
            }
            catch (final IOException ex)
            {
                connectFailures++;
            }
        }
        return this;
    }

    /**
     * @return TCP connects that failed outright (the kernel's backlog, not the node's cap).
     */
    int connectFailures()
    {
        return connectFailures;
    }

    /**
     * @return {accepted and still open, refused (closed by the node)} among the open sockets.
     */
    int[] classify()
    {
        int open = 0;
        int refused = 0;
        final byte[] one = new byte[1];
        for (final Socket s : sockets)
        {
            try
            {
                s.setSoTimeout(1);
                if (s.getInputStream().read(one) < 0)
                {
                    refused++;
                }
                else
                {
                    open++; // the node never writes first; count it as open
                }
            }
            catch (final SocketTimeoutException ex)
            {
                open++;
            }
            catch (final IOException ex)
            {
                refused++;
            }
        }
        return new int[] {open, refused};
    }

    @Override
    public void close()
    {
        for (final Socket s : sockets)
        {
            try
            {
                s.close();
            }
            catch (final IOException ex)
            {
                // closing
            }
        }
        sockets.clear();
    }
}
