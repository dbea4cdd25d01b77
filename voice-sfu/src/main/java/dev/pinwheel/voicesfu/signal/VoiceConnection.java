package dev.pinwheel.voicesfu.signal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import dev.pinwheel.voicesfu.crypto.AeadMode;
import dev.pinwheel.voicesfu.media.VoiceMember;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One voice gateway (v8) WebSocket, on the control loop:
 * <pre>
 *  client                         server
 *  ── (TLS + WS upgrade) ──▶      ◀── 8 HELLO {heartbeat_interval}
 *  0 IDENTIFY {server_id, user_id, session_id, token}  ──▶  admission check ─▶ 2 READY {ssrc, ip, port, modes}
 *  (UDP IP discovery)
 *  1 SELECT_PROTOCOL {udp, address, port, mode}  ──▶  key ─▶ 4 SESSION_DESCRIPTION {mode, secret_key,
 *                                                                                 dave_protocol_version: 0}
 *  5 SPEAKING ──▶ relayed to the room as {user_id, ssrc, speaking};  3 HEARTBEAT ──▶ 6 {t}
 *  7 RESUME ──▶ 9 RESUMED + replay of every numbered message after {@code seq_ack} (kept per session until a
 *    heartbeat acknowledges it, at most {@link VoiceControl#REPLAY_LIMIT});  room changes ──▶ 11 CLIENTS_CONNECT / 13 CLIENT_DISCONNECT
 * </pre>
 * Bad input closes with the voice close codes (4001-4016); more payloads than
 * {@code pinwheel.voice.inbound-payloads-per-minute} close with 4008, as the main gateway does (a SPEAKING is relayed
 * to the whole room: a flood would be multiplied by its size). NOT thread-safe: control loop only.
 */
public final class VoiceConnection extends SimpleChannelInboundHandler<WebSocketFrame>
{
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(VoiceConnection.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long IDENTIFY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final VoiceControl control;
    private ChannelHandlerContext ctx;
    private VoiceControl.Admission admission;
    private VoiceMember member;
    private long openedAtNanos;
    private long lastHeartbeatNanos;
    private long rateWindowStartNanos;
    private int rateCount;
    private boolean closing;

    VoiceConnection(final VoiceControl control)
    {
        this.control = control;
    }

    static ObjectNode object()
    {
        return MAPPER.createObjectNode();
    }

    VoiceControl.Admission admission()
    {
        return admission;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext context)
    {
        ctx = context;
        openedAtNanos = System.nanoTime();
        lastHeartbeatNanos = openedAtNanos;
        rateWindowStartNanos = openedAtNanos;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext context, final Object evt) throws Exception
    {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete)
        {
            control.opened(this);
            final ObjectNode d = object();
            d.put("v", 8);
            d.put("heartbeat_interval", control.context().heartbeatIntervalMillis());
            send(VoiceOpcodes.HELLO, d);
        }
        super.userEventTriggered(context, evt);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context) throws Exception
    {
        closing = true;
        control.closed(this);
        super.channelInactive(context);
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext context, final WebSocketFrame frame)
    {
        if (closing)
        {
            return;
        }
        if (frame instanceof CloseWebSocketFrame)
        {
            closing = true;
            context.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!(frame instanceof BinaryWebSocketFrame) && !(frame instanceof TextWebSocketFrame))
        {
            return; // pings and pongs (answered by Netty's protocol handler), continuations
        }
        final long now = System.nanoTime();
        if (now - rateWindowStartNanos > TimeUnit.SECONDS.toNanos(60))
        {
            rateWindowStartNanos = now;
            rateCount = 0;
        }
        if (++rateCount > control.context().inboundPayloadsPerMinute())
        {
            LOG.info("voice connection {} sent more than {} payloads in a minute: closed (4008)",
                context.channel().remoteAddress(), control.context().inboundPayloadsPerMinute());
            close(VoiceCloseCodes.RATE_LIMITED, "You are being rate limited.");
            return;
        }
        if (frame instanceof BinaryWebSocketFrame)
        {
            return; // DAVE binary opcodes: not negotiated (dave_protocol_version 0)
        }
        if (!(frame instanceof TextWebSocketFrame))
        {
            return;
        }
        final JsonNode payload;
        try
        {
            payload = MAPPER.readTree(new ByteBufInputStream(frame.content()));
        }
        catch (final IOException ex)
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
            return;
        }
        if (payload == null || !payload.isObject() || !payload.path("op").isIntegralNumber())
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
            return;
        }
        onPayload(payload.get("op").asInt(), payload.get("d"));
    }

    private void onPayload(final int op, final JsonNode d)
    {
        switch (op)
        {
            case VoiceOpcodes.IDENTIFY -> identify(d);
            case VoiceOpcodes.RESUME -> resume(d);
            case VoiceOpcodes.HEARTBEAT -> heartbeat(d);
            case VoiceOpcodes.SELECT_PROTOCOL ->
            {
                if (authenticated())
                {
                    selectProtocol(d);
                }
            }
            case VoiceOpcodes.SPEAKING ->
            {
                if (authenticated())
                {
                    speaking(d);
                }
            }
            case VoiceOpcodes.VIDEO, VoiceOpcodes.MEDIA_SINK_WANTS, VoiceOpcodes.VOICE_BACKEND_VERSION ->
                authenticated(); // accepted, not acted on (audio only)
            default ->
            {
                if (op >= VoiceOpcodes.DAVE_FIRST && op <= VoiceOpcodes.DAVE_LAST)
                {
                    authenticated(); // DAVE is not negotiated at version 0: ignore
                }
                else
                {
                    close(VoiceCloseCodes.UNKNOWN_OPCODE, "Unknown opcode " + op + ".");
                }
            }
        }
    }

    private boolean authenticated()
    {
        if (member == null)
        {
            close(VoiceCloseCodes.NOT_AUTHENTICATED, "Not authenticated.");
            return false;
        }
        return true;
    }

    private void identify(final JsonNode d)
    {
        if (member != null)
        {
            close(VoiceCloseCodes.ALREADY_AUTHENTICATED, "Already authenticated.");
            return;
        }
        if (d == null || !d.isObject() || !d.path("token").isTextual() || !d.path("session_id").isTextual())
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
            return;
        }
        final long guildId = id(d.get("server_id"));
        final long userId = id(d.get("user_id"));
        if (guildId <= 0 || userId <= 0)
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
            return;
        }
        final VoiceControl.Admission a = control.admission(guildId, userId);
        if (a == null || !a.token.equals(d.get("token").asText()) || !a.sessionId.equals(d.get("session_id").asText()))
        {
            close(VoiceCloseCodes.AUTHENTICATION_FAILED, "Authentication failed.");
            return;
        }
        admission = a;
        member = control.join(a, this);
        final ObjectNode ready = object();
        ready.put("ssrc", member.ssrc());
        ready.put("ip", control.context().publicHost());
        ready.put("port", control.media().port());
        final ArrayNode modes = ready.putArray("modes");
        for (final AeadMode m : control.context().modeList())
        {
            modes.add(m.wireName());
        }
        ready.put("heartbeat_interval", control.context().heartbeatIntervalMillis());
        ready.putArray("experiments");
        send(VoiceOpcodes.READY, ready);
        control.enterRoom(admission);
    }

    private void resume(final JsonNode d)
    {
        if (member != null)
        {
            close(VoiceCloseCodes.ALREADY_AUTHENTICATED, "Already authenticated.");
            return;
        }
        if (d == null || !d.isObject() || !d.path("token").isTextual() || !d.path("session_id").isTextual())
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
            return;
        }
        final long guildId = id(d.get("server_id"));
        final VoiceControl.Admission a = guildId <= 0 ? null
            : control.admissionBySession(guildId, d.get("session_id").asText(), d.get("token").asText());
        if (a == null || a.member == null)
        {
            close(VoiceCloseCodes.SESSION_NO_LONGER_VALID, "Session no longer valid.");
            return;
        }
        final JsonNode ackNode = d.get("seq_ack");
        final long seqAck = ackNode != null && ackNode.isIntegralNumber() ? ackNode.asLong() : -1;
        final long oldest = a.unacked.isEmpty() ? a.seq + 1 : a.unacked.peekFirst().seq();
        if (seqAck >= 0 && (seqAck > a.seq || seqAck + 1 < oldest))
        {
            // acknowledges what was never sent, or missed more than the replay buffer holds: start over
            close(VoiceCloseCodes.SESSION_NO_LONGER_VALID, "Session no longer valid.");
            return;
        }
        if (a.connection != null && a.connection != this)
        {
            final VoiceConnection old = a.connection;
            a.connection = null;
            old.close(VoiceCloseCodes.SESSION_NO_LONGER_VALID, "Resumed on another connection.");
        }
        a.connection = this;
        a.detachedAtNanos = 0;
        admission = a;
        member = a.member;
        send(VoiceOpcodes.RESUMED, null);
        // v8 buffered resume: everything after seq_ack, in order (without seq_ack: all still unacknowledged)
        for (final VoiceControl.Sequenced m : a.unacked)
        {
            if (m.seq() > seqAck)
            {
                sendText(m.json());
            }
        }
    }

    private void heartbeat(final JsonNode d)
    {
        lastHeartbeatNanos = System.nanoTime();
        if (admission != null && d != null && d.path("seq_ack").isIntegralNumber())
        {
            VoiceControl.acknowledge(admission, d.get("seq_ack").asLong());
        }
        final ObjectNode ack = object();
        if (d != null && d.isObject() && d.has("t"))
        {
            ack.set("t", d.get("t"));
        }
        else if (d != null && d.isNumber())
        {
            ack.set("t", d);
        }
        else
        {
            ack.put("t", System.currentTimeMillis());
        }
        send(VoiceOpcodes.HEARTBEAT_ACK, ack);
    }

    private void selectProtocol(final JsonNode d)
    {
        if (d == null || !d.isObject())
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
            return;
        }
        if (!"udp".equals(d.path("protocol").asText()))
        {
            close(VoiceCloseCodes.UNKNOWN_PROTOCOL, "Unknown protocol.");
            return;
        }
        final JsonNode data = d.path("data");
        final AeadMode mode = AeadMode.fromWireName(data.path("mode").asText());
        if (mode == null || !control.context().modeList().contains(mode))
        {
            close(VoiceCloseCodes.UNKNOWN_ENCRYPTION_MODE, "Unknown encryption mode.");
            return;
        }
        if (member.hasKey())
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Protocol already selected.");
            return;
        }
        if (member.address() == null)
        {
            // No IP discovery seen: take the client's word if it is an IPv4 literal (no DNS lookups here).
            final String addr = data.path("address").asText("");
            final int port = data.path("port").asInt(-1);
            if (!addr.matches("\\d{1,3}(\\.\\d{1,3}){3}") || port <= 0 || port > 65535)
            {
                close(VoiceCloseCodes.DECODE_ERROR, "Invalid address.");
                return;
            }
            try
            {
                member.address(new InetSocketAddress(InetAddress.getByName(addr), port));
            }
            catch (final IOException ex)
            {
                close(VoiceCloseCodes.DECODE_ERROR, "Invalid address.");
                return;
            }
        }
        final byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        member.key(mode, key, control.media().loopCount());
        final ObjectNode desc = object();
        desc.put("audio_codec", "opus");
        desc.put("video_codec", "H264");
        desc.put("mode", mode.wireName());
        final ArrayNode k = desc.putArray("secret_key");
        for (final byte b : key)
        {
            k.add(b & 0xFF);
        }
        desc.put("media_session_id", Long.toHexString(RANDOM.nextLong()));
        desc.put("dave_protocol_version", 0);
        send(VoiceOpcodes.SESSION_DESCRIPTION, desc);
    }

    private void speaking(final JsonNode d)
    {
        if (d == null || !d.isObject() || !d.path("speaking").canConvertToInt())
        {
            close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
            return;
        }
        if (d.has("ssrc") && d.get("ssrc").asLong() != (member.ssrc() & 0xFFFFFFFFL))
        {
            return; // claims another SSRC: ignore
        }
        final int speaking = d.get("speaking").asInt();
        member.speaking(speaking);
        control.relaySpeaking(member);
    }

    void tick(final long now)
    {
        if (closing)
        {
            return;
        }
        final long interval = TimeUnit.MILLISECONDS.toNanos(control.context().heartbeatIntervalMillis());
        if (member == null && now - openedAtNanos > IDENTIFY_TIMEOUT_NANOS)
        {
            close(VoiceCloseCodes.SESSION_TIMEOUT, "Session timeout.");
        }
        else if (now - lastHeartbeatNanos > 2 * interval + TimeUnit.SECONDS.toNanos(5))
        {
            close(VoiceCloseCodes.SESSION_TIMEOUT, "Session timeout.");
        }
    }

    /**
     * Sends one unnumbered payload (HELLO, READY, SESSION_DESCRIPTION, HEARTBEAT_ACK, RESUMED); numbered ones go
     * through {@link VoiceControl#deliver} so they can be replayed.
     *
     * @param op opcode.
     * @param d  data (null: JSON null).
     */
    void send(final int op, final JsonNode d)
    {
        final ObjectNode o = object();
        o.put("op", op);
        o.set("d", d);
        sendText(o.toString());
    }

    /**
     * Sends an encoded payload as one text frame (dropped once the connection is closing).
     *
     * @param json payload.
     */
    void sendText(final String json)
    {
        if (closing || ctx == null)
        {
            return;
        }
        ctx.writeAndFlush(new TextWebSocketFrame(json));
    }

    /**
     * Closes with a voice close code.
     *
     * @param code   close code.
     * @param reason reason.
     */
    void close(final int code, final String reason)
    {
        if (closing || ctx == null)
        {
            return;
        }
        closing = true;
        LOG.debug("closing voice connection {} with {} {}", ctx.channel().remoteAddress(), code, reason);
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    private static long id(final JsonNode n)
    {
        if (n == null)
        {
            return -1;
        }
        if (n.isIntegralNumber())
        {
            return n.asLong();
        }
        if (n.isTextual())
        {
            try
            {
                return Long.parseUnsignedLong(n.asText());
            }
            catch (final NumberFormatException ex)
            {
                return -1;
            }
        }
        return -1;
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
    {
        if (cause instanceof IOException)
        {
            context.close();
            return;
        }
        LOG.debug("voice connection error", cause);
        close(VoiceCloseCodes.DECODE_ERROR, "Failed to decode payload.");
    }
}
