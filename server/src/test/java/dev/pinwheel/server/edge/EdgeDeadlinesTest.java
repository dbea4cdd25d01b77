package dev.pinwheel.server.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.server.TestNode;

/**
 * The edge's deadlines and per-address cap on a real node, with raw sockets playing the clients of the adversarial
 * run: an idle connection, a slowloris trickling one header line at a time, a half-sent WebSocket upgrade, a body
 * that stops, an idle kept-alive connection, a malformed request followed by more bytes, and one address opening
 * more connections than it may. Each must end (with a 408/400 where a request was started) well before the test's
 * own read timeout; the counters show why on {@code /metrics}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EdgeDeadlinesTest
{
    private static final int FIRST_MS = 400;
    private static final int HEADER_MS = 600;
    private static final int BODY_MS = 600;
    private static final int KEEP_ALIVE_MS = 600;
    private static final int CAP = 3;
    /** Far longer than any deadline above: a connection still open after this was never going to close. */
    private static final int READ_TIMEOUT_MS = 15_000;
    private static TestNode node;
    private static TestNode capped;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1, null, cfg -> cfg.edge().firstRequestTimeoutMillis(FIRST_MS)
            .headerTimeoutMillis(HEADER_MS).bodyTimeoutMillis(BODY_MS).keepAliveTimeoutMillis(KEEP_ALIVE_MS)
            .lingerMillis(1000));
        capped = new TestNode(1, null, cfg -> cfg.edge().maxConnectionsPerIp(CAP).keepAliveTimeoutMillis(3000));
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
        if (capped != null)
        {
            capped.close();
        }
    }

    private static Socket open(final TestNode n) throws IOException
    {
        final Socket s = new Socket("127.0.0.1", n.port());
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    private static void write(final Socket s, final String text) throws IOException
    {
        final OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Reads until the server closes its side.
     *
     * @return everything the server sent.
     * @throws AssertionError if the server keeps the connection open past the read timeout.
     */
    private static String readToEnd(final Socket s) throws IOException
    {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final InputStream in = s.getInputStream();
        final byte[] buf = new byte[4096];
        try
        {
            for (int n = in.read(buf); n >= 0 && got.size() < 1 << 20; n = in.read(buf))
            {
                got.write(buf, 0, n);
            }
        }
        catch (final SocketTimeoutException e)
        {
            throw new AssertionError("still open after " + READ_TIMEOUT_MS + " ms; got: " + got, e);
        }
        catch (final SocketException e)
        {
            // reset after what was read: the assertions on the text decide
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    /** Reads one response (head and Content-Length body) and leaves the connection open. */
    private static String readResponse(final Socket s) throws IOException
    {
        final InputStream in = s.getInputStream();
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new AssertionError("closed in the middle of a response: " + head);
            }
            head.append((char)b);
        }
        int length = 0;
        for (final String line : head.toString().split("\r\n"))
        {
            if (line.regionMatches(true, 0, "content-length:", 0, 15))
            {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        final byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.UTF_8);
    }

    private static long counter(final TestNode n, final int id)
    {
        return n.server().gateway().shard(0).edgeCounters().get(id);
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosed() throws Exception
    {
        final long before = counter(node, EdgeCounters.CLOSED_FIRST_REQUEST_TIMEOUT);
        try (Socket s = open(node))
        {
            assertEquals("", readToEnd(s), "closed without a word");
        }
        assertTrue(counter(node, EdgeCounters.CLOSED_FIRST_REQUEST_TIMEOUT) > before);
    }

    @Test
    void aSlowlorisTricklingHeaderLinesGets408AndIsClosed() throws Exception
    {
        final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        final AtomicBoolean stopped = new AtomicBoolean();
        try (Socket s = open(node))
        {
            write(s, "GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            final int[] line = {0};
            // one header line every 100 ms: each read is quick, the head as a whole never completes
            trickle.scheduleAtFixedRate(() ->
            {
                try
                {
                    if (!stopped.get() && line[0]++ < 200)
                    {
                        write(s, "X-Trickle-" + line[0] + ": 1\r\n");
                    }
                }
                catch (final IOException e)
                {
                    stopped.set(true); // the server is gone: what the test waits for
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
            final String got = readToEnd(s);
            assertTrue(got.startsWith("HTTP/1.1 408 "), got);
            assertTrue(got.contains("\"code\":0") && got.contains("\"message\":\"408: Request Timeout\""), got);
        }
        finally
        {
            stopped.set(true);
            trickle.shutdownNow();
            trickle.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertTrue(counter(node, EdgeCounters.CLOSED_HEADER_TIMEOUT) > 0);
    }

    @Test
    void aHalfSentWebSocketUpgradeIsClosed() throws Exception
    {
        try (Socket s = open(node))
        {
            write(s, "GET /?v=10&encoding=json HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
            final String got = readToEnd(s);
            assertTrue(got.startsWith("HTTP/1.1 408 "), got);
        }
    }

    @Test
    void aBodyThatStopsArrivingIsClosed() throws Exception
    {
        final long before = counter(node, EdgeCounters.CLOSED_BODY_TIMEOUT);
        try (Socket s = open(node))
        {
            write(s, "POST /api/v10/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{\"login\":");
            final String got = readToEnd(s);
            assertTrue(got.startsWith("HTTP/1.1 408 "), got);
        }
        assertTrue(counter(node, EdgeCounters.CLOSED_BODY_TIMEOUT) > before);
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterItsResponse() throws Exception
    {
        final long before = counter(node, EdgeCounters.CLOSED_KEEP_ALIVE_TIMEOUT);
        try (Socket s = open(node))
        {
            write(s, "GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            final String first = readResponse(s);
            assertTrue(first.startsWith("HTTP/1.1 200 OK"), first);
            write(s, "GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertTrue(readResponse(s).startsWith("HTTP/1.1 200 OK"), "kept alive between requests");
            assertEquals("", readToEnd(s), "then closed when idle");
        }
        assertTrue(counter(node, EdgeCounters.CLOSED_KEEP_ALIVE_TIMEOUT) > before);
    }

    @Test
    void aMalformedRequestIsAnsweredThenClosedEvenIfTheClientKeepsSending() throws Exception
    {
        final long before = counter(node, EdgeCounters.CLOSED_BAD_REQUEST);
        try (Socket s = open(node))
        {
            // a request line that is not HTTP, then 256 KB more: the 400 must still arrive (no reset)
            write(s, "THIS IS NOT HTTP\r\n\r\n");
            final byte[] more = new byte[256 * 1024];
            java.util.Arrays.fill(more, (byte)'x');
            try
            {
                s.getOutputStream().write(more);
                s.getOutputStream().flush();
            }
            catch (final IOException e)
            {
                // the server may stop reading once it has drained for the linger time: fine
            }
            final String got = readToEnd(s);
            assertTrue(got.startsWith("HTTP/1.1 400 "), got);
            assertTrue(got.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), got);
            assertTrue(got.contains("\"message\""), "a JSON body: " + got);
        }
        assertTrue(counter(node, EdgeCounters.CLOSED_BAD_REQUEST) > before);
    }

    @Test
    void aRequestHeadArrivingInPiecesWithinTheDeadlineIsServed() throws Exception
    {
        try (Socket s = open(node))
        {
            write(s, "GET /api/v10/gate");
            write(s, "way HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            write(s, "\r\n");
            assertTrue(readResponse(s).startsWith("HTTP/1.1 200 OK"));
        }
    }

    @Test
    void oneAddressGetsAtMostItsConnectionsAndTheRefusalIsCounted() throws Exception
    {
        final List<Socket> held = new ArrayList<>();
        try
        {
            for (int i = 0; i < CAP; i++)
            {
                final Socket s = open(capped);
                held.add(s);
                write(s, "GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertTrue(readResponse(s).startsWith("HTTP/1.1 200 OK"), "connection " + i + " is served");
            }
            try (Socket refused = open(capped))
            {
                assertEquals("", readToEnd(refused), "one more is closed at once");
            }
            assertEquals(1, counter(capped, EdgeCounters.REFUSED_IP_CAP));
            // the server closes one (keep-alive timeout): its slot is free for the next connection
            assertEquals("", readToEnd(held.get(0)));
            try (Socket again = open(capped))
            {
                write(again, "GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertTrue(readResponse(again).startsWith("HTTP/1.1 200 OK"));
            }
        }
        finally
        {
            for (final Socket s : held)
            {
                s.close();
            }
        }
    }

    @Test
    void theCountersAreOnTheMetricsEndpoint() throws Exception
    {
        try (Socket s = open(node))
        {
            readToEnd(s); // one first-request timeout at least
        }
        final TestNode.User admin = node.register("edge-admin");
        final HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.port() + "/metrics")).header("Authorization", "Bot "
            + admin.token()).timeout(java.time.Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        final String text = metrics.body();
        for (int id = 0; id < EdgeCounters.size(); id++)
        {
            assertTrue(text.contains(EdgeCounters.family(id) + "{shard=\"0\",reason=\"" + EdgeCounters.reason(id)
                + "\"} "), "sample for " + EdgeCounters.reason(id));
        }
        assertTrue(text.contains("# TYPE pinwheel_edge_connections_closed_total counter"), text);
        assertTrue(!text.contains("reason=\"first_request_timeout\"} 0\n"), "the timeout above is counted");
    }
}
