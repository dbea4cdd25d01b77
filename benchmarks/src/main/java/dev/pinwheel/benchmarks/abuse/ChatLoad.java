package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;

/**
 * The normal client of the abuse probe, on 127.0.0.1: {@link #POSTERS} bot accounts in one guild, each holding one
 * gateway session, and a poster thread that posts round-robin as those accounts at a fixed rate over REST.
 * <pre>
 *   poster (fixed schedule) ─POST /channels/C/messages─▶ node ─MESSAGE_CREATE─▶ the POSTERS sessions
 *        │ id, window                    │ 200 + message id: acknowledged (kept for the read-back)
 *        ▼                               ▼ else: an error the client saw, by status
 *   windows[i] ◀── each delivery's latency, filed under the window its message was posted in
 * </pre>
 * Each account posts rate/POSTERS messages per second, under the node's default per-user limits (50 per 5 s per
 * channel, 50 requests per second), so the node runs with its real limits and the normal client is never refused
 * for its own pace. Re-pointed at a restarted node with {@link #repoint}.
 */
final class ChatLoad implements AutoCloseable
{
    /** Accounts (and sessions) of the normal client; registrations from one address: at most 5 a minute. */
    static final int POSTERS = 4;
    private static final String MARKER = "fanout-probe #";

    /** A message the node acknowledged (HTTP 200) with its id and content. */
    record Acked(String messageId, String content)
    {
    }

    /** A login as a user would do it: retried after a 429's or 503's retry_after until it succeeds or time is up. */
    record Login(int firstStatus, double firstMs, double okMs, int attempts, List<Integer> statuses)
    {
    }

    private final String prefix;
    private final long intervalNanos;
    private final DeliveryStats stats;
    private final AtomicIntegerArray windowOf;
    private final List<ChatWindow> windows = new CopyOnWriteArrayList<>();
    private final Map<Integer, Acked> acked = new ConcurrentHashMap<>();
    private final List<RestClient.User> users = new ArrayList<>();
    private volatile ChatWindow current;
    private volatile RestClient rest;
    private volatile GatewayLoadClient gateway;
    private volatile boolean posting;
    private Thread poster;
    private String channelId;
    private int nextId;
    private int lostInEarlierClients;

    /**
     * @param prefix   account name prefix (unique per run and node).
     * @param rate     messages per second in total.
     * @param capacity most messages this client will ever post.
     */
    ChatLoad(final String prefix, final double rate, final int capacity)
    {
        this.prefix = prefix;
        this.intervalNanos = (long)(1e9 / rate);
        this.stats = new DeliveryStats(capacity, intervalNanos);
        this.windowOf = new AtomicIntegerArray(capacity);
        window("setup");
        stats.listener((id, micros) -> windows.get(windowOf.get(id)).delivered(micros));
    }

    /**
     * Registers the accounts (the first is the node's admin when it registers first), creates the guild and makes
     * the others join.
     *
     * @param host node host.
     * @param port node port.
     * @throws IOException on a REST failure.
     */
    void setup(final String host, final int port) throws IOException
    {
        rest = new RestClient(host, port);
        for (int i = 0; i < POSTERS; i++)
        {
            users.add(rest.register(prefix + "-" + i));
        }
        channelId = rest.createGuild(users.get(0), prefix);
        for (int i = 1; i < POSTERS; i++)
        {
            rest.join(users.get(0), channelId, users.get(i));
        }
    }

    /**
     * Opens one gateway session per account.
     *
     * @param host          node host.
     * @param port          node port.
     * @param deadlineNanos give up at.
     * @return sessions ready.
     * @throws InterruptedException if interrupted.
     */
    int openSessions(final String host, final int port, final long deadlineNanos) throws InterruptedException
    {
        final GatewayLoadClient old = gateway;
        if (old != null)
        {
            lostInEarlierClients += old.lost();
            old.close();
        }
        final GatewayLoadClient g = new GatewayLoadClient(host, port, 1, stats);
        gateway = g;
        final List<String> tokens = new ArrayList<>();
        for (final RestClient.User u : users)
        {
            tokens.add(u.token());
        }
        return g.open(tokens, POSTERS, deadlineNanos);
    }

