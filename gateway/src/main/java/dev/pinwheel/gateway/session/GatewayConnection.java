package dev.pinwheel.gateway.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.gateway.codec.CloseCodes;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.PresenceFields;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayTransport;
import dev.pinwheel.gateway.owner.VoiceProxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One WebSocket connection of the Gateway v10 protocol (JSON encoding, optional zlib-stream), on the
 * shard that accepted it. Handles HELLO, heartbeats, IDENTIFY, RESUME, the close codes, and writes the
 * dispatches of its {@link GatewaySession}: each frame is {@code {"t":T,"s":N,"op":0,"d":D}} spliced from
 * the shared encoded {@code d} — no per-recipient JSON encoding. Its deadlines (identify, heartbeat, slow consumer,
 * close linger) are one timer on its shard's {@link SessionTimers}, armed at the earliest of them.
 * <p>
 * Once upgraded the pipeline holds this one handler: it <em>is</em> the connection's frame decoder (Netty's RFC 6455
 * decoder, extended, takes the place of the one the handshake added) and handles each frame as soon as it is decoded,
 * gathers fragmented messages itself and writes only whole frames as {@link ByteBuf}s ({@link ServerFrames},
 * {@link DispatchFrame}) — no frame aggregator, encoder or second handler per connection (issue 14: an idle session's
 * heap is mostly its channel and pipeline; a decoder and a handler context of its own were ≈ 200 bytes of it).
 */
