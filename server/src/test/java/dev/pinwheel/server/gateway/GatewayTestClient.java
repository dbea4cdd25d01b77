package dev.pinwheel.server.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A raw Gateway v10 test client on the JDK's {@link java.net.http.WebSocket}: it collects every inbound
 * message as parsed JSON (text frames, or binary frames inflated from one shared zlib stream for
 * {@code compress=zlib-stream}), records the close code and reason, and can send raw text, fragmented
 * text, binary frames and close frames. Every wait is bounded ({@link #TIMEOUT_SECONDS}).
 */
final class GatewayTestClient implements WebSocket.Listener, AutoCloseable
{
    static final ObjectMapper JSON = new ObjectMapper();
    static final long TIMEOUT_SECONDS = 15;
    /** Discord intents used by the tests. */
    static final int GUILDS = 1;
    static final int GUILD_MESSAGES = 1 << 9;
    static final int MESSAGE_CONTENT = 1 << 15;
    static final int ALL_MESSAGES = GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final byte[] ZLIB_SUFFIX = {0x00, 0x00, (byte)0xff, (byte)0xff};

    /** The close frame the server sent (code -1: the connection failed without a close frame). */
    record Close(int code, String reason)
    {
    }

    private final boolean zlib;
    private final Inflater inflater;
    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> received = new ArrayList<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final ByteArrayOutputStream zlibBuffer = new ByteArrayOutputStream();
    private final AtomicInteger textMessages = new AtomicInteger();
    private final AtomicInteger binaryMessages = new AtomicInteger();
    private final AtomicInteger binaryWithoutSuffix = new AtomicInteger();
    private volatile WebSocket ws;

    private GatewayTestClient(final boolean zlib)
    {
        this.zlib = zlib;
        this.inflater = zlib ? new Inflater() : null;
    }

    /**
     * Opens a connection; {@code compress=zlib-stream} in the URL turns on inflation of binary messages.
     *
     * @param url full WebSocket URL, with query string if wanted.
     * @return the connected client.
     */
    static GatewayTestClient connect(final String url)
    {
        return connect(url, HTTP);
    }

    /**
     * Opens a {@code wss://} connection trusting what {@code ssl} trusts (the voice gateway's own certificate).
     *
     * @param url full WebSocket URL.
     * @param ssl TLS context.
     * @return the connected client.
     */
    static GatewayTestClient connect(final String url, final javax.net.ssl.SSLContext ssl)
    {
        return connect(url, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(ssl).build());
    }

    private static GatewayTestClient connect(final String url, final HttpClient http)
    {
        final GatewayTestClient c = new GatewayTestClient(url.contains("compress=zlib-stream"));
        try
        {
            c.ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), c).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (final ExecutionException | TimeoutException e)
        {
            throw new IllegalStateException("cannot connect to " + url, e);
        }
        return c;
    }

    /**
     * @param base ws://host:port (no query).
     * @return a client on {@code base/?v=10&encoding=json}.
     */
    static GatewayTestClient json(final String base)
    {
        return connect(base + "/?v=10&encoding=json");
    }

    // ---------------------------------------------------------------- listener

    @Override
    public void onOpen(final WebSocket webSocket)
    {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
    {
        text.append(data);
        if (last)
        {
            textMessages.incrementAndGet();
            final String s = text.toString();
            text.setLength(0);
            deliver(s);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(final WebSocket webSocket, final ByteBuffer data, final boolean last)
    {
        final byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.writeBytes(chunk);
        if (last)
        {
            binaryMessages.incrementAndGet();
            final byte[] message = binary.toByteArray();
            binary.reset();
            onBinaryMessage(message);
        }
        webSocket.request(1);
        return null;
    }

    private void onBinaryMessage(final byte[] message)
    {
        if (!zlib)
        {
            deliver(new String(message, StandardCharsets.UTF_8));
            return;
        }
        if (!endsWithSuffix(message))
        {
            binaryWithoutSuffix.incrementAndGet();
        }
        zlibBuffer.writeBytes(message);
        final byte[] all = zlibBuffer.toByteArray();
        if (!endsWithSuffix(all))
        {
            return; // Discord clients buffer until the flush marker
        }
        zlibBuffer.reset();
        inflater.setInput(all);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] buf = new byte[8192];
        try
        {
            while (true)
            {
                final int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.finished() || inflater.needsDictionary()))
                {
                    break;
                }
                out.write(buf, 0, n);
            }
        }
        catch (final DataFormatException e)
        {
            deliver("{\"_error\":\"zlib: " + e.getMessage() + "\"}");
            return;
        }
        deliver(out.toString(StandardCharsets.UTF_8));
    }

    private static boolean endsWithSuffix(final byte[] b)
    {
        if (b.length < 4)
        {
            return false;
        }
        for (int i = 0; i < 4; i++)
        {
            if (b[b.length - 4 + i] != ZLIB_SUFFIX[i])
            {
                return false;
            }
        }
        return true;
    }

    private void deliver(final String s)
    {
        JsonNode n;
        try
        {
            n = JSON.readTree(s);
        }
        catch (final IOException e)
        {
            n = JSON.createObjectNode().put("_unparseable", s);
        }
        synchronized (received)
        {
            received.add(n);
        }
        inbox.add(n);
    }

    @Override
    public CompletionStage<?> onPong(final WebSocket webSocket, final ByteBuffer message)
    {
        final byte[] b = new byte[message.remaining()];
        message.get(b);
        pongs.add(b);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
    {
        closed.complete(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(final WebSocket webSocket, final Throwable error)
    {
        closed.complete(new Close(-1, String.valueOf(error)));
    }

    // ---------------------------------------------------------------- receiving

    /**
     * @return the next payload.
     * @throws AssertionError if none arrives in time.
     */
    JsonNode next()
    {
        return next(n -> true, "any payload");
    }

    /**
     * Skips payloads until one matches.
     *
     * @param match       condition.
     * @param description for the failure message.
     * @return the first matching payload.
     */
    JsonNode next(final Predicate<JsonNode> match, final String description)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        final List<String> skipped = new ArrayList<>();
        while (true)
        {
            final long left = deadline - System.nanoTime();
            final JsonNode n;
            try
            {
                n = inbox.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (n == null)
            {
                throw new AssertionError("no " + description + " within " + TIMEOUT_SECONDS + " s; skipped "
                    + abbreviate(skipped) + "; close: " + closed.getNow(null));
            }
            if (match.test(n))
            {
                return n;
            }
            skipped.add(n.path("op").asText() + "/" + n.path("t").asText());
        }
    }

    private static String abbreviate(final List<String> l)
    {
        return l.size() <= 20 ? l.toString() : l.subList(0, 20) + "... (" + l.size() + ")";
    }

    /**
     * @param op an opcode.
     * @return the next payload with that opcode (others skipped).
     */
    JsonNode nextOp(final int op)
    {
        return next(n -> n.path("op").asInt(-1) == op, "op " + op);
    }

    /**
     * @param type dispatch type.
     * @return the next dispatch of that type (others skipped).
     */
    JsonNode nextDispatch(final String type)
    {
        return next(n -> n.path("op").asInt(-1) == 0 && type.equals(n.path("t").asText()), type);
    }

    /**
     * @param type dispatch type.
     * @return every payload up to and including the next dispatch of that type.
     */
    List<JsonNode> until(final String type)
    {
        final List<JsonNode> out = new ArrayList<>();
        next(n ->
        {
            out.add(n);
            return n.path("op").asInt(-1) == 0 && type.equals(n.path("t").asText());
        }, type);
        return out;
    }

    /**
     * @return payloads received and not yet taken by next*(), without waiting.
     */
    List<JsonNode> drain()
    {
        final List<JsonNode> out = new ArrayList<>();
        inbox.drainTo(out);
        return out;
    }

    /**
     * @return every payload received so far (taken or not), in order.
     */
    List<JsonNode> received()
    {
        synchronized (received)
        {
            return new ArrayList<>(received);
        }
    }

    /**
     * @return the server's close frame.
     * @throws AssertionError if the connection does not close in time.
     */
    Close awaitClose()
    {
        try
        {
            return closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        catch (final ExecutionException | TimeoutException e)
        {
            throw new AssertionError("connection not closed within " + TIMEOUT_SECONDS + " s; received "
                + received().size() + " payloads", e);
        }
    }

    boolean isClosed()
    {
        return closed.isDone();
    }

    int textMessages()
    {
        return textMessages.get();
    }

    int binaryMessages()
    {
        return binaryMessages.get();
    }

    int binaryMessagesWithoutSuffix()
    {
        return binaryWithoutSuffix.get();
    }

    // ---------------------------------------------------------------- sending

    private static void await(final CompletableFuture<?> f)
    {
        try
        {
            f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (final ExecutionException | TimeoutException e)
        {
            throw new IllegalStateException("send failed", e);
        }
    }

    /**
     * Sends one complete text message (one frame).
     */
    GatewayTestClient send(final String json)
    {
        await(ws.sendText(json, true));
        return this;
    }

    GatewayTestClient send(final JsonNode payload)
    {
        return send(payload.toString());
    }

    /**
     * Sends one text message as several frames (continuations).
     */
    GatewayTestClient sendFragments(final String... parts)
    {
        for (int i = 0; i < parts.length; i++)
        {
            await(ws.sendText(parts[i], i == parts.length - 1));
        }
        return this;
    }

    /**
     * Sends one binary message.
     */
    GatewayTestClient sendBinary(final byte[] bytes)
    {
        await(ws.sendBinary(ByteBuffer.wrap(bytes), true));
        return this;
    }

    /**
     * Sends a WebSocket ping and waits for the pong.
     *
     * @return the pong's payload.
     */
    byte[] ping(final byte[] payload)
    {
        await(ws.sendPing(ByteBuffer.wrap(payload)));
        try
        {
            final byte[] b = pongs.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (b == null)
            {
                throw new AssertionError("no pong within " + TIMEOUT_SECONDS + " s");
            }
            return b;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    GatewayTestClient heartbeat(final Long seq)
    {
        return send("{\"op\":1,\"d\":" + seq + "}");
    }

    /**
     * Sends IDENTIFY.
     *
     * @param token   token.
     * @param intents intents.
     * @return this.
     */
    GatewayTestClient identify(final String token, final long intents)
    {
        return send(identifyPayload(token, intents));
    }

    /**
     * @return an IDENTIFY payload as JDA sends it; tests add or change fields in {@code d}.
     */
    static ObjectNode identifyPayload(final String token, final long intents)
    {
        final ObjectNode p = JSON.createObjectNode();
        p.put("op", 2);
        final ObjectNode d = p.putObject("d");
        d.put("token", token);
        d.put("intents", intents);
        d.put("large_threshold", 250);
        d.putObject("properties").put("os", "linux").put("browser", "pinwheel-test").put("device", "pinwheel-test");
        return p;
    }

    /**
     * IDENTIFY, then waits for READY and for {@code guildCreates} GUILD_CREATE dispatches.
     *
     * @return READY.
     */
    JsonNode identifyAndAwait(final String token, final long intents, final int guildCreates)
    {
        identify(token, intents);
        final JsonNode ready = nextDispatch("READY");
        for (int i = 0; i < guildCreates; i++)
        {
            nextDispatch("GUILD_CREATE");
        }
        return ready;
    }

    GatewayTestClient resume(final String token, final String sessionId, final long seq)
    {
        final ObjectNode p = JSON.createObjectNode();
        p.put("op", 6);
        p.putObject("d").put("token", token).put("session_id", sessionId).put("seq", seq);
        return send(p);
    }

    /**
     * Sends a close frame (the server answers with its own).
     */
    GatewayTestClient sendClose(final int code, final String reason)
    {
        await(ws.sendClose(code, reason));
        return this;
    }

    /**
     * Drops the TCP connection without a close frame.
     */
    void abort()
    {
        ws.abort();
    }

    @Override
    public void close()
    {
        if (ws != null)
        {
            ws.abort();
        }
        // the Inflater is left to its Cleaner: the listener thread may still be inside it
    }
}