    /**
     * Points REST at a (restarted) node and opens new sessions there.
     *
     * @param host          node host.
     * @param port          node port.
     * @param deadlineNanos give up at.
     * @return sessions ready.
     * @throws InterruptedException if interrupted.
     */
    int repoint(final String host, final int port, final long deadlineNanos) throws InterruptedException
    {
        final RestClient old = rest;
        rest = new RestClient(host, port);
        if (old != null)
        {
            old.close();
        }
        return openSessions(host, port, deadlineNanos);
    }

    /**
     * Starts a new window: messages posted from now on are filed under it.
     *
     * @param name what happens in it.
     * @return the window.
     */
    ChatWindow window(final String name)
    {
        final ChatWindow old = current;
        if (old != null)
        {
            old.end();
        }
        final ChatWindow w = new ChatWindow(name, windows.size(), TimeUnit.NANOSECONDS.toMicros(intervalNanos));
        windows.add(w);
        current = w;
        return w;
    }

    /**
     * Starts the poster thread on a fresh fixed schedule.
     */
    void startPosting()
    {
        posting = true;
        poster = Thread.ofPlatform().name("abuse-normal-poster").daemon(true).start(this::post);
    }

    /**
     * Stops the poster thread (replies still in flight keep arriving).
     *
     * @throws InterruptedException if interrupted.
     */
    void stopPosting() throws InterruptedException
    {
        posting = false;
        if (poster != null)
        {
            poster.join(5000);
        }
    }

    private void post()
    {
        final long t0 = System.nanoTime();
        for (long k = 0; posting; k++)
        {
            ProbeSupport.parkUntil(t0 + k * intervalNanos);
            if (!posting || nextId >= stats.messages())
            {
                break;
            }
            final int id = nextId++;
            final ChatWindow w = current;
            windowOf.set(id, w.index());
            w.posted(id);
            final RestClient.User u = users.get(id % POSTERS);
            final long now = System.nanoTime();
            final String content = MARKER + id + "# " + now;
            stats.sent(id, now);
            rest.sendAsync("POST", "channels/" + channelId + "/messages", u.token(),
                "{\"content\":\"" + content + "\"}").thenAccept(r ->
                {
                    if (r.status() == 200)
                    {
                        acked.put(id, new Acked(r.json().path("id").asText(), content));
                        w.acknowledged();
                    }
                    else
                    {
                        w.failed(r.status(), r.body());
                    }
                });
        }
    }

    /**
     * Waits until every acknowledged message of the window reached every ready session, or a time limit.
     *
     * @param w        the window.
     * @param maxNanos the limit.
     * @throws InterruptedException if interrupted.
     */
    void drain(final ChatWindow w, final long maxNanos) throws InterruptedException
    {
        final long end = System.nanoTime() + maxNanos;
        while (System.nanoTime() - end < 0 && undelivered(w) > 0)
        {
            Thread.sleep(50);
        }
    }

    /**
     * @param w a window.
     * @return acknowledged messages of the window that some ready session has not received (yet).
     */
    int undelivered(final ChatWindow w)
    {
        final int sessions = ready();
        int n = 0;
        for (int id = Math.max(0, w.firstId()); id <= w.lastId() && w.firstId() >= 0; id++)
        {
            if (acked.containsKey(id) && stats.received(id) < sessions)
            {
                n++;
            }
        }
        return n;
    }

    /**
     * @param w a window.
     * @return for its acknowledged messages: sessions that received it to how many messages.
     */
    Map<Integer, Integer> receivers(final ChatWindow w)
    {
        final Map<Integer, Integer> out = new java.util.TreeMap<>();
        for (int id = Math.max(0, w.firstId()); id <= w.lastId() && w.firstId() >= 0; id++)
        {
            if (acked.containsKey(id))
            {
                out.merge(stats.received(id), 1, Integer::sum);
            }
        }
        return out;
    }

    /**
     * @param user index of the account.
     * @return one login attempt with the right password.
     */
    RestClient.Response login(final int user)
    {
        final RestClient.User u = users.get(user);
        return rest.login(u.name(), RestClient.passwordOf(u.name()));
    }

