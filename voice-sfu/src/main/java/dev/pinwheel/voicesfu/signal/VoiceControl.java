package dev.pinwheel.voicesfu.signal;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.channel.EventLoop;

import dev.pinwheel.core.voice.VoiceAdmission;
import dev.pinwheel.voicesfu.VoiceContext;
import dev.pinwheel.voicesfu.media.MediaPlane;
import dev.pinwheel.voicesfu.media.Room;
import dev.pinwheel.voicesfu.media.VoiceMember;

/**
 * The control plane of the voice server: admissions from the main gateway, rooms, members, voice gateway
 * connections. Every field is confined to one Netty event loop ({@link #loop}); the {@link VoiceAdmission}
 * methods are called from owner shards and only hand a task to that loop (FIFO: an admission is in place
 * before the client can have received its VOICE_SERVER_UPDATE and connected).
 * <pre>
 *  owner shard ──admit/update/evict──▶ [voice loop] admissions ◀── IDENTIFY/RESUME ── VoiceConnection (wss)
 *                                          │ rooms, SSRC table (copy-on-write) ──▶ media loops (UDP)
 * </pre>
 */
public final class VoiceControl implements VoiceAdmission
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EventLoop loop;
    private final VoiceContext ctx;
    private final MediaPlane media;
    private final String endpoint;
    private final HashMap<Key, Admission> admissions = new HashMap<>();
    private final HashMap<Long, Room> rooms = new HashMap<>();
    private final ArrayList<VoiceConnection> connections = new ArrayList<>();

    private record Key(long guildId, long userId)
    {
    }

    /** A user's permission to be in a voice channel, and the live member/connection if any. */
    static final class Admission
    {
        final long guildId;
        final long userId;
        long channelId;
        String sessionId;
        String token;
        int flags;
        VoiceMember member;
        VoiceConnection connection;
        long detachedAtNanos;
        /** Last sequence number given to a numbered message of this voice session (survives RESUME). */
        long seq;
        /** Numbered messages not yet acknowledged ({@code seq_ack}), oldest first, for replay on RESUME. */
        final java.util.ArrayDeque<Sequenced> unacked = new java.util.ArrayDeque<>();

        Admission(final long guildId, final long userId)
        {
            this.guildId = guildId;
            this.userId = userId;
        }
    }

    /** A numbered voice gateway message, kept encoded until the client acknowledges it. */
    record Sequenced(long seq, String json)
    {
    }

    /** Most unacknowledged messages kept per session; a client further behind must re-identify. */
    static final int REPLAY_LIMIT = 256;

    /**
     * Numbers a message for {@code a}'s session, keeps it for replay, and sends it if a connection is attached
     * (a detached session inside its resume window gets it on RESUME).
     */
    void deliver(final Admission a, final int op, final ObjectNode d)
    {
        final ObjectNode o = VoiceConnection.object();
        o.put("op", op);
        o.put("seq", ++a.seq);
        o.set("d", d);
        final String json = o.toString();
        a.unacked.addLast(new Sequenced(a.seq, json));
        while (a.unacked.size() > REPLAY_LIMIT)
        {
            a.unacked.removeFirst();
        }
        if (a.connection != null)
        {
            a.connection.sendText(json);
        }
    }

    /** The client acknowledged every message up to {@code seqAck}. */
    static void acknowledge(final Admission a, final long seqAck)
    {
        while (!a.unacked.isEmpty() && a.unacked.peekFirst().seq() <= seqAck)
        {
            a.unacked.removeFirst();
        }
    }

    /**
     * @param loop     the control loop.
     * @param ctx      settings.
     * @param media    media plane.
     * @param endpoint {@code host:port} of the voice gateway.
     */
    public VoiceControl(final EventLoop loop, final VoiceContext ctx, final MediaPlane media, final String endpoint)
    {
        this.loop = loop;
        this.ctx = ctx;
        this.media = media;
        this.endpoint = endpoint;
        loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    EventLoop loop()
    {
        return loop;
    }

    VoiceContext context()
    {
        return ctx;
    }

    MediaPlane media()
    {
        return media;
    }

    @Override
    public String admit(final long guildId, final long channelId, final long userId, final String sessionId,
        final int flags)
    {
        final byte[] t = new byte[24];
        RANDOM.nextBytes(t);
        final String token = HexFormat.of().formatHex(t);
        loop.execute(() -> onAdmit(guildId, channelId, userId, sessionId, flags, token));
        return token;
    }

    @Override
    public void update(final long guildId, final long userId, final int flags)
    {
        loop.execute(() ->
        {
            final Admission a = admissions.get(new Key(guildId, userId));
            if (a != null)
            {
                a.flags = flags;
                if (a.member != null)
                {
                    a.member.flags(flags);
                }
            }
        });
    }

    @Override
    public void evict(final long guildId, final long userId)
    {
        loop.execute(() ->
        {
            final Admission a = admissions.remove(new Key(guildId, userId));
            if (a != null)
            {
                dropMember(a);
                if (a.connection != null)
                {
                    final VoiceConnection c = a.connection;
                    a.connection = null;
                    c.close(VoiceCloseCodes.DISCONNECTED, "Disconnected.");
                }
            }
        });
    }

    @Override
    public String endpoint()
    {
        return endpoint;
    }

    private void onAdmit(final long guildId, final long channelId, final long userId, final String sessionId,
        final int flags, final String token)
    {
        final Key key = new Key(guildId, userId);
        Admission a = admissions.get(key);
        if (a != null && !sessionId.equals(a.sessionId))
        {
            dropMember(a);
            if (a.connection != null)
            {
                a.connection.close(VoiceCloseCodes.DISCONNECTED, "Joined from another session.");
                a.connection = null;
            }
        }
        if (a == null)
        {
            a = new Admission(guildId, userId);
            admissions.put(key, a);
        }
        a.channelId = channelId;
        a.sessionId = sessionId;
        a.token = token;
        a.flags = flags;
        if (a.member != null)
        {
            a.member.flags(flags);
            if (a.member.room() == null || a.member.room().channelId() != channelId)
            {
                final VoiceMember m = a.member;
                leaveRoom(m);
                enterRoom(a);
            }
        }
    }

    Admission admission(final long guildId, final long userId)
    {
        return admissions.get(new Key(guildId, userId));
    }

    Admission admissionBySession(final long guildId, final String sessionId, final String token)
    {
        for (final Admission a : admissions.values())
        {
            if (a.guildId == guildId && a.sessionId.equals(sessionId) && a.token.equals(token))
            {
                return a;
            }
        }
        return null;
    }

    /**
     * IDENTIFY accepted: a new member with a fresh SSRC (it enters the room with {@link #enterRoom} once READY
     * has gone out).
     */
    VoiceMember join(final Admission a, final VoiceConnection c)
    {
        if (a.connection != null && a.connection != c)
        {
            final VoiceConnection old = a.connection;
            a.connection = null;
            old.close(VoiceCloseCodes.SESSION_NO_LONGER_VALID, "Replaced by a new connection.");
        }
        dropMember(a);
        int ssrc;
        do
        {
            ssrc = 1 + RANDOM.nextInt(Integer.MAX_VALUE - 1);
        }
        while (media.ssrcs().contains(ssrc));
        final VoiceMember m = new VoiceMember(a.guildId, a.userId, ssrc, a.flags);
        a.member = m;
        a.seq = 0;
        a.unacked.clear();
        a.connection = c;
        a.detachedAtNanos = 0;
        media.ssrcs().put(m);
        return m;
    }

    /**
     * After READY: the admission's new member enters its room; the others learn of it (CLIENTS_CONNECT) and it
     * learns of them (CLIENTS_CONNECT, then SPEAKING of whoever is speaking).
     */
    void enterRoom(final Admission a)
    {
        final VoiceMember m = a.member;
        if (m == null || m.room() != null)
        {
            return;
        }
        final Room room = rooms.computeIfAbsent(a.channelId, id -> new Room(a.guildId, id));
        final List<String> others = new ArrayList<>();
        for (final VoiceMember o : room.members())
        {
            others.add(Long.toString(o.userId()));
            final Admission oa = admissions.get(new Key(o.guildId(), o.userId()));
            if (oa != null && oa.member == o)
            {
                final ObjectNode d = VoiceConnection.object();
                d.putArray("user_ids").add(Long.toString(m.userId()));
                deliver(oa, VoiceOpcodes.CLIENTS_CONNECT, d);
            }
        }
        room.add(m);
        if (!others.isEmpty())
        {
            final ObjectNode d = VoiceConnection.object();
            final var arr = d.putArray("user_ids");
            others.forEach(arr::add);
            deliver(a, VoiceOpcodes.CLIENTS_CONNECT, d);
            for (final VoiceMember o : room.members())
            {
                if (o != m && o.speaking() != 0)
                {
                    deliver(a, VoiceOpcodes.SPEAKING, speaking(o));
                }
            }
        }
    }

    private void leaveRoom(final VoiceMember m)
    {
        final Room room = m.room();
        if (room == null || !room.remove(m))
        {
            return;
        }
        m.room(null);
        for (final VoiceMember o : room.members())
        {
            final Admission oa = admissions.get(new Key(o.guildId(), o.userId()));
            if (oa != null && oa.member == o)
            {
                final ObjectNode d = VoiceConnection.object();
                d.put("user_id", Long.toString(m.userId()));
                deliver(oa, VoiceOpcodes.CLIENT_DISCONNECT, d);
            }
        }
        if (room.members().length == 0)
        {
            rooms.remove(room.channelId());
        }
    }

    private void dropMember(final Admission a)
    {
        final VoiceMember m = a.member;
        if (m != null)
        {
            a.member = null;
            media.ssrcs().remove(m);
            leaveRoom(m);
        }
    }

    static ObjectNode speaking(final VoiceMember m)
    {
        final ObjectNode d = VoiceConnection.object();
        d.put("user_id", Long.toString(m.userId()));
        d.put("ssrc", m.ssrc());
        d.put("speaking", m.speaking());
        return d;
    }

    /** Relays a member's op 5 to the other members of its room. */
    void relaySpeaking(final VoiceMember m)
    {
        final Room room = m.room();
        if (room == null)
        {
            return;
        }
        final ObjectNode d = speaking(m);
        for (final VoiceMember o : room.members())
        {
            if (o == m)
            {
                continue;
            }
            final Admission oa = admissions.get(new Key(o.guildId(), o.userId()));
            if (oa != null && oa.member == o)
            {
                deliver(oa, VoiceOpcodes.SPEAKING, d.deepCopy());
            }
        }
    }

    void opened(final VoiceConnection c)
    {
        connections.add(c);
    }

    /** The WebSocket of {@code c} is gone: keep its member for the resume window, then drop it. */
    void closed(final VoiceConnection c)
    {
        connections.remove(c);
        final Admission a = c.admission();
        if (a != null && a.connection == c)
        {
            a.connection = null;
            final long at = System.nanoTime();
            a.detachedAtNanos = at;
            loop.schedule(() ->
            {
                if (a.connection == null && a.detachedAtNanos == at)
                {
                    dropMember(a);
                }
            }, ctx.resumeWindowMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void tick()
    {
        final long now = System.nanoTime();
        for (final VoiceConnection c : new ArrayList<>(connections))
        {
            c.tick(now);
        }
    }

    /**
     * @return live voice gateway connections (control loop only).
     */
    int connectionCount()
    {
        return connections.size();
    }

    /** Closes every connection (shutdown). */
    void closeAll()
    {
        for (final VoiceConnection c : new ArrayList<>(connections))
        {
            c.close(VoiceCloseCodes.SERVER_CRASHED, "Voice server shutting down.");
        }
    }
}
