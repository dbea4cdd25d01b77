package dev.pinwheel.benchmarks.abuse;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately bare WebSocket client over a blocking socket, for attacks a well-behaved library will not send:
 * any opcode and FIN bit, a frame header announcing more than is ever sent, a payload streamed in pieces, frames
 * written back to back in one write. Frames from the client are masked (RFC 6455 5.3), as a server requires.
 * <pre>
 *   frame:  FIN|RSV|opcode (1) | MASK|len7 (1) | len16 (2) or len64 (8) | mask key (4) | payload ^ key[i % 4]
 * </pre>
 * One thread reads ({@link #read}), another may write; not otherwise thread-safe.
 */
final class RawWebSocket implements AutoCloseable
{
    static final int TEXT = 1;
    static final int CONTINUATION = 0;
    static final int CLOSE = 8;

    /** A frame from the server; a close frame's code is in {@link #closeCode()}. */
    record Frame(int opcode, boolean fin, byte[] payload)
    {
        /**
         * @return the close code of a close frame, 1005 if it has none, -1 for other frames.
         */
        int closeCode()
        {
            if (opcode != CLOSE)
            {
                return -1;
            }
            return payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
        }

        /**
         * @return the payload as text.
         */
        String text()
        {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] key = new byte[4];
    private long streamed;

    private RawWebSocket(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = socket.getOutputStream();
    }

    /**
     * Connects from {@code source} and upgrades to a gateway WebSocket ({@code /?v=10&encoding=json}).
     *
     * @param source    source address.
     * @param host      server host.
     * @param port      server port.
     * @param timeoutMs connect and handshake timeout.
     * @return the open WebSocket (HELLO not read yet).
     * @throws IOException if the connection or the upgrade fails.
     */
    static RawWebSocket open(final InetAddress source, final String host, final int port, final int timeoutMs)
        throws IOException
    {
        final Socket s = Loopback.connect(source, host, port, timeoutMs);
        try
        {
            s.setSoTimeout(timeoutMs);
            final byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            s.getOutputStream().write(("GET /?v=10&encoding=json HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            final RawWebSocket ws = new RawWebSocket(s);
            final String head = ws.readHead();
            if (!head.startsWith("HTTP/1.1 101"))
            {
                throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
            }
            return ws;
        }
        catch (final IOException | RuntimeException ex)
        {
            s.close();
            throw ex;
        }
    }

    private String readHead() throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("closed during the upgrade");
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /**
     * @param millis read timeout for {@link #read}.
     * @throws IOException if the socket is closed.
     */
    void timeout(final int millis) throws IOException
    {
        socket.setSoTimeout(millis);
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or null at the end of the stream (the server closed without a close frame, or after one).
     * @throws SocketTimeoutException if nothing came within the timeout.
     * @throws IOException if the connection was reset.
     */
    Frame read() throws IOException
    {
        final int b0 = in.read();
        if (b0 < 0)
        {
            return null;
        }
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
            in.readFully(new byte[4]); // a server never masks; skip a key if one came
        }
        if (len > 64L << 20)
        {
            throw new IOException("frame of " + len + " bytes from the server");
        }
        final byte[] payload = new byte[(int)len];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
    }

    /**
     * @param text a whole text message in one frame.
     * @throws IOException on a write failure.
     */
    void sendText(final String text) throws IOException
    {
        final byte[] p = text.getBytes(StandardCharsets.UTF_8);
        out.write(frame(true, TEXT, p, 0, p.length));
        out.flush();
    }

    /**
     * @param bytes frames already encoded ({@link #frame}), written in one go.
     * @throws IOException on a write failure.
     */
    void sendRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * Writes only a frame's header, announcing {@code length} bytes; the payload follows with {@link #stream}.
     *
     * @param fin    FIN bit.
     * @param opcode opcode.
     * @param length payload length announced.
     * @throws IOException on a write failure.
     */
    void sendHeader(final boolean fin, final int opcode, final long length) throws IOException
    {
        ThreadLocalRandom.current().nextBytes(key);
        streamed = 0;
        final ByteArrayOutputStream h = new ByteArrayOutputStream(14);
        header(h, fin, opcode, length, key);
        out.write(h.toByteArray());
        out.flush();
    }

    /**
     * Writes the next piece of the payload announced by {@link #sendHeader}, masked.
     *
     * @param piece bytes (masked in place).
     * @throws IOException on a write failure.
     */
    void stream(final byte[] piece) throws IOException
    {
        for (int i = 0; i < piece.length; i++)
        {
            piece[i] ^= key[(int)(streamed + i & 3)];
        }
        streamed += piece.length;
        out.write(piece);
        out.flush();
    }

    /**
     * Encodes one masked frame.
     *
     * @param fin     FIN bit.
     * @param opcode  opcode.
     * @param payload payload.
     * @param off     first byte.
     * @param len     bytes.
     * @return the frame's bytes.
     */
    static byte[] frame(final boolean fin, final int opcode, final byte[] payload, final int off, final int len)
    {
        final byte[] k = new byte[4];
        ThreadLocalRandom.current().nextBytes(k);
        final ByteArrayOutputStream f = new ByteArrayOutputStream(len + 14);
        header(f, fin, opcode, len, k);
        for (int i = 0; i < len; i++)
        {
            f.write(payload[off + i] ^ k[i & 3]);
        }
        return f.toByteArray();
    }

    private static void header(final ByteArrayOutputStream h, final boolean fin, final int opcode, final long length,
        final byte[] k)
    {
        h.write((fin ? 0x80 : 0) | opcode & 0x0f);
        if (length < 126)
        {
            h.write(0x80 | (int)length);
        }
        else if (length <= 0xffff)
        {
            h.write(0x80 | 126);
            h.write((int)(length >>> 8) & 0xff);
            h.write((int)length & 0xff);
        }
        else
        {
            h.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8)
            {
                h.write((int)(length >>> shift) & 0xff);
            }
        }
        h.write(k, 0, 4);
    }

    /**
     * @return the socket's input (for draining).
     */
    InputStream input()
    {
        return in;
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // closing
        }
    }
}
