package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * A keep-alive connection pauses reading only while an answer is pending on another shard: a request the
 * connection's own shard answers at once leaves reading on (issue 14: no epoll_ctl pair per request), one answered by
 * the guild's owner on the other shard pauses it until the answer is written. Either way every request on the
 * connection is answered, in order, pipelined or not. Driven over a raw socket on each shard's own listener, so
 * that one of the two connections is on the guild owner's shard and the other is not.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RestKeepAliveReadingTest
{
    private static TestNode node;
    private static TestNode.Pair pair;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2);
        pair = node.pair("keepalive");
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void pipelinedRequestsOnEitherShardAreAnsweredInOrder() throws IOException
    {
        for (int shard = 0; shard < 2; shard++)
        {
            try (Socket s = connect(shard))
            {
                final OutputStream out = s.getOutputStream();
                final InputStream in = s.getInputStream();
                final StringBuilder pipelined = new StringBuilder();
                final List<String> expected = new ArrayList<>();
                for (int i = 0; i < 6; i++)
                {
                    if (i % 2 == 0)
                    {
                        pipelined.append(get("/api/v10/gateway"));
                        expected.add("\"url\":\"ws://");
                    }
                    else
                    {
                        final String content = "pipelined " + shard + "-" + i;
                        pipelined.append(post(content));
                        expected.add("\"content\":\"" + content + "\"");
                    }
                }
                out.write(pipelined.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                for (int i = 0; i < expected.size(); i++)
                {
                    final Answer a = read(in);
                    assertEquals(200, a.status(), "answer " + i + " on shard " + shard + ": " + a.body());
                    assertTrue(a.body().contains(expected.get(i)), "answer " + i + " on shard " + shard
                        + " is the answer to request " + i + ": " + a.body());
                }
            }
        }
    }

    @Test
    void oneByOneTheConnectionKeepsReading() throws IOException
    {
        for (int shard = 0; shard < 2; shard++)
        {
            try (Socket s = connect(shard))
            {
                final OutputStream out = s.getOutputStream();
                final InputStream in = s.getInputStream();
                for (int i = 0; i < 40; i++)
                {
                    // an owner-answered request between answered-at-once ones, in every order
                    final boolean posting = i % 3 == 1;
                    final String content = "one by one " + shard + "-" + i;
                    out.write((posting ? post(content) : get("/api/v10/gateway")).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    final Answer a = read(in);
                    assertEquals(200, a.status(), "request " + i + " on shard " + shard + ": " + a.body());
                    assertTrue(a.body().contains(posting ? "\"content\":\"" + content + "\"" : "\"url\":\"ws://"),
                        a.body());
                }
            }
        }
    }

    private static Socket connect(final int shard) throws IOException
    {
        final int port = URI.create(node.shardUrl(shard)).getPort();
        final Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(20_000); // a connection that stops reading fails the test instead of hanging it
        s.setTcpNoDelay(true);
        return s;
    }

    private static String get(final String path)
    {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    private static String post(final String content)
    {
        final byte[] body = ("{\"content\":\"" + content + "\"}").getBytes(StandardCharsets.UTF_8);
        return "POST /api/v10/channels/" + pair.channelId() + "/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bot " + pair.owner().token() + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8);
    }

    private record Answer(int status, String body)
    {
    }

    /** Reads one HTTP/1.1 answer with a Content-Length (Pinwheel's REST answers always carry one). */
    private static Answer read(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("connection closed in an answer's head: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                ? matched + 1 : b == '\r' ? 1 : 0;
        }
        final String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        final int status = Integer.parseInt(lines[0].split(" ")[1]);
        int length = -1;
        for (final String line : lines)
        {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
            {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        assertTrue(length >= 0, "an answer without Content-Length: " + head);
        final byte[] body = in.readNBytes(length);
        assertEquals(length, body.length, "connection closed in an answer's body");
        return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }
}
