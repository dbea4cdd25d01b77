package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code n} gateway connections of one token from {@link Loopback#IDENTIFY}: all wait at HELLO, then all IDENTIFY
 * at once. Counts what each got first: READY, op 9 INVALID_SESSION, a close code, or nothing within the wait.
 */
final class IdentifyStorm
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private IdentifyStorm()
    {
    }

    /**
     * @param host     node host.
     * @param port     node port.
     * @param token    the one token.
     * @param n        connections.
     * @param maxNanos how long each waits for its answer.
     * @return outcome ("READY", "op 9 d=false", "close 4008", "no answer", "no HELLO: …") to count.
     * @throws InterruptedException if interrupted.
     */
    static Map<String, Long> run(final String host, final int port, final String token, final int n,
        final long maxNanos) throws InterruptedException
    {
        final CountDownLatch atHello = new CountDownLatch(n);
        final CountDownLatch go = new CountDownLatch(1);
        final List<String> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        final String identify = "{\"op\":2,\"d\":{\"token\":\"" + token + "\",\"intents\":513,\"properties\":"
            + "{\"os\":\"linux\",\"browser\":\"abuse-probe\",\"device\":\"abuse-probe\"}}}";
        for (int i = 0; i < n; i++)
        {
            threads.add(Thread.ofVirtual().name("identify-storm-" + i).start(() ->
            {
                try (RawWebSocket ws = RawWebSocket.open(Loopback.IDENTIFY, host, port, 10_000))
                {
                    final RawWebSocket.Frame hello = ws.read();
                    atHello.countDown();
                    if (hello == null || !hello.text().contains("\"op\":10"))
                    {
                        outcomes.add("no HELLO");
                        return;
                    }
                    go.await();
                    ws.sendText(identify);
                    outcomes.add(answer(ws, maxNanos));
                }
                catch (final IOException ex)
                {
                    atHello.countDown();
                    outcomes.add("error: " + ex.getClass().getSimpleName());
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        atHello.await(30, TimeUnit.SECONDS);
        go.countDown();
        for (final Thread t : threads)
        {
            t.join(TimeUnit.NANOSECONDS.toMillis(maxNanos) + 15_000);
        }
        final Map<String, Long> counts = new TreeMap<>();
        for (final String o : outcomes)
        {
            counts.merge(o, 1L, Long::sum);
        }
        return counts;
    }

    private static String answer(final RawWebSocket ws, final long maxNanos) throws IOException
    {
        ws.timeout(200);
        final long end = System.nanoTime() + maxNanos;
        while (System.nanoTime() - end < 0)
        {
            try
            {
                final RawWebSocket.Frame f = ws.read();
                if (f == null)
                {
                    return "end of stream";
                }
                if (f.opcode() == RawWebSocket.CLOSE)
                {
                    return "close " + f.closeCode();
                }
                final JsonNode p = JSON.readTree(f.payload());
                final int op = p.path("op").asInt(-1);
                if (op == 0 && "READY".equals(p.path("t").asText()))
                {
                    return "READY";
                }
                if (op == 9)
                {
                    return "op 9 d=" + p.path("d").asText();
                }
            }
            catch (final SocketTimeoutException ex)
            {
                // keep waiting
            }
        }
        return "no answer";
    }
}
