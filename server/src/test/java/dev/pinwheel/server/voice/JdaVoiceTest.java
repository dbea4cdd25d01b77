package dev.pinwheel.server.voice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import com.neovisionaries.ws.client.WebSocketFactory;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.audio.AudioReceiveHandler;
import net.dv8tion.jda.api.audio.AudioSendHandler;
import net.dv8tion.jda.api.audio.OpusPacket;
import net.dv8tion.jda.api.audio.SpeakingMode;
import net.dv8tion.jda.api.audio.hooks.ConnectionListener;
import net.dv8tion.jda.api.audio.hooks.ConnectionStatus;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.UserSnowflake;
import net.dv8tion.jda.api.entities.channel.concrete.VoiceChannel;
import net.dv8tion.jda.api.managers.AudioManager;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.voicesfu.media.MediaCounter;
import dev.pinwheel.voicesfu.media.MediaCounters;

/**
 * Two unmodified JDA 6 bots in one voice channel over the real voice gateway (wss, self-signed certificate
 * trusted through JDA's WebSocketFactory) and UDP: A sends numbered pre-encoded Opus frames
 * ({@code isOpus()}), B receives them undecoded ({@code canReceiveEncoded()}) byte for byte and in order,
 * mapped to A by the relayed SPEAKING. No native Opus library is on the class path (opus-java is excluded).
 * Then: a server-deafened receiver gets nothing, a server-muted sender is not forwarded.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JdaVoiceTest
{
    private static final int SEQUENCE = 50;
    private static final byte PREAMBLE = 1;
    private static final byte PAYLOAD = 2;
    private static final byte FILLER = 3;

    @Test
    void aesGcmEndToEndWithDeafenAndMute() throws Exception
    {
        run("aead_aes256_gcm_rtpsize", true);
    }

    @Test
    void xchachaEndToEnd() throws Exception
    {
        run("aead_xchacha20_poly1305_rtpsize", false);
    }

    private static void run(final String mode, final boolean moderation) throws Exception
    {
        try (VoiceNode node = new VoiceNode(mode))
        {
            final TestNode.User alice = node.register("alice");
            final TestNode.User bob = node.register("bob");
            final String[] ids = node.guildWithVoice(alice, bob);
            JDA a = null;
            JDA b = null;
            try
            {
                a = start(node, alice.token());
                b = start(node, bob.token());
                final Guild ga = a.getGuildById(ids[0]);
                final Guild gb = b.getGuildById(ids[0]);
                assertNotNull(ga);
                assertNotNull(gb);
                final VoiceChannel va = ga.getVoiceChannelById(ids[2]);
                final VoiceChannel vb = gb.getVoiceChannelById(ids[2]);
                assertNotNull(va, "voice channel in A's cache");
                assertEquals(64000, va.getBitrate());

                final Sender sender = new Sender();
                final Receiver receiver = new Receiver();
                final Speaking speaking = new Speaking();
                final AudioManager am = ga.getAudioManager();
                am.setSendingHandler(sender);
                final AudioManager bm = gb.getAudioManager();
                bm.setReceivingHandler(receiver);
                bm.setConnectionListener(speaking);
                bm.openAudioConnection(vb);
                await(() -> bm.getConnectionStatus() == ConnectionStatus.CONNECTED, 20, "B connected");
                am.openAudioConnection(va);
                await(() -> am.getConnectionStatus() == ConnectionStatus.CONNECTED, 20, "A connected");

                // Preamble until B demonstrably receives A (SPEAKING mapped, forwarding works), then the sequence.
                await(() -> receiver.count(PREAMBLE) > 0, 20, "B receives A's preamble");
                sender.phase.set(PAYLOAD);
                await(() -> receiver.count(FILLER) > 3, 20, "B receives the whole sequence");
                final List<byte[]> got = receiver.payloads();
                assertEquals(SEQUENCE, got.size(), "every frame of the sequence, once");
                for (int i = 0; i < SEQUENCE; i++)
                {
                    assertArrayEquals(frame(PAYLOAD, i), got.get(i), "frame " + i + " intact and in order");
                }
                assertEquals(a.getSelfUser().getIdLong(), receiver.userId, "OpusPacket maps to A");
                assertEquals(a.getSelfUser().getIdLong(), speaking.users.keySet().iterator().next(),
                    "SPEAKING maps A's SSRC to A");

                final MediaCounters counters = node.server().voice().counters();
                assertTrue(counters.get(MediaCounter.FORWARDED) >= SEQUENCE);
                if (!moderation)
                {
                    return;
                }
                // Server deafen B: B's stream stops.
                final long skipped = counters.get(MediaCounter.SKIPPED_DEAFENED);
                ga.deafen(ga.retrieveMemberById(bob.id()).complete(), true).complete();
                await(() -> counters.get(MediaCounter.SKIPPED_DEAFENED) > skipped, 10, "deafened receiver skipped");
                assertNothingArrives(receiver);
                // deafen(false) below reads B's voice state in A's own cache and sends nothing when it already shows
                // B undeafened: A must have had the VOICE_STATE_UPDATE of the deafen first (the server's counter and
                // the silence at B say nothing of when A's connection delivers it).
                await(() -> ga.getVoiceStates().stream().anyMatch(v -> v.getIdLong() == Long.parseLong(bob.id())
                    && v.isGuildDeafened()), 10, "A's cache shows B deafened");
                ga.deafen(ga.retrieveMemberById(bob.id()).complete(), false).complete();
                final int before = receiver.total();
                await(() -> receiver.total() > before + 3, 10, "undeafened receiver hears again");

                // Server mute A: A's packets are not forwarded.
                final long muted = counters.get(MediaCounter.DROPPED_MUTED);
                ga.mute(ga.getSelfMember(), true).complete();
                await(() -> counters.get(MediaCounter.DROPPED_MUTED) > muted, 10, "muted sender dropped");
                assertNothingArrives(receiver);
            }
            finally
            {
                stop(a);
                stop(b);
            }
        }
    }

    private static void assertNothingArrives(final Receiver receiver) throws InterruptedException
    {
        Thread.sleep(150); // packets forwarded before the change are still in flight on loopback
        final int mark = receiver.total();
        Thread.sleep(1_000);
        assertEquals(mark, receiver.total(), "no audio while deafened / muted");
    }

    static byte[] frame(final byte kind, final int index)
    {
        final byte[] f = new byte[44];
        f[0] = (byte)0xFC; // Opus TOC: CELT FB 20 ms, stereo, one frame (never decoded by anyone)
        f[1] = kind;
        f[2] = (byte)(index >>> 8);
        f[3] = (byte)index;
        for (int i = 4; i < f.length; i++)
        {
            f[i] = (byte)(index * 31 + i * 7);
        }
        return f;
    }

    /** A: preamble frames, then the numbered sequence, then filler — always something to send. */
    static final class Sender implements AudioSendHandler
    {
        final AtomicInteger phase = new AtomicInteger(PREAMBLE);
        private int next;
        private int filler;

        @Override
        public boolean canProvide()
        {
            return true;
        }

        @Override
        public ByteBuffer provide20MsAudio()
        {
            if (phase.get() == PAYLOAD)
            {
                final byte[] f = frame(PAYLOAD, next++);
                if (next == SEQUENCE)
                {
                    phase.set(FILLER);
                }
                return ByteBuffer.wrap(f);
            }
            return ByteBuffer.wrap(frame((byte)phase.get(), filler++));
        }

        @Override
        public boolean isOpus()
        {
            return true;
        }
    }

    /** B: records undecoded Opus frames. */
    static final class Receiver implements AudioReceiveHandler
    {
        private final List<byte[]> frames = new CopyOnWriteArrayList<>();
        volatile long userId;

        @Override
        public boolean canReceiveEncoded()
        {
            return true;
        }

        @Override
        public void handleEncodedAudio(final OpusPacket packet)
        {
            userId = packet.getUserId();
            frames.add(packet.getOpusAudio());
        }

        int count(final byte kind)
        {
            int n = 0;
            for (final byte[] f : frames)
            {
                if (f.length > 1 && f[1] == kind)
                {
                    n++;
                }
            }
            return n;
        }

        int total()
        {
            return frames.size();
        }

        List<byte[]> payloads()
        {
            final List<byte[]> out = new ArrayList<>();
            for (final byte[] f : frames)
            {
                if (f.length > 1 && f[1] == PAYLOAD)
                {
                    out.add(f);
                }
            }
            return out;
        }
    }

    /** B: speaking updates from the voice gateway. */
    static final class Speaking implements ConnectionListener
    {
        final ConcurrentHashMap<Long, EnumSet<SpeakingMode>> users = new ConcurrentHashMap<>();

        @Override
        public void onUserSpeakingModeUpdate(final UserSnowflake user, final EnumSet<SpeakingMode> modes)
        {
            users.put(user.getIdLong(), modes);
        }
    }

    private static JDA start(final VoiceNode node, final String token) throws InterruptedException
    {
        final String gateway = node.gatewayUrl();
        final JDA jda = JDABuilder.createDefault(token, EnumSet.of(GatewayIntent.GUILD_MESSAGES,
                GatewayIntent.GUILD_MEMBERS, GatewayIntent.GUILD_VOICE_STATES))
            .setRestConfig(new RestConfig().setBaseUrl(node.restBase()))
            .setWebsocketFactory(new WebSocketFactory().setSSLContext(VoiceNode.trustingVoiceCertificate()))
            .setSessionController(new SessionControllerAdapter()
            {
                @Override
                public String getGateway()
                {
                    return gateway;
                }
            })
            .build();
        jda.awaitReady();
        return jda;
    }

    private static void stop(final JDA jda) throws InterruptedException
    {
        if (jda != null)
        {
            jda.shutdownNow();
            jda.awaitShutdown(java.time.Duration.ofSeconds(10));
        }
    }

    static void await(final BooleanSupplier condition, final int seconds, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
