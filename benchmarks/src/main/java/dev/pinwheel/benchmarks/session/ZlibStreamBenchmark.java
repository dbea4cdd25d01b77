package dev.pinwheel.benchmarks.session;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.pinwheel.benchmarks.fanout.MessageCreateSample;
import dev.pinwheel.gateway.session.ZlibStream;

/**
 * zlib-stream's cost per frame on a shard thread, fanout-style: each op deflates the next MESSAGE_CREATE (the
 * server's own bytes, about 700 B, content and sequence varying) for the next of {@code streams} connections in turn,
 * so consecutive frames belong to different connections, as in a guild's fanout. Every connection first got a READY-
 * and GUILD_CREATE-sized payload. {@code impl}:
 * <ul>
 *   <li>{@code jdk}: one {@link Deflater} per connection (before issue 14: ≈ 256 KiB of native zlib state each);</li>
 *   <li>{@code history-N}: {@link ZlibStream} with N bytes of history (the thread's one raw deflater, reset and
 *   given the connection's last N bytes as its dictionary before each frame of another connection).</li>
 * </ul>
 * The trial's end prints compressed bytes per payload byte over one pass of the payloads (lower is better) and the
 * history each connection keeps on the heap (the JDK's native state is not counted there).
 * <pre>
 *   flock /tmp/jmh.lock benchmarks/run.sh jmh ZlibStreamBenchmark -f 1 -wi 3 -i 5 -w 2s -r 3s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ZlibStreamBenchmark
{
    /** Implementation, see the class comment. */
    @Param({"jdk", "history-0", "history-512", "history-1024", "history-2048", "history-4096", "history-32768"})
    public String impl;

    /** Connections the frames rotate over. */
    @Param({"64"})
    public int streams;

    private static final int PAYLOADS = 8192;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private byte[][] payloads;
    private Deflater[] jdk;
    private ZlibStream[] zlib;
    private int next;
    private int payload;

    private final Ratio measured = new Ratio();

    /** Bytes in and out, for the ratio. */
    static final class Ratio
    {
        private long in;
        private long out;

        double outPerIn()
        {
            return in == 0 ? 0 : out / (double)in;
        }
    }

    /** Builds the frames and opens every connection's stream with READY- and GUILD_CREATE-sized payloads. */
    @Setup(Level.Trial)
    public void setUp()
    {
        payloads = new byte[PAYLOADS][];
        final byte[] d = MessageCreateSample.of(1_234_567_890_123L, "CONTENT").dispatch().data();
        final String body = new String(d, StandardCharsets.UTF_8);
        final SplittableRandom random = new SplittableRandom(14);
        final String[] words = ("the a to of and in is it you that he was for on are with as I his they be at one have "
            + "this from or had by hot word but what some we can out other were all there when up use your how said an "
            + "each she which do their time if will way about many then them write would like so these her long make "
            + "thing see him two has look more day could go come did number sound no most people my over know water "
            + "than call first who may down side been now find raid tonight gg lol anyone patch server voice")
            .split(" ");
        for (int i = 0; i < PAYLOADS; i++)
        {
            // every frame its own text, message id and timestamp (channel, guild and author stay, as in one channel)
            final StringBuilder text = new StringBuilder();
            for (int w = 2 + random.nextInt(i % 5 == 0 ? 40 : 12); w > 0; w--)
            {
                text.append(words[random.nextInt(words.length)]).append(w > 1 ? " " : "");
            }
            final String ids = body.replaceFirst("\"(\\d{6,})\"", "\"" + (1_100_000_000_000_000_000L
                + random.nextLong(100_000_000_000_000_000L)) + "\"")
                .replaceAll("\\.\\d{3}", "." + (100 + random.nextInt(900)));
            payloads[i] = ("{\"t\":\"MESSAGE_CREATE\",\"s\":" + (10 + i) + ",\"op\":0,\"d\":"
                + ids.replace("CONTENT", text) + "}").getBytes(StandardCharsets.UTF_8);
        }
        final StringBuilder guild = new StringBuilder("{\"t\":\"GUILD_CREATE\",\"s\":2,\"op\":0,\"d\":{\"members\":[");
        for (int i = 0; i < 12; i++)
        {
            guild.append(i == 0 ? "" : ",").append(body.replace("CONTENT", "member " + i));
        }
        final byte[] guildCreate = guild.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
        final byte[] ready = ("{\"t\":\"READY\",\"s\":1,\"op\":0,\"d\":{\"v\":10,\"user\":" + body + ",\"guilds\":[{"
            + "\"id\":\"1234567890123\",\"unavailable\":true}],\"session_id\":\"0123456789abcdef\"}}")
            .getBytes(StandardCharsets.UTF_8);
        if ("jdk".equals(impl))
        {
            jdk = new Deflater[streams];
        }
        else if (impl.startsWith("history-"))
        {
            zlib = new ZlibStream[streams];
        }
        else
        {
            throw new IllegalArgumentException("impl " + impl);
        }
        final Ratio none = new Ratio();
        for (int s = 0; s < streams; s++)
        {
            if (jdk != null)
            {
                jdk[s] = new Deflater(6, false);
            }
            else
            {
                zlib[s] = new ZlibStream(Integer.parseInt(impl.substring("history-".length())));
            }
            deflate(s, ready, none);
            deflate(s, guildCreate, none);
        }
    }

    /** Ends the JDK deflaters and prints the ratio over a whole pass of the payloads. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        final Ratio r = new Ratio();
        for (int i = 0; i < 1024; i++)
        {
            deflate(i % streams, payloads[(payload + i) % PAYLOADS], r);
        }
        long heap = 0;
        for (int s = 0; zlib != null && s < streams; s++)
        {
            heap += zlib[s].historyLength();
        }
        System.out.printf(Locale.ROOT, "%n%s: %.3f compressed bytes per payload byte, %.0f B of history per stream%n",
            impl, r.outPerIn(), heap / (double)streams);
        if (jdk != null)
        {
            for (final Deflater x : jdk)
            {
                x.end();
            }
        }
    }

    /**
     * @return compressed bytes of the frame.
     */
    @Benchmark
    public int deflateNextFrame()
    {
        final Ratio r = measured;
        final int s = next;
        next = s + 1 == streams ? 0 : s + 1;
        final byte[] p = payloads[payload];
        payload = payload + 1 == PAYLOADS ? 0 : payload + 1;
        return deflate(s, p, r);
    }

    private int deflate(final int s, final byte[] p, final Ratio r)
    {
        final ByteBuf out;
        if (jdk != null)
        {
            out = alloc.buffer(Math.max(64, p.length / 2));
            final Deflater d = jdk[s];
            d.setInput(p);
            while (true)
            {
                final int room = out.writableBytes();
                final int n = d.deflate(out.nioBuffer(out.writerIndex(), room), Deflater.SYNC_FLUSH);
                out.writerIndex(out.writerIndex() + n);
                if (n < room)
                {
                    break;
                }
                out.ensureWritable(out.capacity());
            }
        }
        else
        {
            out = zlib[s].deflate(alloc, p, 0, p.length);
        }
        final int n = out.readableBytes();
        out.release();
        r.in += p.length;
        r.out += n;
        return n;
    }
}
