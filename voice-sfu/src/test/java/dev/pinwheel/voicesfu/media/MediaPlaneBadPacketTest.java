package dev.pinwheel.voicesfu.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.voice.VoiceAdmission;
import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.voicesfu.crypto.AeadMode;
import dev.pinwheel.voicesfu.crypto.RtpSizeCipher;
import dev.pinwheel.voicesfu.protocol.IpDiscoveryFlyweight;

/**
 * Raw UDP against a real media plane (two loops on one SO_REUSEPORT port): IP discovery, a forwarded packet
 * re-encrypted for the receiver, and every hostile packet — forged tag, foreign SSRC, replayed nonce,
 * truncated, oversized, unknown SSRC, late discovery — dropped and counted, never forwarded, loop alive.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MediaPlaneBadPacketTest
{
    private static final byte[] KEY_A = key(1);
    private static final byte[] KEY_B = key(2);
    private MediaPlane plane;
    private DatagramSocket a;
    private DatagramSocket b;
    private VoiceMember ma;
    private VoiceMember mb;
    private InetSocketAddress server;
    private int nonce = 100;

    private static byte[] key(final int seed)
    {
        final byte[] k = new byte[32];
        Arrays.fill(k, (byte)seed);
        return k;
    }

    @BeforeEach
    void setUp() throws IOException
    {
        plane = new MediaPlane("127.0.0.1", 0, 2, ThreadPlacement.unpinned(), IdleMode.BLOCK);
        server = new InetSocketAddress("127.0.0.1", plane.port());
        a = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        b = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        a.setSoTimeout(2000);
        b.setSoTimeout(2000);
        final Room room = new Room(1, 2);
        ma = new VoiceMember(1, 10, 1111, 0);
        mb = new VoiceMember(1, 20, 2222, 0);
        room.add(ma);
        room.add(mb);
        plane.ssrcs().put(ma);
        plane.ssrcs().put(mb);
        assertEquals("127.0.0.1:" + a.getLocalPort(), discover(a, 1111));
        assertEquals("127.0.0.1:" + b.getLocalPort(), discover(b, 2222));
        ma.key(AeadMode.AEAD_AES256_GCM_RTPSIZE, KEY_A, plane.loopCount());
        mb.key(AeadMode.AEAD_AES256_GCM_RTPSIZE, KEY_B, plane.loopCount());
        ma.speaking(1);
    }

    @AfterEach
    void tearDown()
    {
        a.close();
        b.close();
        plane.close();
    }

    private String discover(final DatagramSocket s, final int ssrc) throws IOException
    {
        final byte[] req = new byte[IpDiscoveryFlyweight.LENGTH];
        IpDiscoveryFlyweight.write(req, 0, IpDiscoveryFlyweight.TYPE_REQUEST, ssrc, null, 0);
        s.send(new DatagramPacket(req, req.length, server));
        final byte[] res = new byte[100];
        final DatagramPacket p = new DatagramPacket(res, res.length);
        s.receive(p);
        assertEquals(IpDiscoveryFlyweight.LENGTH, p.getLength());
        assertEquals(ssrc, IpDiscoveryFlyweight.ssrc(res, 0));
        return IpDiscoveryFlyweight.address(res, 0) + ":" + IpDiscoveryFlyweight.port(res, 0);
    }

    private byte[] packet(final int ssrc, final byte[] key, final int n, final byte[] opus)
    {
        final byte[] header = {(byte)0x80, 0x78, 0, 7, 0, 0, 3, (byte)0xC0, (byte)(ssrc >>> 24), (byte)(ssrc >>> 16),
            (byte)(ssrc >>> 8), (byte)ssrc};
        final byte[] out = new byte[header.length + opus.length + 20];
        final int len = AeadMode.AEAD_AES256_GCM_RTPSIZE.newCipher(key).seal(header, 0, header.length, opus, 0,
            opus.length, n, out, 0);
        return Arrays.copyOf(out, len);
    }

    private byte[] receiveAtB() throws IOException
    {
        final byte[] buf = new byte[2048];
        final DatagramPacket p = new DatagramPacket(buf, buf.length);
        try
        {
            b.receive(p);
        }
        catch (final SocketTimeoutException ex)
        {
            return null;
        }
        final byte[] out = new byte[2048];
        final int n = AeadMode.AEAD_AES256_GCM_RTPSIZE.newCipher(KEY_B).open(buf, 0, 12, p.getLength(), out, 0);
        assertTrue(n >= 0, "receiver can open the re-encrypted packet with its own key");
        return Arrays.copyOf(out, n);
    }

    private void send(final DatagramSocket s, final byte[] p) throws IOException
    {
        s.send(new DatagramPacket(p, p.length, server));
    }

    private void awaitCounter(final MediaCounter c, final long atLeast) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (plane.counters().get(c) < atLeast)
        {
            assertTrue(System.nanoTime() < deadline, "counter " + c + " did not reach " + atLeast);
            Thread.sleep(5);
        }
    }

    @Test
    void forwardsReencryptedAndDropsEveryHostilePacket() throws Exception
    {
        final byte[] opus = {(byte)0xFC, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        final byte[] good = packet(1111, KEY_A, nonce++, opus);
        send(a, good);
        assertArrayEquals(opus, receiveAtB(), "forwarded, re-encrypted with B's key");
        awaitCounter(MediaCounter.FORWARDED, 1); // the loop counts after the send: wait, don't race it
        assertEquals(1, plane.counters().get(MediaCounter.FORWARDED));

        b.setSoTimeout(300);
        // replayed nonce
        send(a, good);
        awaitCounter(MediaCounter.DROPPED_REPLAY, 1);
        // forged tag
        final byte[] forged = packet(1111, KEY_A, nonce++, opus);
        forged[forged.length - 6] ^= 0x40;
        send(a, forged);
        awaitCounter(MediaCounter.DROPPED_AUTH_FAILED, 1);
        // encrypted with someone else's key
        send(a, packet(1111, KEY_B, nonce++, opus));
        awaitCounter(MediaCounter.DROPPED_AUTH_FAILED, 2);
        // claims B's SSRC from A's socket
        send(a, packet(2222, KEY_B, nonce++, opus));
        awaitCounter(MediaCounter.DROPPED_WRONG_SOURCE, 1);
        // unknown SSRC
        send(a, packet(3333, KEY_A, nonce++, opus));
        awaitCounter(MediaCounter.DROPPED_UNKNOWN_SSRC, 1);
        // truncated: RTP header and less than tag + nonce
        send(a, Arrays.copyOf(packet(1111, KEY_A, nonce++, opus), 20));
        awaitCounter(MediaCounter.DROPPED_TRUNCATED, 1);
        // header claims 15 CSRCs beyond the datagram
        final byte[] csrc = packet(1111, KEY_A, nonce++, opus);
        csrc[0] = (byte)0x8F;
        send(a, Arrays.copyOf(csrc, 40));
        awaitCounter(MediaCounter.DROPPED_TRUNCATED, 2);
        // oversized
        final byte[] big = new byte[1600];
        System.arraycopy(good, 0, big, 0, 12);
        send(a, big);
        awaitCounter(MediaCounter.DROPPED_OVERSIZED, 1);
        // keepalive (JDA: 9 bytes starting 0xC9) and garbage
        send(a, new byte[] {(byte)0xC9, 0, 0, 0, 0, 0, 0, 0, 1});
        awaitCounter(MediaCounter.KEEPALIVE, 1);
        send(a, new byte[40]);
        awaitCounter(MediaCounter.DROPPED_MALFORMED, 1);
        // a third party re-discovering A's SSRC after the key was issued cannot redirect A's stream
        try (DatagramSocket evil = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            final byte[] req = new byte[IpDiscoveryFlyweight.LENGTH];
            IpDiscoveryFlyweight.write(req, 0, IpDiscoveryFlyweight.TYPE_REQUEST, 1111, null, 0);
            evil.send(new DatagramPacket(req, req.length, server));
            awaitCounter(MediaCounter.DISCOVERY_REFUSED, 1);
        }
        assertNull(receiveAtB(), "nothing hostile was forwarded");
        assertEquals(1, plane.counters().get(MediaCounter.FORWARDED));

        // muted sender, deafened receiver, silent sender
        ma.flags(VoiceAdmission.MUTE);
        send(a, packet(1111, KEY_A, nonce++, opus));
        awaitCounter(MediaCounter.DROPPED_MUTED, 1);
        ma.flags(0);
        mb.flags(VoiceAdmission.SELF_DEAF);
        send(a, packet(1111, KEY_A, nonce++, opus));
        awaitCounter(MediaCounter.SKIPPED_DEAFENED, 1);
        mb.flags(0);
        ma.speaking(0);
        send(a, packet(1111, KEY_A, nonce++, opus));
        awaitCounter(MediaCounter.DROPPED_NOT_SPEAKING, 1);
        assertNull(receiveAtB());
        ma.speaking(1);

        // the loop is still healthy: an in-window late packet and a fresh one both go through, in-window replay not
        b.setSoTimeout(2000);
        final int late = nonce - 5;
        send(a, packet(1111, KEY_A, nonce++, opus));
        assertArrayEquals(opus, receiveAtB());
        send(a, packet(1111, KEY_A, late, opus));
        assertArrayEquals(opus, receiveAtB(), "reordered within the window is accepted once");
        send(a, packet(1111, KEY_A, late, opus));
        awaitCounter(MediaCounter.DROPPED_REPLAY, 2);
        assertEquals(3, plane.counters().get(MediaCounter.FORWARDED));
        assertEquals(InetAddress.getByName("127.0.0.1"), ma.address().getAddress());
    }

    @Test
    void replayWindow()
    {
        final VoiceMember m = new VoiceMember(1, 1, 1, 0);
        assertTrue(m.fresh(5));
        m.accept(5);
        assertTrue(!m.fresh(5));
        assertTrue(m.fresh(4));
        m.accept(100);
        assertTrue(!m.fresh(5), "older than the window");
        assertTrue(m.fresh(99));
        m.accept(99);
        assertTrue(!m.fresh(99));
        assertEquals(RtpSizeCipher.FAILED, -1);
    }
}
