package dev.pinwheel.benchmarks.abuse;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.pinwheel.benchmarks.probe.RestClient;

/**
 * Wrong-password logins from {@code concurrency} virtual threads spread over some source addresses. Unpaced, each
 * thread sends its next attempt as soon as the last is answered (after {@code refusedPauseMs} when it was refused
 * with 429 or 503, so that the flood stays a hashing attack and does not become a request flood); paced, each thread
 * starts an attempt every {@code paceMs} whatever the answers (an attacker spread over many addresses, each kept just
 * under the node's per-address login limit). Usernames do not exist and
 * never repeat, as in credential stuffing: the node verifies them against a dummy hash, so each accepted attempt
 * costs a full PBKDF2 at the node's real cost, and the per-username limits never apply.
 */
final class LoginFlood
{
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final LongAdder attempts = new LongAdder();
    private volatile boolean running;
    private final List<Thread> threads = new ArrayList<>();
    private final List<RestClient> clients = new ArrayList<>();
    private long startNanos;
    private long stopNanos;

    /**
     * Starts the flood.
     *
     * @param host        node host.
     * @param port        node port.
     * @param sources     source addresses (thread t uses {@code sources[t % n]}).
     * @param concurrency    threads (attempts in flight at once, at most).
     * @param paceMs         interval between one thread's attempts, 0 for unpaced.
     * @param refusedPauseMs unpaced: pause after a refusal.
     * @return this.
     */
    LoginFlood start(final String host, final int port, final List<InetAddress> sources, final int concurrency,
        final long paceMs, final long refusedPauseMs)
    {
        running = true;
        startNanos = System.nanoTime();
        final List<RestClient> perSource = new ArrayList<>();
        for (final InetAddress a : sources)
        {
            perSource.add(new RestClient(host, port, a));
        }
        clients.addAll(perSource);
        for (int t = 0; t < concurrency; t++)
        {
            final RestClient c = perSource.get(t % perSource.size());
            final int thread = t;
            threads.add(Thread.ofVirtual().name("login-flood-" + t).start(() ->
            {
                final long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(paceMs * thread / concurrency);
                for (int k = 0; running; k++)
                {
                    final long wait = paceMs > 0 ? t0 + TimeUnit.MILLISECONDS.toNanos(paceMs * k) - System.nanoTime()
                        : 0;
                    final RestClient.Response r;
                    try
                    {
                        if (wait > 0)
                        {
                            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(wait));
                        }
                        if (!running)
                        {
                            return;
                        }
                        r = c.login("stuffing-" + thread + "-" + k, "wrong-password-" + k);
                        attempts.increment();
                        statuses.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
                        if (paceMs == 0 && refusedPauseMs > 0 && (r.status() == 429 || r.status() == 503
                            || r.status() < 0))
                        {
                            Thread.sleep(refusedPauseMs);
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            }));
        }
        return this;
    }

    /**
     * Stops the flood and waits for the attempts in flight.
     *
     * @throws InterruptedException if interrupted.
     */
    void stop() throws InterruptedException
    {
        running = false;
        stopNanos = System.nanoTime();
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(40));
        }
        for (final RestClient c : clients)
        {
            c.close();
        }
    }

    /**
     * @return status to count (-1: the request failed).
     */
    Map<Integer, Long> statuses()
    {
        final Map<Integer, Long> m = new TreeMap<>();
        statuses.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /**
     * @return the attack for the JSON.
     */
    Map<String, Object> toMap()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        final double s = (stopNanos - startNanos) / 1e9;
        m.put("threads", threads.size());
        m.put("seconds", s);
        m.put("attempts", attempts.sum());
        m.put("attempts_per_second", s > 0 ? attempts.sum() / s : 0);
        m.put("statuses", statuses());
        return m;
    }
}