    /**
     * Logs in as a well-behaved client would: after a 429 or a 503 waits its {@code retry_after} (a failed request:
     * half a second), and tries again until it succeeds or {@code maxNanos} pass.
     *
     * @param user     index of the account.
     * @param maxNanos time limit.
     * @return what happened.
     * @throws InterruptedException if interrupted.
     */
    Login loginUntilOk(final int user, final long maxNanos) throws InterruptedException
    {
        final long t0 = System.nanoTime();
        final List<Integer> statuses = new ArrayList<>();
        int firstStatus = 0;
        double firstMs = 0;
        while (true)
        {
            final RestClient.Response r = login(user);
            statuses.add(r.status());
            if (statuses.size() == 1)
            {
                firstStatus = r.status();
                firstMs = r.nanos() / 1e6;
            }
            final long elapsed = System.nanoTime() - t0;
            if (r.status() == 200)
            {
                return new Login(firstStatus, firstMs, elapsed / 1e6, statuses.size(), statuses);
            }
            // as the node asks: its 429 and 503 bodies carry retry_after (seconds)
            final long waitMs = r.status() == 429 || r.status() == 503
                ? (long)(r.json().path("retry_after").asDouble(1) * 1000) + 10 : r.status() < 0 ? 500 : -1;
            if (waitMs < 0 || elapsed + TimeUnit.MILLISECONDS.toNanos(waitMs) > maxNanos)
            {
                return new Login(firstStatus, firstMs, -1, statuses.size(), statuses);
            }
            Thread.sleep(waitMs);
        }
    }

    /**
     * Reads the channel's whole history, newest first, 100 at a time (waiting out a 429).
     *
     * @return message id to content.
     * @throws IOException if a page cannot be read.
     * @throws InterruptedException if interrupted.
     */
    Map<String, String> history() throws IOException, InterruptedException
    {
        final RestClient.User u = users.get(POSTERS - 1);
        final Map<String, String> seen = new LinkedHashMap<>();
        String before = null;
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            final RestClient.Response r = rest.send("GET", "channels/" + channelId + "/messages?limit=100"
                + (before == null ? "" : "&before=" + before), u.token(), null);
            if (r.status() == 429)
            {
                Thread.sleep((long)(r.json().path("retry_after").asDouble(1) * 1000) + 10);
                continue;
            }
            if (r.status() != 200)
            {
                throw new IOException("history page -> " + r.status() + " " + r.body());
            }
            final JsonNode page = r.json();
            if (page.isEmpty())
            {
                return seen;
            }
            for (final JsonNode m : page)
            {
                before = m.path("id").asText();
                seen.put(before, m.path("content").asText());
            }
        }
        throw new IOException("history did not end");
    }

    /**
     * Reads the latest messages once (a read while writes may be refused).
     *
     * @return the status.
     */
    int readLatest()
    {
        return rest.send("GET", "channels/" + channelId + "/messages?limit=50", users.get(POSTERS - 1).token(), null)
            .status();
    }

    /**
     * @return the token of the first account (the node's admin if it registered first).
     */
    String adminToken()
    {
        return users.get(0).token();
    }

    /**
     * @return REST towards the node, from 127.0.0.1.
     */
    RestClient rest()
    {
        return rest;
    }

    /**
     * @return sessions ready now.
     */
    int ready()
    {
        final GatewayLoadClient g = gateway;
        return g == null ? 0 : g.ready();
    }

    /**
     * @return sessions closed by the node after they were ready, over every node this client was pointed at.
     */
    int lost()
    {
        final GatewayLoadClient g = gateway;
        return lostInEarlierClients + (g == null ? 0 : g.lost());
    }

    /**
     * @return why sessions failed or were closed, with counts (current node).
     */
    Map<String, Long> sessionReasons()
    {
        final GatewayLoadClient g = gateway;
        return g == null ? Map.of() : g.reasons();
    }

    /**
     * @return every acknowledged message by probe id (a live view).
     */
    Map<Integer, Acked> acked()
    {
        return acked;
    }

    /**
     * @return every window so far.
     */
    List<ChatWindow> windows()
    {
        return windows;
    }

    /**
     * @return the guild's channel.
     */
    String channelId()
    {
        return channelId;
    }

    @Override
    public void close()
    {
        posting = false;
        final RestClient r = rest;
        if (r != null)
        {
            r.close();
        }
        final GatewayLoadClient g = gateway;
        if (g != null)
        {
            g.close();
        }
    }
}