public final class GatewayConnection extends WebSocket13FrameDecoder
    implements SessionTimers.Deadline, SessionWire
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayConnection.class);
    /** Connection errors a client can provoke: at most 10 lines per 10 s, then a count. */
    private static final ThrottledLog ERRORS = new ThrottledLog(LOG, Level.WARN, "gateway connection errors", 10,
        10_000);
    /** Dispatches may be written to the socket by the shard itself (epoll: non-blocking sockets; see the transport). */
    private static final boolean DIRECT_WRITES = GatewayTransport.configured().writesDirectly();
    /**
     * Like Discord's, every payload that is not a dispatch still names {@code t} and {@code s} (as null): some clients
     * (Discord4J) read both fields of every payload.
     */
    private static final byte[] HEARTBEAT_ACK =
        "{\"t\":null,\"s\":null,\"op\":11,\"d\":null}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEARTBEAT_REQUEST =
        "{\"t\":null,\"s\":null,\"op\":1,\"d\":null}".getBytes(StandardCharsets.US_ASCII);

    /** The shard this connection lives on; changes once at most, when a RESUME hands it to its session's shard. */
    private ShardSessions gateway;
    /** Set while the channel moves to another shard's event loop: inbound payloads wait in {@link #held}. */
    private boolean migrating;
    private boolean migrated;
    private java.util.ArrayList<JsonNode> held;
    private final ZlibStream zlib;
    /**
     * The {@code v} of the URL, clamped to a byte (a version outside 8-10 is refused with 4012 anyway): it fits a
     * padding gap, 184 → 176 B a connection with compact object headers.
     */
    private final byte apiVersion;
    private final String rejectReason;
    private final int rejectCode;
    private final String host;
    private ChannelHandlerContext ctx;
    /**
     * The channel when it takes direct writes (epoll), else null, and its outbound buffer: kept here so that a write
     * to this session reaches them without passing through the handler context, the pipeline and the channel's unsafe
     * (three objects, three cache misses per recipient after the 100 ms between messages in which they left the
     * cache). The buffer is the channel's for its whole life; once the channel closes, {@code isActive} says so first.
     */
    private io.netty.channel.unix.UnixChannel directChannel;
    private io.netty.channel.ChannelOutboundBuffer outbound;
    private GatewaySession session;
    private long connectedAtNanos;
    private long lastHeartbeatNanos;
    private boolean heartbeatRequested;
    private long rateWindowStartNanos;
    private int rateCount;
    private long unwritableSinceNanos;
    private boolean closing;
    /** Index in the shard's connection list (for O(1) removal); -1 when not listed. */
    int slot = -1;
    /** Its deadlines on its shard's wheel (set while it is listed there). */
    SessionTimers.Timer timer;
    private long closingSinceNanos;
    /** Something was written to Netty since the last {@link #flush}. */
    private boolean pendingFlush;
    /**
     * The frames so far of a fragmented client message (RFC 6455 §5.4), or null: none in progress. This is the
     * WebSocket frame aggregator's work without a handler of its own in every pipeline: control frames between the
     * fragments are answered as they come, a message past the payload limit closes the connection (4002).
     */
    private CompositeByteBuf fragments;

    /**
     * @param gateway      the shard's gateway.
     * @param zlib         whether the client asked for {@code compress=zlib-stream}.
     * @param apiVersion   the {@code v} query parameter.
     * @param rejectCode   a close code to send right after HELLO (0: none), for bad query parameters.
     * @param rejectReason its reason.
     * @param host         host the client connected to (for the resume URL).
     */
    GatewayConnection(final ShardSessions gateway, final WebSocketDecoderConfig frames, final boolean zlib,
        final int apiVersion, final int rejectCode, final String rejectReason, final String host)
    {
        super(frames);
        this.gateway = gateway;
        this.zlib = zlib ? new ZlibStream() : null;
        this.apiVersion = (byte)Math.max(Byte.MIN_VALUE, Math.min(Byte.MAX_VALUE, apiVersion));
        this.rejectCode = rejectCode;
        this.rejectReason = rejectReason;
        this.host = host;
    }

    String host()
    {
        return host;
    }

    int apiVersion()
    {
        return apiVersion;
    }

    GatewaySession session()
    {
        return session;
    }

    void session(final GatewaySession s)
    {
        session = s;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext context)
    {
        this.ctx = context;
        final Channel ch = context.channel();
        final io.netty.channel.ChannelOutboundBuffer buffer = ch.unsafe().outboundBuffer();
        if (DIRECT_WRITES && ch instanceof io.netty.channel.unix.UnixChannel u && buffer != null)
        {
            directChannel = u;
            outbound = buffer;
        }
        final long now = System.nanoTime();
        connectedAtNanos = now;
        lastHeartbeatNanos = now;
        rateWindowStartNanos = now;
        gateway.connectionOpened(this);
        final ObjectNode hello = Json.object();
        hello.putNull("t");
        hello.putNull("s");
        hello.put("op", 10);
        hello.putObject("d").put("heartbeat_interval", gateway.config().heartbeatIntervalMillis());
        writeNow(Json.bytes(hello));
        if (rejectCode != 0)
        {
            close(rejectCode, rejectReason);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context) throws Exception
    {
        dropFragments();
        gateway.connectionClosed(this);
        if (zlib != null)
        {
            zlib.close();
        }
        closing = true; // frames still buffered are decoded by the decoder's last pass, and dropped
        super.channelInactive(context); // the decoder's buffer released, then the event passed on
    }

    /**
     * Decodes what the socket read and handles each frame at once (nothing is passed down the pipeline). A failure of
     * the handling goes to {@link #exceptionCaught} as it would from a handler of its own, not as a decoder error.
     */
    @Override
    protected void decode(final ChannelHandlerContext context, final ByteBuf in, final java.util.List<Object> out)
        throws Exception
    {
        super.decode(context, in, out);
        final int n = out.size();
        for (int i = 0; i < n; i++)
        {
            handle(context, (WebSocketFrame)out.get(i));
        }
        out.clear();
    }

    /** A frame that reaches the handler already decoded (as a test's embedded channel hands them in). */
    @Override
    public void channelRead(final ChannelHandlerContext context, final Object msg) throws Exception
    {
        if (msg instanceof WebSocketFrame frame)
        {
            handle(context, frame);
            return;
        }
        super.channelRead(context, msg);
    }

    private void handle(final ChannelHandlerContext context, final WebSocketFrame frame)
    {
        try
        {
            onFrame(context, frame);
        }
        catch (final RuntimeException ex)
        {
            exceptionCaught(context, ex);
        }
        finally
        {
            frame.release();
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext context)
    {
        unwritableSinceNanos = context.channel().isWritable() ? 0 : System.nanoTime();
        if (unwritableSinceNanos != 0)
        {
            gateway.rearm(this);
        }
        context.fireChannelWritabilityChanged();
    }

    private void onFrame(final ChannelHandlerContext context, final WebSocketFrame frame)
    {
        if (closing)
        {
            return;
        }
        if (frame instanceof PingWebSocketFrame)
        {
            context.writeAndFlush(ServerFrames.frame(context.alloc(), ServerFrames.PONG, frame.content().retain()));
            return;
        }
        if (frame instanceof PongWebSocketFrame)
        {
            return;
        }
        if (frame instanceof CloseWebSocketFrame close)
        {
            onClientClose(close.statusCode());
            return;
        }
        if (frame instanceof ContinuationWebSocketFrame)
        {
            if (fragments == null || fragments.readableBytes() + frame.content().readableBytes()
                > gateway.config().maxInboundPayload())
            {
                dropFragments();
                close(CloseCodes.DECODE_ERROR, "Error while decoding payload.");
                return;
            }
            fragments.addComponent(true, frame.content().retain());
            if (frame.isFinalFragment())
            {
                final CompositeByteBuf whole = fragments;
                fragments = null;
                try
                {
                    onMessage(whole);
                }
                finally
                {
                    whole.release();
                }
            }
            return;
        }
        if ((!(frame instanceof TextWebSocketFrame) && !(frame instanceof BinaryWebSocketFrame)) || fragments != null)
        {
            dropFragments(); // also a new message before the fragmented one ended
            close(CloseCodes.DECODE_ERROR, "Error while decoding payload.");
            return;
        }
        if (!frame.isFinalFragment())
        {
            fragments = context.alloc().compositeBuffer().addComponent(true, frame.content().retain());
            return;
        }
        onMessage(frame.content());
    }

    /** Releases the frames of a fragmented message in progress, if any. */
    private void dropFragments()
    {
        if (fragments != null)
        {
            fragments.release();
            fragments = null;
        }
    }

    /** A whole client message (one frame, or a fragmented message's frames gathered). */
    private void onMessage(final ByteBuf content)
    {
        if (content.readableBytes() > gateway.config().maxInboundPayload())
        {
            close(CloseCodes.DECODE_ERROR, "Payload too large.");
            return;
        }
        final long now = System.nanoTime();
        if (now - rateWindowStartNanos > TimeUnit.SECONDS.toNanos(60))
        {
            rateWindowStartNanos = now;
            rateCount = 0;
        }
        if (++rateCount > gateway.config().inboundEventsPerMinute())
        {
            gateway.shard().counters().increment(ShardCounters.RATE_LIMITED);
            close(CloseCodes.RATE_LIMITED, "You are being rate limited.");
            return;
        }
        final JsonNode payload;
        try
        {
            final int len = content.readableBytes();
            final byte[] scratch = gateway.payloadScratch(len);
            content.getBytes(content.readerIndex(), scratch, 0, len);
            payload = Json.parse(scratch, 0, len);
        }
        catch (final IOException ex)
        {
            close(CloseCodes.DECODE_ERROR, "Error while decoding payload.");
            return;
        }
        final JsonNode opNode = payload.get("op");
        if (!payload.isObject() || opNode == null || !opNode.isIntegralNumber())
        {
            close(CloseCodes.DECODE_ERROR, "Error while decoding payload.");
            return;
        }
        if (migrating)
        {
            held.add(payload); // read in the same batch as the RESUME that moves us: handled on the new shard
            return;
        }
        onPayload(opNode.asInt(), payload.get("d"), now);
    }

    /**
     * @return whether this connection has already been handed to another shard (it happens once at most).
     */
    boolean migrated()
    {
        return migrated;
    }

    /**
     * Moves this connection to {@code target}'s event loop, then resumes there with {@code resume}: reading stops,
     * the channel leaves this shard's loop and joins the target's (Netty deregister/register), and on the target's
     * thread the connection joins that shard's gateway, the RESUME runs, then anything read meanwhile, then reading
     * starts again. Runs on this shard's thread.
     *
     * @param target the session's shard.
     * @param resume the RESUME payload's {@code d}.
     */
    void migrateTo(final ShardSessions target, final JsonNode resume)
    {
        final io.netty.channel.Channel ch = ctx.channel();
        migrating = true;
        migrated = true;
        held = new java.util.ArrayList<>();
        ch.config().setAutoRead(false);
        gateway.connectionClosed(this);
        final io.netty.channel.EventLoop loop = target.loop();
        ch.deregister().addListener(left ->
        {
            if (!left.isSuccess())
            {
                ch.close();
                return;
            }
            loop.register(ch).addListener(joined ->
            {
                if (!joined.isSuccess())
                {
                    ch.close();
                    return;
                }
                gateway = target;
                target.connectionOpened(this);
                migrating = false;
                target.resume(this, resume);
                final java.util.ArrayList<JsonNode> later = held;
                held = null;
                for (final JsonNode p : later)
                {
                    if (!closing)
                    {
                        onPayload(p.path("op").asInt(), p.get("d"), System.nanoTime());
                    }
                }
                ch.config().setAutoRead(true);
            });
        });
    }

    private void onPayload(final int op, final JsonNode d, final long now)
    {
        switch (op)
        {
            case 1 ->
            {
                lastHeartbeatNanos = now;
                heartbeatRequested = false;
                if (session != null && d != null && d.isIntegralNumber())
                {
                    session.acknowledge(d.asLong()); // d is the last sequence the client received
                }
                if (zlib != null)
                {
                    zlib.heartbeat(); // an idle stream drops its history
                }
                writeNow(HEARTBEAT_ACK);
            }
            case 2 ->
            {
                if (session != null)
                {
                    close(CloseCodes.ALREADY_AUTHENTICATED, "You sent more than one identify payload.");
                }
                else
                {
                    gateway.identify(this, d);
                }
            }
            case 6 ->
            {
                if (session != null)
                {
                    close(CloseCodes.ALREADY_AUTHENTICATED, "Already authenticated.");
                }
                else
                {
                    gateway.resume(this, d);
                }
            }
            case 4 ->
            {
                if (session == null)
                {
                    close(CloseCodes.NOT_AUTHENTICATED, "Not authenticated.");
                }
                else
                {
                    voiceStateUpdate(d);
                }
            }
            case 8 ->
            {
                if (session == null)
                {
                    close(CloseCodes.NOT_AUTHENTICATED, "Not authenticated.");
                }
                else
                {
                    requestGuildMembers(d);
                }
            }
            case 3 ->
            {
                final PresenceFields presence = session == null ? null : PresenceFields.parse(d);
                if (session == null)
                {
                    close(CloseCodes.NOT_AUTHENTICATED, "Not authenticated.");
                }
                else if (presence == null)
                {
                    close(CloseCodes.DECODE_ERROR, "Invalid PRESENCE_UPDATE payload.");
                }
                else
                {
                    gateway.presenceUpdate(session, presence);
                }
            }
            case 14 ->
            {
                if (session == null)
                {
                    close(CloseCodes.NOT_AUTHENTICATED, "Not authenticated.");
                }
                else
                {
                    lazyRequest(d);
                }
            }
            case 31 ->
            {
                if (session == null)
                {
                    close(CloseCodes.NOT_AUTHENTICATED, "Not authenticated.");
                }
                // soundboard (31) is accepted and not acted on yet
            }
            default -> close(CloseCodes.UNKNOWN_OPCODE, "Unknown opcode " + op + ".");
        }
    }

    /**
     * Op 4: validates the shape here, decides on the guild's owner shard ({@link VoiceProxy}).
     */
    private void voiceStateUpdate(final JsonNode d)
    {
        final long guildId = d == null || !d.isObject() ? -1 : snowflake(d.path("guild_id"));
        final JsonNode ch = d == null ? null : d.path("channel_id");
        final long channelId = ch == null ? -1 : ch.isNull() || ch.isMissingNode() ? 0 : snowflake(ch);
        if (guildId <= 0 || channelId < 0 || !session.coversGuild(guildId))
        {
            close(CloseCodes.DECODE_ERROR, "Invalid VOICE_STATE_UPDATE payload.");
            return;
        }
        final boolean selfMute = d.path("self_mute").asBoolean(false);
        final boolean selfDeaf = d.path("self_deaf").asBoolean(false);
        gateway.voiceStateUpdate(session, guildId, channelId, selfMute, selfDeaf);
    }

    /**
     * Op 8 REQUEST_GUILD_MEMBERS: validates the shape here; the guild's owner shard matches the members and
     * sends the GUILD_MEMBERS_CHUNK dispatches back to this session ({@link ShardSessions#requestGuildMembers}).
     * As Discord documents: one {@code guild_id}; {@code user_ids} (one or an array, at most 100) or
     * {@code query} with {@code limit}; a nonce longer than 32 bytes is ignored (the chunks carry none).
     */
    private void requestGuildMembers(final JsonNode d)
    {
        final long guildId = d == null || !d.isObject() ? -1 : snowflake(d.path("guild_id"));
        final JsonNode ids = d == null ? null : d.get("user_ids");
        final JsonNode query = d == null ? null : d.get("query");
        final JsonNode limit = d == null ? null : d.get("limit");
        long[] userIds = null;
        boolean badIds = false;
        if (ids != null && !ids.isNull())
        {
            final JsonNode list = ids.isArray() ? ids : Json.array().add(ids);
            userIds = new long[list.size()];
            for (int i = 0; i < userIds.length; i++)
            {
                userIds[i] = snowflake(list.get(i));
                badIds |= userIds[i] <= 0;
            }
            badIds |= userIds.length > 100;
        }
        final boolean byQuery = query != null && query.isTextual() && limit != null && limit.canConvertToInt()
            && limit.asInt() >= 0;
        if (guildId <= 0 || badIds || (userIds == null && !byQuery))
        {
            close(CloseCodes.DECODE_ERROR, "Invalid REQUEST_GUILD_MEMBERS payload.");
            return;
        }
        final JsonNode n = d.get("nonce");
        final String nonce = n != null && n.isTextual()
            && n.asText().getBytes(StandardCharsets.UTF_8).length <= 32 ? n.asText() : null;
        gateway.requestGuildMembers(session, guildId, userIds, byQuery ? query.asText() : "",
            byQuery ? limit.asInt() : 0, d.path("presences").asBoolean(false), nonce);
    }

    /**
     * Op 14 (Discord's user clients: the lazy member list): {@code guild_id}, {@code channels} as
     * {@code {channel_id: [[first, last], ...]}} (at most 5 ranges of at most 100 rows each); {@code typing},
     * {@code activities}, {@code threads} and {@code members} are accepted. The guild's owner answers with
     * GUILD_MEMBER_LIST_UPDATE ({@link ShardSessions#lazyRequest}).
     */
    private void lazyRequest(final JsonNode d)
    {
        final long guildId = d == null || !d.isObject() ? -1 : snowflake(d.path("guild_id"));
        final JsonNode channels = d == null ? null : d.get("channels");
        if (guildId <= 0 || (channels != null && !channels.isNull() && !channels.isObject()))
        {
            close(CloseCodes.DECODE_ERROR, "Invalid LAZY_REQUEST payload.");
            return;
        }
        if (channels == null || channels.isNull())
        {
            return;
        }
        final java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = channels.fields();
        while (it.hasNext())
        {
            final java.util.Map.Entry<String, JsonNode> e = it.next();
            final long channelId = Json.parseId(e.getKey());
            final JsonNode list = e.getValue();
            if (channelId <= 0 || !list.isArray() || list.size() > dev.pinwheel.gateway.owner.LazyMemberLists.MAX_RANGES)
            {
                close(CloseCodes.DECODE_ERROR, "Invalid LAZY_REQUEST payload.");
                return;
            }
            final long[] ranges = new long[list.size() * 2];
            for (int i = 0; i < list.size(); i++)
            {
                final JsonNode r = list.get(i);
                if (!r.isArray() || r.size() != 2 || !r.get(0).canConvertToInt() || !r.get(1).canConvertToInt()
                    || r.get(0).asInt() < 0 || r.get(1).asInt() < r.get(0).asInt()
                    || r.get(1).asInt() - r.get(0).asInt() > 99)
                {
                    close(CloseCodes.DECODE_ERROR, "Invalid LAZY_REQUEST payload.");
                    return;
                }
                ranges[2 * i] = r.get(0).asInt();
                ranges[2 * i + 1] = r.get(1).asInt();
            }
            gateway.lazyRequest(session, guildId, channelId, ranges);
        }
    }

    /** A snowflake sent as a string (Discord's form) or as a number (JDA sends op 4 ids as numbers); -1 if neither. */
    private static long snowflake(final JsonNode n)
    {
        if (n.isTextual())
        {
            return Json.parseId(n.asText());
        }
        return n.isIntegralNumber() && n.canConvertToLong() ? n.asLong() : -1;
    }

    private void onClientClose(final int status)
    {
        closing = true;
        closingSinceNanos = System.nanoTime();
        gateway.rearm(this);
        // A client closing with 1000/1001 ends its session (Discord semantics); other codes keep it resumable.
        if (session != null && (status == 1000 || status == 1001))
        {
            gateway.destroySession(session);
        }
        closeAfter(ctx.writeAndFlush(ServerFrames.close(ctx.alloc(), status == -1 ? 1000 : status, "")));
    }

    /**
     * Sends a close frame with a gateway close code and closes the socket. A non-resumable code ends
     * the session.
     *
     * @param code   close code.
     * @param reason reason text.
     */
    @Override
    public void close(final int code, final String reason)
    {
        if (closing)
        {
            return;
        }
        closing = true;
        closingSinceNanos = System.nanoTime();
        gateway.rearm(this);
        if (code >= 4000)
        {
            gateway.shard().counters().increment(ShardCounters.PROTOCOL_CLOSES);
        }
        LOG.debug("closing gateway connection {} with {} {}", ctx.channel().remoteAddress(), code, reason);
        if (session != null)
        {
            session.writeCorked();
        }
        if (session != null && !CloseCodes.resumable(code))
        {
            gateway.destroySession(session);
        }
        closeAfter(ctx.writeAndFlush(ServerFrames.close(ctx.alloc(), code, reason)));
    }

    /**
     * Ends the connection after the close frame without resetting it: whatever the client still sends (the rest of
     * a burst, an oversized frame) is dropped before it is decoded, and once the close frame is on the wire the
     * output is shut down (FIN). Closing the socket with unread input would make the kernel answer with RST, and
     * the client could lose the close frame. The socket closes when the client closes its side, or after the
     * linger time ({@link #onDeadline}).
     */
    private void closeAfter(final ChannelFuture closeFrame)
    {
        final Channel ch = ctx.channel();
        if (ch.pipeline().get(DiscardInbound.NAME) == null)
        {
            ch.pipeline().addFirst(DiscardInbound.NAME, DiscardInbound.INSTANCE);
        }
        ch.config().setAutoRead(true);
        closeFrame.addListener(f ->
        {
            if (f.isSuccess() && ch instanceof DuplexChannel d && ch.isActive())
            {
                d.shutdownOutput();
            }
            else
            {
                ch.close();
            }
        });
    }

    boolean closing()
    {
        return closing;
    }

    /**
     * A deadline came (its shard's {@link SessionTimers}): closing linger, identify timeout, zombie detection (a
     * heartbeat request, then the close), slow consumers. Whatever is due is acted on, in that order of precedence.
     *
     * @param now nanoTime.
     * @return the next deadline.
     */
    @Override
    public long onDeadline(final long now)
    {
        if (!ctx.channel().isOpen())
        {
            return SessionTimers.NONE;
        }
        if (closing)
        {
            // A close frame stuck behind output the client never reads, or a client that keeps sending after it,
            // must not hold the socket (and the session's resume window) forever: give the close handshake the
            // edge's linger time, then drop the socket.
            if (closingSinceNanos != 0 && now - closingSinceNanos > lingerNanos())
            {
                closingSinceNanos = 0;
                gateway.counters().increment(EdgeCounters.CLOSED_LINGER_TIMEOUT);
                ctx.channel().close();
            }
            return nextDeadline();
        }
        final long interval = TimeUnit.MILLISECONDS.toNanos(gateway.config().heartbeatIntervalMillis());
        final long grace = TimeUnit.MILLISECONDS.toNanos(gateway.config().heartbeatGraceMillis());
        if (session == null && now - connectedAtNanos > identifyTimeoutNanos())
        {
            close(CloseCodes.SESSION_TIMED_OUT, "Session timed out: no IDENTIFY or RESUME received.");
        }
        else if (now - lastHeartbeatNanos > interval + grace)
        {
            close(CloseCodes.SESSION_TIMED_OUT, "Session timed out: no heartbeat received.");
        }
        else if (!heartbeatRequested && now - lastHeartbeatNanos > interval + grace / 2)
        {
            heartbeatRequested = true;
            writeNow(HEARTBEAT_REQUEST);
        }
        else if (unwritableSinceNanos != 0 && now - unwritableSinceNanos > slowConsumerNanos())
        {
            gateway.shard().counters().increment(ShardCounters.SLOW_CONSUMER_CLOSES);
            close(CloseCodes.UNKNOWN_ERROR, "Slow consumer: reconnect and resume.");
        }
        return ctx.channel().isOpen() ? nextDeadline() : SessionTimers.NONE;
    }

    /**
     * @return the earliest moment one of this connection's checks can act ({@link SessionTimers#NONE}: none can).
     */
    long nextDeadline()
    {
        if (closing)
        {
            return closingSinceNanos == 0 ? SessionTimers.NONE : closingSinceNanos + lingerNanos() + 1;
        }
        final long interval = TimeUnit.MILLISECONDS.toNanos(gateway.config().heartbeatIntervalMillis());
        final long grace = TimeUnit.MILLISECONDS.toNanos(gateway.config().heartbeatGraceMillis());
        long next = lastHeartbeatNanos + interval + (heartbeatRequested ? grace : grace / 2) + 1;
        if (session == null)
        {
            next = Math.min(next, connectedAtNanos + identifyTimeoutNanos() + 1);
        }
        if (unwritableSinceNanos != 0)
        {
            next = Math.min(next, unwritableSinceNanos + slowConsumerNanos() + 1);
        }
        return next;
    }

    private long lingerNanos()
    {
        return TimeUnit.MILLISECONDS.toNanos(gateway.config().edge().lingerMillis());
    }

    private long identifyTimeoutNanos()
    {
        return TimeUnit.MILLISECONDS.toNanos(gateway.config().identifyTimeoutMillis());
    }

    private long slowConsumerNanos()
    {
        return TimeUnit.MILLISECONDS.toNanos(gateway.config().slowConsumerMillis());
    }

    /**
     * Writes a non-dispatch payload and flushes.
     *
     * @param json payload bytes.
     */
    void writeNow(final byte[] json)
    {
        if (session != null)
        {
            session.writeCorked();
        }
        ctx.writeAndFlush(frame(json, 0, json.length));
    }

    /** zlib-stream: deflates one dispatch (the stream's dictionary is per connection) and queues it in Netty. */
    private void writeDeflated(final Dispatch d, final long seq, final byte[] data)
    {
        final byte[] t = d.typeAscii();
        final int len = DispatchFrame.payloadLength(t, seq, data);
        final byte[] scratch = gateway.payloadScratch(len);
        final int n = DispatchFrame.payload(scratch, t, seq, data);
        ctx.write(ServerFrames.frame(ctx.alloc(), ServerFrames.BINARY, zlib.deflate(ctx.alloc(), scratch, 0, n)),
            ctx.voidPromise());
        pendingFlush = true;
    }

    /**
     * @return the shard's scratch array for a session's corked events read from a guild's log ({@link
     *     GatewaySession#CORK_LIMIT} slots; shard thread only, one write at a time).
     */
    @Override
    public Dispatch[] dispatchScratch()
    {
        return gateway.dispatchScratch();
    }

    /**
     * Writes the dispatches {@code from..to} of a session's resume ring as one buffer of back-to-back WebSocket
     * frames (a socket gets one write per duty cycle however many events it received in it). Uncompressed, with
     * nothing queued in Netty for this socket, the frames are spliced into the shard's scratch buffer and written
     * to the socket directly — no buffer, promise or pipeline trip per event or per recipient; only what the
     * kernel does not take is copied into a pooled buffer and queued in Netty, which then owns the socket's order
     * and back-pressure until its queue drains. Not flushed: see {@link #flush}.
     *
     * @param ring        the session's resume ring, or its guild's log read in place.
     * @param mask        its index mask.
     * @param from        index of the first event to write.
     * @param to          index of the last event to write (inclusive).
     * @param firstSeq    the sequence of the event at {@code from}.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     */
    @Override
    public void writeDispatches(final Dispatch[] ring, final int mask, final long from, final long to,
        final long firstSeq, final boolean seesContent)
    {
        if (closing)
        {
            return;
        }
        final long user = session == null ? 0 : session.userId();
        if (zlib != null)
        {
            for (long i = from, s = firstSeq; i <= to; i++, s++)
            {
                final Dispatch d = ring[(int)(i & mask)];
                writeDeflated(d, s, d.dataFor(user, seesContent));
            }
            return;
        }
        final io.netty.channel.unix.UnixChannel u = directChannel;
        final boolean direct = u != null && ((Channel)u).isActive() && outbound.totalPendingWriteBytes() == 0
            && ((Channel)u).eventLoop().inEventLoop();
        if (direct && writeGathered(u, ring, mask, from, to, firstSeq, user, seesContent))
        {
            return;
        }
        final int total = DispatchFrame.framesLength(ring, mask, from, to, firstSeq, user, seesContent);
        final ByteBuf buf = direct ? gateway.frameScratch(total) : ctx.alloc().buffer(total);
        DispatchFrame.writeFrames(buf, ring, mask, from, to, firstSeq, user, seesContent);
        if (!direct)
        {
            ctx.write(buf, ctx.voidPromise());
            pendingFlush = true;
            gateway.counters().increment(EdgeCounters.WRITES_QUEUED);
            return;
        }
        int written;
        try
        {
            written = u.fd().write(buf.internalNioBuffer(0, total), 0, total);
        }
        catch (final IOException e)
        {
            written = 0; // the socket is failing: let Netty's write path meet the error and close it
        }
        if (written < total)
        {
            ctx.write(ctx.alloc().buffer(total - written).writeBytes(buf, written, total - written),
                ctx.voidPromise());
            pendingFlush = true;
            gateway.counters().increment(EdgeCounters.WRITES_PARTIAL);
        }
        else
        {
            gateway.counters().increment(EdgeCounters.WRITES_DIRECT);
        }
    }

    /**
     * The direct path of {@link #writeDispatches}: one {@code writev} of the frames' per-session heads and the shard's
     * one copy of each event's shared bytes ({@link FrameGather}: nothing copied per recipient); what the kernel does
     * not take is copied into a pooled buffer and queued in Netty.
     *
     * @return false when the shard does not gather these frames (a very large body): the caller copies them.
     */
    private boolean writeGathered(final io.netty.channel.unix.UnixChannel ch, final Dispatch[] ring, final int mask,
        final long from, final long to, final long firstSeq, final long user, final boolean seesContent)
    {
        final FrameGather gather = gateway.frameGather();
        final int total = gather.gather(ring, mask, from, to, firstSeq, user, seesContent);
        if (total < 0)
        {
            return false;
        }
        long written;
        try
        {
            written = ch.fd().writevAddresses(gather.iovAddress(), gather.iovCount());
        }
        catch (final IOException e)
        {
            written = 0; // the socket is failing: let Netty's write path meet the error and close it
        }
        if (written < total)
        {
            final ByteBuf rest = ctx.alloc().buffer(total - (int)written);
            gather.copyTo(rest, (int)written);
            ctx.write(rest, ctx.voidPromise());
            pendingFlush = true;
            gateway.counters().increment(EdgeCounters.WRITES_PARTIAL);
        }
        else
        {
            gateway.counters().increment(EdgeCounters.WRITES_DIRECT);
        }
        return true;
    }

    /** Flushes what {@link #writeDispatches} or {@link #writeDispatch} left queued in Netty, if anything. */
    @Override
    public void flush()
    {
        if (pendingFlush)
        {
            pendingFlush = false;
            ctx.flush();
        }
    }

    private ByteBuf frame(final byte[] json, final int off, final int len)
    {
        if (zlib == null)
        {
            return ServerFrames.frame(ctx.alloc(), ServerFrames.TEXT, json, off, len);
        }
        return ServerFrames.frame(ctx.alloc(), ServerFrames.BINARY, zlib.deflate(ctx.alloc(), json, off, len));
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
    {
        if (cause instanceof TooLongFrameException || cause instanceof CorruptedWebSocketFrameException)
        {
            close(CloseCodes.DECODE_ERROR, "Error while decoding payload.");
        }
        else if (cause instanceof IOException)
        {
            context.close();
        }
        else
        {
            if (ERRORS.admit())
            {
                LOG.warn("gateway connection error", cause);
            }
            close(CloseCodes.UNKNOWN_ERROR, "Unknown error.");
        }
    }
}
