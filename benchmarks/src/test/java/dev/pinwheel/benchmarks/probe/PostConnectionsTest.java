package dev.pinwheel.benchmarks.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The probe's publisher posts on at most K keep-alive connections and counts every answer's status, failures too.
 */
@Timeout(60)
class PostConnectionsTest
{
    @Test
    void postsGoOutOnAtMostKKeptConnectionsAndEveryAnswerIsCounted() throws Exception
    {
        final CopyOnWriteArrayList<String> bodies = new CopyOnWriteArrayList<>();
        final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        final AtomicInteger answered = new AtomicInteger();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange ->
        {
            final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            clientPorts.add(exchange.getRemoteAddress().getPort());
            final boolean ok = exchange.getRequestURI().getPath().equals("/api/v10/channels/42/messages")
                && "Bot t0k".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            bodies.add(body);
            final byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
            final int status = !ok ? 400 : body.contains("refuse") ? 503 : 200;
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            answered.incrementAndGet();
        });
        server.start();
        final int port = server.getAddress().getPort();
        try (PostConnections posts = new PostConnections("127.0.0.1", port, 4))
        {
            for (int i = 0; i < 40; i++)
            {
                posts.post("42", "t0k", i == 7 ? "refuse this one" : "message " + i);
            }
            awaitAnswers(posts, 40);
            assertEquals(Map.of(200, 39L, 503, 1L), posts.statuses());
            assertEquals(40, bodies.size());
            assertTrue(bodies.contains("{\"content\":\"message 39\"}"), bodies.toString());
            assertTrue(clientPorts.size() <= 4, "connections: " + clientPorts);

            server.stop(0); // nothing listens any more: a post fails, is counted as 0, and does not hold its slot
            for (int i = 0; i < 6; i++)
            {
                posts.post("42", "t0k", "after the stop " + i);
            }
            awaitAnswers(posts, 46);
            assertEquals(6L, posts.statuses().get(0), posts.statuses().toString());
        }
        finally
        {
            server.stop(0);
            ((java.util.concurrent.ExecutorService)server.getExecutor()).shutdownNow();
        }
    }

    private static void awaitAnswers(final PostConnections posts, final long n) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (posts.statuses().values().stream().mapToLong(Long::longValue).sum() < n)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("answers: " + posts.statuses());
            }
            Thread.sleep(10);
        }
    }
}
