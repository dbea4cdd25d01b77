package dev.pinwheel.benchmarks.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One gateway session of the load client, on its event loop thread:
 * <pre>
 *   HELLO ─▶ IDENTIFY, heartbeats every interval (first after a random fraction of it)
 *   READY ─▶ GUILD_CREATE ─▶ ready (admission released, identify time recorded)
 *   MESSAGE_CREATE ─▶ the probe id is read straight from the frame bytes (no JSON parse on the hot path),
 *                     checked for order and duplicates, recorded with the read time
 * </pre>
 * The first frame of each kind other than MESSAGE_CREATE is parsed with Jackson: there are few.
 */
final class ProbeSession extends SimpleChannelInboundHandler<WebSocketFrame>
{
    /** Every probe message's content starts with this, followed by the decimal id and {@code #}. */
    static final String MARKER = "fanout-probe #";
    private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_CREATE_PREFIX = "{\"t\":\"MESSAGE_CREATE\",\"s\":"
        .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] D_ID_PREFIX = ",\"op\":0,\"d\":{\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each event loop's copy of the frame being read (sessions of one loop read one frame at a time). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[2048]);
    private static final int INTENTS = 1 | 1 << 9 | 1 << 15;

    /** Sees every text frame before the session parses it (the presence probe counts its event types). */
    interface FrameListener
    {
        /**
         * @param session the session (on its event loop).
         * @param frame   the frame's text (do not keep or release).
         * @param nanos   when it was read.
         * @return true if the frame was consumed (the session then ignores it).
         */
        boolean onFrame(ProbeSession session, ByteBuf frame, long nanos);
    }

    private int intents = INTENTS;
    private FrameListener frames;

    /** How a session ended its setup. */
    interface Outcome
    {
        /**
         * @param session the session.
         */
        void ready(ProbeSession session);

        /**
         * @param session the session.
         * @param reason  why it failed before GUILD_CREATE.
         */
        void failed(ProbeSession session, String reason);

        /**
         * @param session the session, which had been ready.
         * @param reason  why it was closed.
         */
        void lost(ProbeSession session, String reason);

        /**
         * A session opened with its IDENTIFY held back got HELLO and waits for {@link #identifyNow()}.
         *
         * @param session the session.
         */
        default void hello(final ProbeSession session)
        {
        }

        /** A heartbeat (op 1) was written. */
        default void heartbeatSent()
        {
        }

        /** A HEARTBEAT_ACK (op 11) arrived. */
        default void heartbeatAck()
        {
        }
    }

    private final int index;
    private final String token;
    private final DeliveryStats stats;
    private final Outcome outcome;
    private final long startNanos;
    private final boolean holdIdentify;
    private long identifySentNanos;
    private final BitSet seen = new BitSet();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> heartbeat;
    /** Seconds from IDENTIFY to READY + GUILD_CREATE before a session counts as failed ({@code -D} to change). */
    static final long SETUP_TIMEOUT_SECONDS = Long.getLong("pinwheel.probe.setup-timeout-seconds", 120);

    private boolean settled;
    private boolean readySeen;
    private boolean closingByUs;
    private int maxId = -1;
    private long lastSnowflake;
    private long seq = -1;
    private int closeCode = -1;
    private String closeReason;
    /** compress=zlib-stream: the connection's one inflater (null: plain JSON text frames). */
    private Inflater inflater;
    /** Compressed bytes of a payload whose last frame (the one ending with 00 00 ff ff) has not come yet. */
    private ByteBuf partial;
    private long inflatedFrames;

    ProbeSession(final int index, final String token, final DeliveryStats stats, final Outcome outcome)
    {
        this(index, token, stats, outcome, false);
    }

    /**
     * @param holdIdentify whether to wait at HELLO for {@link #identifyNow()} instead of identifying at once.
     */
    ProbeSession(final int index, final String token, final DeliveryStats stats, final Outcome outcome,
        final boolean holdIdentify)
    {
        this.holdIdentify = holdIdentify;
        this.index = index;
        this.token = token;
        this.stats = stats;
        this.outcome = outcome;
        this.startNanos = System.nanoTime();
    }

    int index()
    {
        return index;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext context)
    {
        this.ctx = context;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext context, final WebSocketFrame frame)
    {
        final long now = System.nanoTime();
        if (frame instanceof TextWebSocketFrame)
        {
            onText(frame.content(), now);
        }
        else if (frame instanceof CloseWebSocketFrame close)
        {
            closeCode = close.statusCode();
            closeReason = close.reasonText();
            context.close();
        }
        else if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame)
        {
            if (inflater == null)
            {
                fail("binary frame (compression was not asked for)");
            }
            else
            {
                onDeflated(frame.content(), now);
            }
        }
    }

    /** Asks for {@code compress=zlib-stream} (before the connection opens): binary frames are inflated. */
    void inflateStream()
    {
        inflater = new Inflater();
    }

    /**
     * @return payloads inflated so far (read from another thread: a plain field, approximate while running).
     */
    long inflatedFrames()
    {
        return inflatedFrames;
    }

    /**
     * One binary frame of the zlib stream: a payload is complete when its bytes end with the SYNC_FLUSH suffix
     * {@code 00 00 ff ff}; it is inflated with the connection's inflater (whose window holds everything before it)
     * and handled like a text frame.
     */
    private void onDeflated(final ByteBuf content, final long now)
    {
        ByteBuf in = content;
        if (partial != null)
        {
            partial.writeBytes(content);
            in = partial;
        }
        if (!endsWithSyncFlush(in))
        {
            if (partial == null)
            {
                partial = Unpooled.buffer(content.readableBytes() * 2);
                partial.writeBytes(content);
            }
            return;
        }
        final byte[] input = new byte[in.readableBytes()];
        in.getBytes(in.readerIndex(), input);
        if (partial != null)
        {
            partial.release();
            partial = null;
        }
        inflater.setInput(input);
        final ByteBuf out = Unpooled.buffer(Math.max(256, input.length * 4));
        try
        {
            while (true)
            {
                if (!out.isWritable())
                {
                    out.ensureWritable(out.capacity());
                }
                final int n = inflater.inflate(out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes());
                out.writerIndex(out.writerIndex() + n);
                if (n == 0 && out.isWritable())
                {
                    if (inflater.needsInput())
                    {
                        break;
                    }
                    fail(inflater.finished() ? "zlib stream ended" : "zlib stream asks for a dictionary");
                    return;
                }
            }
            inflatedFrames++;
            onText(out, now);
        }
        catch (final DataFormatException ex)
        {
            fail("bad zlib stream: " + ex.getMessage());
        }
        finally
        {
            out.release();
        }
    }

    private static boolean endsWithSyncFlush(final ByteBuf b)
    {
        final int end = b.writerIndex();
        return end - b.readerIndex() >= 4 && b.getInt(end - 4) == 0x0000ffff;
    }

    /**
     * @param value intents of its IDENTIFY (default GUILDS, GUILD_MESSAGES, MESSAGE_CONTENT).
     * @param listener sees every text frame first, or null.
     */
    void configure(final int value, final FrameListener listener)
    {
        intents = value;
        frames = listener;
    }

    /**
     * Writes a payload (from any thread: it runs on the session's event loop).
     *
     * @param json the payload.
     */
    void send(final String json)
    {
        ctx.executor().execute(() ->
        {
            if (ctx.channel().isActive())
            {
                ctx.writeAndFlush(new TextWebSocketFrame(json));
            }
        });
    }

    private void onText(final ByteBuf b, final long now)
    {
        if (frames != null && frames.onFrame(this, b, now))
        {
            final long s = sequenceOf(b);
            if (s > seq)
            {
                seq = s; // heartbeats acknowledge it: the server releases its resume buffer
            }
            return;
        }
        final int length = b.readableBytes();
        if (length > MESSAGE_CREATE_PREFIX.length && b.getByte(b.readerIndex() + 6) == 'M')
        {
            // the hot path (one frame per delivery): the frame's bytes copied once into an array and read there, where
            // reading them one by one through the buffer's bounds and reference checks took a sixth of the client's
            // CPU per delivery (perf, 2,000 sessions)
            byte[] a = SCRATCH.get();
            if (a.length < length)
            {
                a = new byte[Math.max(length, a.length * 2)];
                SCRATCH.set(a);
            }
            b.getBytes(b.readerIndex(), a, 0, length);
            if (regionMatches(a, 0, length, MESSAGE_CREATE_PREFIX))
            {
                onMessageCreate(a, length, now);
                return;
            }
        }
        final JsonNode p;
        try
        {
            p = JSON.readTree(new ByteBufInputStream(b.duplicate()));
        }
        catch (final IOException ex)
        {
            fail("unparsable frame: " + ex.getMessage());
            return;
        }
        if (p.path("s").canConvertToLong())
        {
            seq = p.get("s").asLong();
        }
        switch (p.path("op").asInt(-1))
        {
            case 0 -> onDispatch(p.path("t").asText(), p.path("d"), now);
            case 1 -> sendHeartbeat();
            case 7 -> fail("op 7 RECONNECT");
            case 9 -> fail("op 9 INVALID_SESSION");
            case 10 -> onHello(p.path("d").path("heartbeat_interval").asLong(41_250));
            case 11 -> outcome.heartbeatAck();
            default ->
            {
                // anything else: nothing to do
            }
        }
    }

    private void onDispatch(final String type, final JsonNode d, final long now)
    {
        switch (type)
        {
            case "READY" ->
            {
                readySeen = true;
                if (identifySentNanos != 0)
                {
                    stats.readyAfterIdentify(TimeUnit.NANOSECONDS.toMicros(now - identifySentNanos));
                }
            }
            case "GUILD_CREATE" ->
            {
                if (!settled && readySeen)
                {
                    settled = true;
                    stats.identified(TimeUnit.NANOSECONDS.toMicros(now - startNanos));
                    if (identifySentNanos != 0)
                    {
                        stats.guildAfterIdentify(TimeUnit.NANOSECONDS.toMicros(now - identifySentNanos));
                    }
                    outcome.ready(this);
                }
            }
            case "MESSAGE_CREATE" ->
            {
                final String content = d.path("content").asText("");
                if (content.startsWith(MARKER))
                {
                    final int end = content.indexOf('#', MARKER.length());
                    if (end > MARKER.length())
                    {
                        onProbeMessage(Integer.parseInt(content.substring(MARKER.length(), end)),
                            Long.parseLong(d.path("id").asText("-1")), now);
                    }
                }
            }
            default ->
            {
                // other dispatches are not part of the probe
            }
        }
    }

    /**
     * @param id        probe id (post order).
     * @param snowflake the message id the owner shard gave it (production order), or -1 if not found.
     * @param now       when the frame was read.
     */
    private void onProbeMessage(final int id, final long snowflake, final long now)
    {
        if (id < 0 || id >= stats.messages())
        {
            stats.delivered(-1, now);
            return;
        }
        if (seen.get(id))
        {
            stats.countDuplicate();
            return;
        }
        seen.set(id);
        if (snowflake >= 0)
        {
            if (snowflake < lastSnowflake)
            {
                stats.countOutOfServerOrder();
            }
            lastSnowflake = Math.max(lastSnowflake, snowflake);
        }
        if (id < maxId)
        {
            stats.countOvertaken();
        }
        maxId = Math.max(maxId, id);
        stats.delivered(id, now);
    }

    private void onHello(final long intervalMillis)
    {
        final long first = (long)(intervalMillis * ThreadLocalRandom.current().nextDouble());
        heartbeat = ctx.executor().scheduleAtFixedRate(this::sendHeartbeat, first, intervalMillis,
            TimeUnit.MILLISECONDS);
        if (holdIdentify)
        {
            outcome.hello(this);
        }
        else
        {
            sendIdentify();
        }
    }

    /**
     * Sends the held IDENTIFY (on the session's event loop).
     */
    void identifyNow()
    {
        ctx.executor().execute(() ->
        {
            if (ctx.channel().isActive() && identifySentNanos == 0)
            {
                sendIdentify();
            }
        });
    }

    private void sendIdentify()
    {
        final ObjectNode identify = JSON.createObjectNode().put("op", 2);
        final ObjectNode d = identify.putObject("d");
        d.put("token", token).put("intents", intents);
        d.putObject("properties").put("os", "linux").put("browser", "pinwheel-fanout-probe")
            .put("device", "pinwheel-fanout-probe");
        identifySentNanos = System.nanoTime();
        ctx.writeAndFlush(new TextWebSocketFrame(identify.toString()));
        // a session the server leaves without its GUILD_CREATE (one that identified while a cluster's ring changed)
        // would hold its place among those setting up for ever: it fails, and is retried, instead
        ctx.executor().schedule(() ->
        {
            if (!settled)
            {
                fail("no READY and GUILD_CREATE within " + SETUP_TIMEOUT_SECONDS + " s of IDENTIFY");
            }
        }, SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void sendHeartbeat()
    {
        if (ctx.channel().isActive())
        {
            ctx.writeAndFlush(new TextWebSocketFrame("{\"op\":1,\"d\":" + (seq < 0 ? "null" : Long.toString(seq))
                + "}"));
            outcome.heartbeatSent();
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
    {
        fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context)
    {
        if (inflater != null)
        {
            inflater.end();
        }
        if (partial != null)
        {
            partial.release();
            partial = null;
        }
        if (heartbeat != null)
        {
            heartbeat.cancel(false);
        }
        final String why = closeCode >= 0 ? "closed by server " + closeCode + " " + closeReason : "connection closed";
        if (!settled)
        {
            settled = true;
            outcome.failed(this, why);
        }
        else if (!closingByUs)
        {
            outcome.lost(this, why);
        }
    }

    /**
     * Closes this session from the client side (the end of the probe: not counted as lost).
     */
    void closeQuietly()
    {
        ctx.executor().execute(() ->
        {
            closingByUs = true;
            ctx.close();
        });
    }

    /**
     * @param reason why the TCP connection could not be made.
     */
    void connectFailed(final String reason)
    {
        if (!settled)
        {
            settled = true;
            outcome.failed(this, reason);
        }
    }

    private void fail(final String reason)
    {
        if (!settled)
        {
            settled = true;
            outcome.failed(this, reason);
        }
        else if (!closingByUs)
        {
            outcome.lost(this, reason);
        }
        closingByUs = true;
        ctx.close();
    }

    /** The {@code s} of a dispatch frame {@code {"t":T,"s":N,...}} read from its first bytes, or -1. */
    private static long sequenceOf(final ByteBuf b)
    {
        final int end = Math.min(b.writerIndex(), b.readerIndex() + 96);
        for (int i = b.readerIndex(); i + 4 < end; i++)
        {
            if (b.getByte(i) == '"' && b.getByte(i + 1) == 's' && b.getByte(i + 2) == '"' && b.getByte(i + 3) == ':')
            {
                long v = 0;
                int at = i + 4;
                for (int c; at < end && (c = b.getByte(at)) >= '0' && c <= '9'; at++)
                {
                    v = v * 10 + (c - '0');
                }
                return at == i + 4 ? -1 : v;
            }
        }
        return -1;
    }

    private static boolean regionMatches(final byte[] a, final int at, final int end, final byte[] bytes)
    {
        return end - at >= bytes.length && java.util.Arrays.equals(a, at, at + bytes.length, bytes, 0, bytes.length);
    }

    /** A MESSAGE_CREATE frame's sequence, message id and probe id, read from its bytes (no JSON parse). */
    private void onMessageCreate(final byte[] a, final int end, final long now)
    {
        int at = MESSAGE_CREATE_PREFIX.length;
        long s = 0;
        for (int c; at < end && (c = a[at]) >= '0' && c <= '9'; at++)
        {
            s = s * 10 + (c - '0');
        }
        seq = s;
        long snowflake = -1;
        if (regionMatches(a, at, end, D_ID_PREFIX))
        {
            snowflake = 0;
            for (int i = at + D_ID_PREFIX.length, c; i < end && (c = a[i]) >= '0' && c <= '9'; i++)
            {
                snowflake = snowflake * 10 + (c - '0');
            }
        }
        final int id = probeId(a, at, end);
        if (id >= 0)
        {
            onProbeMessage(id, snowflake, now);
        }
    }

    /**
     * @param a    a MESSAGE_CREATE frame's bytes.
     * @param from where to start looking.
     * @param end  where its bytes end.
     * @return the probe id in its content, or -1 if it carries none.
     */
    static int probeId(final byte[] a, final int from, final int end)
    {
        final byte first = MARKER_BYTES[0];
        outer:
        for (int i = from, last = end - MARKER_BYTES.length; i <= last; i++)
        {
            if (a[i] != first)
            {
                continue;
            }
            for (int k = 1; k < MARKER_BYTES.length; k++)
            {
                if (a[i + k] != MARKER_BYTES[k])
                {
                    continue outer;
                }
            }
            int id = 0;
            int digits = 0;
            for (int at = i + MARKER_BYTES.length, c; at < end && (c = a[at]) >= '0' && c <= '9'; at++)
            {
                id = id * 10 + (c - '0');
                digits++;
            }
            return digits == 0 ? -1 : id;
        }
        return -1;
    }
}
