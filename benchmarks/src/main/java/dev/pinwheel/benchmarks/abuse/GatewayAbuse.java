package dev.pinwheel.benchmarks.abuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Protocol abuse on gateway WebSockets from {@link Loopback#WS_ABUSE}, each socket on virtual threads: after HELLO
 * <pre>
 *   heartbeats   1,000 op 1 frames written back to back in one write    expected: close 4008 (rate limited)
 *   big-frame    one text frame announcing 16 MiB, its payload streamed  expected: close 4002 at the header
 *   fragments    a text message of 1 KiB fragments that never ends       expected: close 4002 past 4 KiB
 * </pre>
 * and what each socket got: the close code (or an end of stream / reset without one), the heartbeat
 * acknowledgements before it, how many bytes the attacker had written, and when.
 */
final class GatewayAbuse
{
    /** What one attacking socket saw. */
    record Outcome(String kind, int closeCode, String end, int acks, long bytesSent, double closedMs)
    {
        /**
         * @return the close code, or how the connection ended without one.
         */
        String result()
        {
            return closeCode >= 0 ? Integer.toString(closeCode) : end;
        }
    }

    private GatewayAbuse()
    {
    }

    /**
     * Runs the three attacks at once.
     *
     * @param host       node host.
     * @param port       node port.
     * @param perKind    sockets per attack.
     * @param heartbeats heartbeats in the burst.
     * @param bigFrame   bytes the big frame announces.
     * @param maxNanos   how long to wait for each socket's end.
     * @return every socket's outcome.
     * @throws InterruptedException if interrupted.
     */
    static List<Outcome> run(final String host, final int port, final int perKind, final int heartbeats,
        final long bigFrame, final long maxNanos) throws InterruptedException
    {
        final List<Outcome> out = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        for (final String kind : List.of("heartbeats", "big-frame", "fragments"))
        {
            for (int i = 0; i < perKind; i++)
            {
                threads.add(Thread.ofVirtual().name("ws-abuse-" + kind + "-" + i)
                    .start(() -> out.add(one(kind, host, port, heartbeats, bigFrame, maxNanos))));
            }
        }
        for (final Thread t : threads)
        {
            t.join(TimeUnit.NANOSECONDS.toMillis(maxNanos) + 15_000);
        }
        return new ArrayList<>(out);
    }

    private static Outcome one(final String kind, final String host, final int port, final int heartbeats,
        final long bigFrame, final long maxNanos)
    {
        final RawWebSocket ws;
        try
        {
            ws = RawWebSocket.open(Loopback.WS_ABUSE, host, port, 5000);
        }
        catch (final IOException ex)
        {
            return new Outcome(kind, -1, "no upgrade: " + ex.getMessage(), 0, 0, -1);
        }
        try (ws)
        {
            final RawWebSocket.Frame hello = ws.read();
            if (hello == null || !hello.text().contains("\"op\":10"))
            {
                return new Outcome(kind, -1, "no HELLO", 0, 0, -1);
            }
            final long t0 = System.nanoTime();
            final AtomicLong sent = new AtomicLong();
            final AtomicBoolean closed = new AtomicBoolean();
            Thread writer = null;
            switch (kind)
            {
                case "heartbeats" ->
                {
                    final ByteArrayOutputStream burst = new ByteArrayOutputStream(24 * heartbeats);
                    for (int i = 0; i < heartbeats; i++)
                    {
                        burst.writeBytes(RawWebSocket.frame(true, RawWebSocket.TEXT,
                            "{\"op\":1,\"d\":null}".getBytes(StandardCharsets.US_ASCII), 0, 17));
                    }
                    writer = Thread.ofVirtual().start(() -> write(ws, burst.toByteArray(), sent));
                }
                case "big-frame" -> writer = Thread.ofVirtual().start(() ->
                {
                    try
                    {
                        ws.sendHeader(true, RawWebSocket.TEXT, bigFrame);
                        final byte[] piece = new byte[64 * 1024];
                        for (long left = bigFrame; left > 0 && !closed.get(); left -= piece.length)
                        {
                            Arrays.fill(piece, (byte)'a');
                            ws.stream(piece);
                            sent.addAndGet(piece.length);
                        }
                    }
                    catch (final IOException ex)
                    {
                        // the node closed or reset: the reader reports how
                    }
                });
                default -> writer = Thread.ofVirtual().start(() ->
                {
                    final byte[] piece = new byte[1024];
                    Arrays.fill(piece, (byte)'a');
                    piece[0] = '"';
                    try
                    {
                        for (int i = 0; i < 1024 && !closed.get(); i++)
                        {
                            ws.sendRaw(RawWebSocket.frame(false, i == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION,
                                piece, 0, piece.length));
                            sent.addAndGet(piece.length);
                        }
                    }
                    catch (final IOException ex)
                    {
                        // the node closed or reset
                    }
                });
            }
            int acks = 0;
            int code = -1;
            String end = "timeout";
            ws.timeout(200);
            final long deadline = t0 + maxNanos;
            while (System.nanoTime() - deadline < 0)
            {
                try
                {
                    final RawWebSocket.Frame f = ws.read();
                    if (f == null)
                    {
                        end = "end of stream, no close frame";
                        break;
                    }
                    if (f.opcode() == RawWebSocket.CLOSE)
                    {
                        code = f.closeCode();
                        end = "close frame";
                        break;
                    }
                    if (f.text().contains("\"op\":11"))
                    {
                        acks++;
                    }
                }
                catch (final SocketTimeoutException ex)
                {
                    // keep waiting
                }
                catch (final IOException ex)
                {
                    end = "reset: " + ex.getMessage();
                    break;
                }
            }
            final double ms = (System.nanoTime() - t0) / 1e6;
            closed.set(true);
            if (writer != null)
            {
                writer.join(5000);
            }
            return new Outcome(kind, code, end, acks, sent.get(), ms);
        }
        catch (final IOException ex)
        {
            return new Outcome(kind, -1, "error: " + ex.getMessage(), 0, 0, -1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Outcome(kind, -1, "interrupted", 0, 0, -1);
        }
    }

    private static void write(final RawWebSocket ws, final byte[] bytes, final AtomicLong sent)
    {
        try
        {
            ws.sendRaw(bytes);
            sent.addAndGet(bytes.length);
        }
        catch (final IOException ex)
        {
            // the node closed first
        }
    }

    /**
     * @param all  every outcome.
     * @param kind an attack.
     * @return e.g. {@code heartbeats: 4008 x3 (acks 120, closed at 0.01 s)}.
     */
    static String line(final List<Outcome> all, final String kind)
    {
        final List<Outcome> of = all.stream().filter(o -> o.kind().equals(kind)).toList();
        final java.util.Map<String, Long> results = new java.util.TreeMap<>();
        double maxMs = 0;
        long maxSent = 0;
        int maxAcks = 0;
        for (final Outcome o : of)
        {
            results.merge(o.result(), 1L, Long::sum);
            maxMs = Math.max(maxMs, o.closedMs());
            maxSent = Math.max(maxSent, o.bytesSent());
            maxAcks = Math.max(maxAcks, o.acks());
        }
        return String.format(Locale.ROOT, "%s %s (%s%.2f s, ≤ %d KiB sent)", kind, results,
            "heartbeats".equals(kind) ? "acks ≤ " + maxAcks + ", by " : "by ", maxMs / 1000, maxSent >> 10);
    }
}
