package dev.pinwheel.benchmarks.voice;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.pinwheel.voicesfu.crypto.AeadMode;
import dev.pinwheel.voicesfu.media.Forwarder;
import dev.pinwheel.voicesfu.media.MediaCounters;
import dev.pinwheel.voicesfu.media.PacketSink;
import dev.pinwheel.voicesfu.media.Room;
import dev.pinwheel.voicesfu.media.SsrcTable;
import dev.pinwheel.voicesfu.media.VoiceMember;

/**
 * The SFU's forward path without sockets: one 20 ms Opus packet (120 bytes of Opus, a typical 48 kbit/s
 * frame) authenticated and decrypted once with the sender's key, re-encrypted for each of {@code receivers}
 * members with their keys and nonces, handed to a counting sink. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardPathBenchmark
{
    private static final int PACKETS = 1 << 12;

    @Param({"AEAD_AES256_GCM_RTPSIZE", "AEAD_XCHACHA20_POLY1305_RTPSIZE"})
    public AeadMode mode;

    @Param({"1", "4", "16"})
    public int receivers;

    private Forwarder forwarder;
    private VoiceMember sender;
    private InetSocketAddress from;
    private byte[][] packets;
    private int[] lengths;
    private int next;
    private long sent;
    private final PacketSink sink = (buf, len, to) ->
    {
        sent += len;
        return true;
    };

    @Setup(Level.Trial)
    public void setUp()
    {
        final SsrcTable ssrcs = new SsrcTable();
        final Room room = new Room(1, 1);
        from = new InetSocketAddress("127.0.0.1", 40000);
        sender = new VoiceMember(1, 1, 1000, 0);
        final byte[] key = new byte[32];
        key[0] = 1;
        sender.key(mode, key, 1);
        sender.address(from);
        sender.speaking(1);
        room.add(sender);
        ssrcs.put(sender);
        for (int i = 0; i < receivers; i++)
        {
            final VoiceMember r = new VoiceMember(1, 2 + i, 2000 + i, 0);
            final byte[] rk = new byte[32];
            rk[0] = (byte)(2 + i);
            r.key(mode, rk, 1);
            r.address(new InetSocketAddress("127.0.0.1", 41000 + i));
            room.add(r);
            ssrcs.put(r);
        }
        forwarder = new Forwarder(0, 1, ssrcs, new MediaCounters(1));
        packets = new byte[PACKETS][];
        lengths = new int[PACKETS];
        final byte[] opus = new byte[120];
        for (int i = 0; i < opus.length; i++)
        {
            opus[i] = (byte)(i * 13);
        }
        for (int i = 0; i < PACKETS; i++)
        {
            final byte[] header = {(byte)0x80, 0x78, (byte)(i >>> 8), (byte)i, 0, 0, 0, 0, 0, 0, 0x03, (byte)0xE8};
            packets[i] = new byte[header.length + opus.length + 20];
            lengths[i] = mode.newCipher(key).seal(header, 0, header.length, opus, 0, opus.length, i + 1, packets[i], 0);
        }
    }

    @Benchmark
    public int forward()
    {
        final int i = next;
        next = (i + 1) & (PACKETS - 1);
        if (i == 0)
        {
            sender.resetReplayWindow();
        }
        return forwarder.onRtp(packets[i], lengths[i], from, sink);
    }
}
