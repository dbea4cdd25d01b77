package dev.pinwheel.benchmarks.voice;

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
import dev.pinwheel.voicesfu.crypto.RtpSizeCipher;

/**
 * The crypto of one forwarded voice packet, Pinwheel's AEAD code vs the JDK's AEAD ciphers in the same run:
 * open a 120-byte Opus packet once with the sender's key, seal it for {@code receivers} receivers with their
 * keys and fresh nonces. {@code impl=pinwheel} is what the media plane runs; {@code impl=jdk} is the textbook
 * per-packet {@code Cipher.init} ({@link JceBaselineCiphers}). Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AeadBenchmark
{
    @Param({"AEAD_AES256_GCM_RTPSIZE", "AEAD_XCHACHA20_POLY1305_RTPSIZE"})
    public AeadMode mode;

    @Param({"pinwheel", "jdk"})
    public String impl;

    @Param({"1", "16"})
    public int receivers;

    private RtpSizeCipher open;
    private RtpSizeCipher[] seal;
    private final byte[] header = {(byte)0x80, 0x78, 0, 1, 0, 0, 0, 0, 0, 0, 0x03, (byte)0xE8};
    private final byte[] packet = new byte[256];
    private final byte[] plain = new byte[256];
    private final byte[] out = new byte[256];
    private int length;
    private int nonce;

    @Setup(Level.Trial)
    public void setUp()
    {
        final byte[] key = new byte[32];
        key[0] = 1;
        final boolean own = "pinwheel".equals(impl);
        open = own ? mode.newCipher(key) : JceBaselineCiphers.of(mode, key);
        seal = new RtpSizeCipher[receivers];
        for (int i = 0; i < receivers; i++)
        {
            final byte[] rk = new byte[32];
            rk[0] = (byte)(2 + i);
            seal[i] = own ? mode.newCipher(rk) : JceBaselineCiphers.of(mode, rk);
        }
        final byte[] opus = new byte[120];
        for (int i = 0; i < opus.length; i++)
        {
            opus[i] = (byte)(i * 13);
        }
        length = mode.newCipher(key).seal(header, 0, header.length, opus, 0, opus.length, 42, packet, 0);
    }

    @Benchmark
    public int forwardCrypto()
    {
        final int n = open.open(packet, 0, header.length, length, plain, 0);
        int total = 0;
        final int next = ++nonce;
        for (final RtpSizeCipher s : seal)
        {
            total += s.seal(packet, 0, header.length, plain, 0, n, next, out, 0);
        }
        return total;
    }
}
