package dev.pinwheel.server.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for what well-behaved clients never do: bursts written in one go, a frame
 * header announcing 16 MB, endless continuation frames. Frames are built by hand (client frames masked, as the
 * protocol requires); reading stops at the server's close frame and reports its code, or reports how the
 * connection ended without one (reset, end of stream). Every read is bounded by the socket timeout.
 */
final class RawGatewaySocket implements AutoCloseable
{
    /** How the server ended the connection: its close code, or -1 with what happened instead. */
    record Ending(int code, String reason)
    {
    }

    private static final int TEXT = 0x1;
    private static final int CONTINUATION = 0x0;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawGatewaySocket(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and upgrades to {@code /?v=10&encoding=json}.
     *
     * @param port the node's port.
     * @return the open connection (HELLO not yet read).
     * @throws IOException if the upgrade fails.
     */
    static RawGatewaySocket open(final int port) throws IOException
    {
        return open(port, 0);
    }

    /**
     * Connects with a given receive buffer (small: the server's writes back up as soon as the client stops reading)
     * and upgrades to {@code /?v=10&encoding=json}.
     *
     * @param port          the node's port.
     * @param receiveBuffer SO_RCVBUF in bytes, or 0 for the system's default.
     * @return the open connection (HELLO not yet read).
     * @throws IOException if the upgrade fails.
     */
    static RawGatewaySocket open(final int port, final int receiveBuffer) throws IOException
    {
        final Socket s = new Socket();
        if (receiveBuffer > 0)
        {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(15_000);
        final RawGatewaySocket ws = new RawGatewaySocket(s);
        final byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        ws.out.write(("GET /?v=10&encoding=json HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            head.append((char)ws.in.readUnsignedByte());
        }
        if (!head.toString().startsWith("HTTP/1.1 101"))
        {
            s.close();
            throw new IOException("no upgrade: " + head);
        }
        return ws;
    }

    /**
     * @param opcode  frame opcode.
     * @param fin     whether this is the last frame of its message.
     * @param payload the payload (masked here).
     * @return the frame's bytes.
     */
    static byte[] frame(final int opcode, final boolean fin, final byte[] payload)
    {
        final ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        header(f, payload.length);
        final byte[] mask = {1, 2, 3, 4};
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++)
        {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    private static void header(final ByteArrayOutputStream f, final long length)
    {
        if (length < 126)
        {
            f.write(0x80 | (int)length);
        }
        else if (length < 65_536)
        {
            f.write(0x80 | 126);
            f.write((int)(length >>> 8));
            f.write((int)length);
        }
        else
        {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--)
            {
                f.write((int)(length >>> (8 * i)));
            }
        }
    }

    /**
     * @param json a payload.
     * @return one masked text frame carrying it.
     */
    static byte[] text(final String json)
    {
        return frame(TEXT, true, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param payload a continuation's payload.
     * @param fin     whether it ends the message.
     * @return one masked continuation frame.
     */
    static byte[] continuation(final byte[] payload, final boolean fin)
    {
        return frame(CONTINUATION, fin, payload);
    }

    /**
     * Writes a text frame header announcing {@code length} payload bytes, then streams that many (masked zeros) in
     * chunks, stopping quietly if the server stops taking them.
     *
     * @param length payload length announced and sent.
     * @return bytes of payload written before the server stopped reading (or all).
     */
    long sendHugeTextFrame(final long length)
    {
        final ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(0x80 | TEXT);
        header(h, length);
        h.writeBytes(new byte[] {0, 0, 0, 0}); // zero mask: the payload goes as is
        long sent = 0;
        try
        {
            out.write(h.toByteArray());
            final byte[] chunk = new byte[64 * 1024];
            while (sent < length)
            {
                final int n = (int)Math.min(chunk.length, length - sent);
                out.write(chunk, 0, n);
                sent += n;
            }
            out.flush();
        }
        catch (final IOException e)
        {
            // the server closed after its close frame and linger time: what comes next decides
        }
        return sent;
    }

    /**
     * Writes {@code frames} again and again, {@code total} bytes in all, as a flooding client would, stopping quietly
     * if the server stops taking them (reading tells what happened).
     *
     * @param frames one or more frames.
     * @param total  bytes to send in all (a multiple of the frames' length is sent).
     * @return bytes written before the server stopped reading (or all).
     */
    long sendRepeated(final byte[] frames, final long total)
    {
        final int copies = Math.max(1, 64 * 1024 / frames.length);
        final byte[] chunk = new byte[copies * frames.length];
        for (int i = 0; i < copies; i++)
        {
            System.arraycopy(frames, 0, chunk, i * frames.length, frames.length);
        }
        long sent = 0;
        try
        {
            while (sent < total)
            {
                out.write(chunk);
                sent += chunk.length;
            }
            out.flush();
        }
        catch (final IOException e)
        {
            // see sendHugeTextFrame
        }
        return sent;
    }

    /**
     * Sends one text frame.
     *
     * @param json the payload.
     * @throws IOException if the connection fails.
     */
    void sendText(final String json) throws IOException
    {
        out.write(text(json));
        out.flush();
    }

    /**
     * Reads the next text frame's payload (skipping nothing else: HELLO is the first thing the server sends).
     *
     * @return the payload.
     * @throws IOException if the connection fails.
     */
    String readText() throws IOException
    {
        final int b0 = in.readUnsignedByte();
        final byte[] payload = payload();
        if ((b0 & 0x0f) != TEXT)
        {
            throw new IOException("expected a text frame, got opcode " + (b0 & 0x0f));
        }
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * Reads frames until the server's close frame.
     *
     * @return its code and reason, or code -1 if the connection ended without one (and how).
     */
    Ending awaitClose()
    {
        try
        {
            for (int frames = 0; frames < 100_000; frames++)
            {
                final int b0 = in.readUnsignedByte();
                final byte[] payload = payload();
                if ((b0 & 0x0f) == 0x8)
                {
                    final int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
                    return new Ending(code, new String(payload, Math.min(2, payload.length),
                        Math.max(0, payload.length - 2), StandardCharsets.UTF_8));
                }
            }
            return new Ending(-1, "no close frame in 100,000 frames");
        }
        catch (final SocketTimeoutException e)
        {
            return new Ending(-1, "no close frame before the read timeout");
        }
        catch (final SocketException e)
        {
            return new Ending(-1, "connection failed without a close frame: " + e);
        }
        catch (final IOException e)
        {
            return new Ending(-1, "connection ended without a close frame: " + e);
        }
    }

    private byte[] payload() throws IOException
    {
        final int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126)
        {
            len = in.readUnsignedShort();
        }
        else if (len == 127)
        {
            len = in.readLong();
        }
        if ((b1 & 0x80) != 0)
        {
            throw new IOException("server frames are not masked");
        }
        if (len > 1 << 20)
        {
            throw new IOException("frame too large for a test: " + len);
        }
        final byte[] payload = new byte[(int)len];
        in.readFully(payload);
        return payload;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
