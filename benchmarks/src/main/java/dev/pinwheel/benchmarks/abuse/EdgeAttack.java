package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Connections that never finish a request, each on its own virtual thread from {@link Loopback#EDGE}, and when the
 * node closed each of them:
 * <pre>
 *   idle          connect, send nothing                          node: close after first-request-timeout-ms
 *   slowloris     a request line, then one header line every 5 s  node: 408 + close, header-timeout-ms after byte 1
 *   half-upgrade  a WebSocket upgrade head without its last lines node: 408 + close, header-timeout-ms
 *   after-400     garbage, then more garbage every 50 ms         node: 400 + FIN at once, drops it after linger-ms
 * </pre>
 * "Closed" is the end of stream the client reads (the node's FIN, or a reset); for after-400 the drop is when the
 * client's writes start failing (the node closed the socket for good).
 */
final class EdgeAttack
{
    /** The kinds, in report order. */
    enum Kind
    {
        IDLE("idle"), SLOWLORIS("slowloris"), HALF_UPGRADE("half-upgrade"), AFTER_400("after-400");

        private final String label;

        Kind(final String label)
        {
            this.label = label;
        }

        String label()
        {
            return label;
        }
    }

    /** One connection's story; times in ms from its connect, -1 if it did not happen. */
    record Conn(Kind kind, boolean connected, String status, double closedMs, double droppedMs)
    {
    }

    private EdgeAttack()
    {
    }

    /**
     * Runs the attack until every connection is closed by the node or {@code maxNanos} pass (the rest are then closed
     * by the attacker and reported as still open).
     *
     * @param host     node host.
     * @param port     node port.
     * @param counts   connections per kind (in {@link Kind} order).
     * @param maxNanos how long to keep them.
     * @return every connection's story.
     * @throws InterruptedException if interrupted.
     */
    static List<Conn> run(final String host, final int port, final int[] counts, final long maxNanos)
        throws InterruptedException
    {
        final long end = System.nanoTime() + maxNanos;
        final List<Thread> threads = new ArrayList<>();
        final List<Conn> out = java.util.Collections.synchronizedList(new ArrayList<>());
        for (final Kind k : Kind.values())
        {
            for (int i = 0; i < counts[k.ordinal()]; i++)
            {
                threads.add(Thread.ofVirtual().name("edge-" + k.label() + "-" + i)
                    .start(() -> out.add(one(k, host, port, end))));
            }
        }
        for (final Thread t : threads)
        {
            t.join(TimeUnit.NANOSECONDS.toMillis(maxNanos) + 10_000);
        }
        return new ArrayList<>(out);
    }

    private static Conn one(final Kind kind, final String host, final int port, final long end)
    {
        final Socket s;
        try
        {
            s = Loopback.connect(Loopback.EDGE, host, port, 5000);
        }
        catch (final IOException ex)
        {
            return new Conn(kind, false, "connect: " + ex.getMessage(), -1, -1);
        }
        final long t0 = System.nanoTime();
        String status = null;
        long closed = -1;
        long dropped = -1;
        try (s)
        {
            final InputStream in = s.getInputStream();
            final OutputStream out = s.getOutputStream();
            final byte[] buf = new byte[4096];
            long nextWrite = t0;
            int lines = 0;
            while (System.nanoTime() - end < 0)
            {
                final long now = System.nanoTime();
                if (now - nextWrite >= 0 && kind != Kind.IDLE && (kind != Kind.HALF_UPGRADE || lines == 0))
                {
                    try
                    {
                        out.write(request(kind, lines++, host, port));
                        out.flush();
                    }
                    catch (final IOException ex)
                    {
                        dropped = System.nanoTime();
                        break;
                    }
                    nextWrite = now + (kind == Kind.SLOWLORIS ? TimeUnit.SECONDS.toNanos(5)
                        : TimeUnit.MILLISECONDS.toNanos(50));
                }
                if (closed >= 0 && kind != Kind.AFTER_400 && kind != Kind.SLOWLORIS)
                {
                    break;
                }
                if (closed >= 0 && kind == Kind.SLOWLORIS)
                {
                    break; // the node answered and closed; its drop comes at its linger deadline
                }
                if (closed >= 0 && now - closed > TimeUnit.SECONDS.toNanos(10))
                {
                    break;
                }
                try
                {
                    // block until the next write is due (writers) or the end (the others): no busy polling
                    final long until = kind == Kind.IDLE || kind == Kind.HALF_UPGRADE || closed >= 0 && kind
                        != Kind.AFTER_400 ? end : Math.min(end, nextWrite);
                    s.setSoTimeout((int)Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
                    final int n = in.read(buf);
                    if (n < 0)
                    {
                        if (closed < 0)
                        {
                            closed = System.nanoTime();
                        }
                        Thread.sleep(5); // stream ended; keep writing (after-400) to see the drop
                    }
                    else if (status == null && n > 0)
                    {
                        final String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                        status = text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? text.substring(9, 12) : "?";
                    }
                }
                catch (final SocketTimeoutException ex)
                {
                    // nothing yet
                }
                catch (final IOException ex)
                {
                    final long t = System.nanoTime();
                    closed = closed < 0 ? t : closed;
                    dropped = t;
                    break;
                }
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // closing
        }
        return new Conn(kind, true, status, closed < 0 ? -1 : (closed - t0) / 1e6,
            dropped < 0 ? -1 : (dropped - t0) / 1e6);
    }

    private static byte[] request(final Kind kind, final int line, final String host, final int port)
    {
        final String text = switch (kind)
        {
            case SLOWLORIS -> line == 0 ? "GET /api/v10/gateway HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                : "X-Slow-" + line + ": " + ThreadLocalRandom.current().nextInt(1_000_000) + "\r\n";
            case HALF_UPGRADE -> "GET /?v=10&encoding=json HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
            case AFTER_400 -> line == 0 ? "\u0001\u0002 this is not HTTP at all\r\n\r\n"
                : "garbage " + "x".repeat(500) + "\r\n";
            default -> "";
        };
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Summarises one kind.
     *
     * @param conns      every connection of the attack.
     * @param kind       the kind.
     * @param deadlineMs when the node should have closed them (from connect), for the "within" count.
     * @param slackMs    allowed lateness (the deadline ticker's granularity and a busy box).
     * @return the kind's numbers.
     */
    static Map<String, Object> summary(final List<Conn> conns, final Kind kind, final double deadlineMs,
        final double slackMs)
    {
        final List<Conn> of = conns.stream().filter(c -> c.kind() == kind).toList();
        final double[] closed = of.stream().filter(c -> c.closedMs() >= 0).mapToDouble(Conn::closedMs).sorted()
            .toArray();
        final double[] dropped = of.stream().filter(c -> c.droppedMs() >= 0).mapToDouble(Conn::droppedMs).sorted()
            .toArray();
        final Map<String, Long> statuses = new TreeMap<>();
        for (final Conn c : of)
        {
            statuses.merge(c.status() == null ? "none" : c.status(), 1L, Long::sum);
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", of.size());
        m.put("connected", of.stream().filter(Conn::connected).count());
        m.put("closed_by_node", closed.length);
        m.put("closed_within_deadline", Arrays.stream(closed).filter(t -> t <= deadlineMs + slackMs).count());
        m.put("deadline_ms", deadlineMs);
        m.put("closed_ms_min", closed.length == 0 ? -1 : closed[0]);
        m.put("closed_ms_p50", closed.length == 0 ? -1 : closed[closed.length / 2]);
        m.put("closed_ms_max", closed.length == 0 ? -1 : closed[closed.length - 1]);
        m.put("dropped", dropped.length);
        m.put("dropped_ms_p50", dropped.length == 0 ? -1 : dropped[dropped.length / 2]);
        m.put("dropped_ms_max", dropped.length == 0 ? -1 : dropped[dropped.length - 1]);
        m.put("first_response_status", statuses);
        return m;
    }

    /**
     * @param m     a {@link #summary}.
     * @param label the kind's label.
     * @return one short line.
     */
    static String line(final Map<String, Object> m, final String label)
    {
        return String.format(Locale.ROOT, "%s %s/%s closed at %.1f-%.1f s (deadline %.0f s), answer %s", label,
            m.get("closed_by_node"), m.get("connections"), (double)m.get("closed_ms_min") / 1000,
            (double)m.get("closed_ms_max") / 1000, (double)m.get("deadline_ms") / 1000, m.get("first_response_status"));
    }
}
