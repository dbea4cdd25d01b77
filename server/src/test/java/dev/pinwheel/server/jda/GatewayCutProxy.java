package dev.pinwheel.server.jda;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of the gateway, so a test can cut a client's live connection the
 * way a network failure does (no close frame), while the client's resume goes straight to the server.
 */
final class GatewayCutProxy implements AutoCloseable
{
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    GatewayCutProxy(final int targetPort) throws IOException
    {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("cut-proxy-accept").start(this::acceptLoop);
    }

    int port()
    {
        return listener.getLocalPort();
    }

    int accepted()
    {
        return accepted.get();
    }

    private void acceptLoop()
    {
        while (!listener.isClosed())
        {
            try
            {
                final Socket client = listener.accept();
                final Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                accepted.incrementAndGet();
                pump(client, server);
                pump(server, client);
            }
            catch (final IOException e)
            {
                return;
            }
        }
    }

    private static void pump(final Socket from, final Socket to)
    {
        Thread.ofPlatform().daemon().name("cut-proxy-pump").start(() ->
        {
            final byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int n;
                while ((n = in.read(buf)) >= 0)
                {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
            catch (final IOException ignored)
            {
                // cut
            }
            finally
            {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    /** Cuts every relayed connection at once (RST-free close of both sides, no WebSocket close frame). */
    void cutAll()
    {
        for (final Socket s : sockets)
        {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static void closeQuietly(final Socket s)
    {
        try
        {
            s.close();
        }
        catch (final IOException ignored)
        {
            // already closed
        }
    }

    @Override
    public void close() throws IOException
    {
        listener.close();
        cutAll();
    }
}
