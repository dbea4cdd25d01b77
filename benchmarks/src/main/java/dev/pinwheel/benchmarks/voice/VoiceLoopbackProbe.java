package dev.pinwheel.benchmarks.voice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.voicesfu.crypto.AeadMode;
import dev.pinwheel.voicesfu.crypto.RtpSizeCipher;
import dev.pinwheel.voicesfu.media.MediaCounter;
import dev.pinwheel.voicesfu.media.MediaPlane;
import dev.pinwheel.voicesfu.media.Room;
import dev.pinwheel.voicesfu.media.VoiceMember;

/**
 * Loopback probe of the media plane: R rooms × M members, each member a UDP socket sending one encrypted
 * 120-byte Opus packet every 20 ms (50 packets/s); every packet goes to the M-1 others of its room. The same
 * client harness (same encryption on send, same authentication on receive) runs against
 * <ol>
 *   <li>a plain Java UDP forwarder without crypto (one thread, blocking receive, same fan-out), and</li>
 *   <li>Pinwheel's {@link MediaPlane} (decrypt once, re-encrypt per receiver),</li>
 * </ol>
 * first paced, both at once with their packets interleaved so that whatever else the box does hits both alike
 * (latency: one-way send → receive, p50/p99/p99.9; "added" = SFU − plain), then unpaced, one at a time
 * (ceiling: delivered packets/s; the SFU as a ratio of the plain forwarder = the box's raw loopback ceiling).
 * Also reports the bytes the SFU's media threads allocate per received packet.
 * <pre>
 * java -cp benchmarks/target/pinwheel-benchmarks.jar dev.pinwheel.benchmarks.voice.VoiceLoopbackProbe \
 *      [rooms=10] [members=5] [seconds=10] [mode=aead_aes256_gcm_rtpsize] [loops=1]
 * </pre>
 */
public final class VoiceLoopbackProbe
{
    private static final int OPUS = 120;

    private VoiceLoopbackProbe()
    {
    }

    /** One probe client. */
    private static final class Client
    {
        final int room;
        final int index;
        /** 0: plain forwarder's client (packets arrive with the sender's seal), 1: the SFU's (re-sealed). */
        final int group;
        final int ssrc;
        final byte[] key = new byte[32];
        final DatagramChannel ch;
        final RtpSizeCipher seal;
        final RtpSizeCipher open;
        final InetSocketAddress address;
        int nonce = 1;
        char seq;

        Client(final int room, final int index, final int ssrc, final AeadMode mode, final int group)
            throws IOException
        {
            this.group = group;
            this.room = room;
            this.index = index;
            this.ssrc = ssrc;
            key[0] = (byte)ssrc;
            key[1] = (byte)(ssrc >>> 8);
            seal = mode.newCipher(key);
            open = mode.newCipher(key);
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            ch.configureBlocking(false);
            address = (InetSocketAddress)ch.getLocalAddress();
        }
    }

    /** Plain forwarder: the ceiling of this box for the same fan-out without crypto. */
    private static final class PlainForwarder implements Runnable
    {
        final DatagramChannel ch;
        final java.util.HashMap<Integer, Client> bySsrc = new java.util.HashMap<>();
        final Client[][] rooms;
        final AtomicBoolean running = new AtomicBoolean(true);

        PlainForwarder(final Client[][] rooms) throws IOException
        {
            this.rooms = rooms;
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            for (final Client[] r : rooms)
            {
                for (final Client c : r)
                {
                    bySsrc.put(c.ssrc, c);
                }
            }
        }

        @Override
        public void run()
        {
            final ByteBuffer buf = ByteBuffer.allocateDirect(2048);
            try
            {
                while (running.get())
                {
                    buf.clear();
                    ch.receive(buf);
                    buf.flip();
                    final Client from = bySsrc.get(buf.getInt(8));
                    if (from == null)
                    {
                        continue;
                    }
                    for (final Client to : rooms[from.room])
                    {
                        if (to != from)
                        {
                            buf.rewind();
                            ch.send(buf, to.address);
                        }
                    }
                }
            }
            catch (final IOException ex)
            {
                // closed
            }
        }
    }

    /**
     * @param args rooms members seconds mode loops.
     * @throws Exception on I/O errors.
     */
    public static void main(final String[] args) throws Exception
    {
        final int rooms = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        final int members = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        final AeadMode mode = AeadMode.fromWireName(args.length > 3 ? args[3] : "aead_aes256_gcm_rtpsize");
        final int loops = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        System.out.printf(Locale.ROOT, "voice loopback probe: %d rooms x %d members, 50 pkt/s each, %s, %d SFU loop(s), "
            + "%d s per phase, %d CPUs%n", rooms, members, mode.wireName(), loops, seconds,
            Runtime.getRuntime().availableProcessors());
        final Client[][] plainClients = clients(rooms, members, mode, 1, 0);
        final PlainForwarder plain = new PlainForwarder(plainClients);
        final Thread pt = new Thread(plain, "plain-forwarder");
        pt.setDaemon(true);
        pt.start();
        final InetSocketAddress plainAddr = (InetSocketAddress)plain.ch.getLocalAddress();

        final Client[][] sfuClients = clients(rooms, members, mode, 100_000, 1);
        final MediaPlane plane = new MediaPlane("127.0.0.1", 0, loops, ThreadPlacement.unpinned(), IdleMode.BLOCK);
        for (int r = 0; r < rooms; r++)
        {
            final Room room = new Room(1, r + 1);
            for (final Client c : sfuClients[r])
            {
                final VoiceMember m = new VoiceMember(1, c.ssrc, c.ssrc, 0);
                m.address((InetSocketAddress)c.ch.getLocalAddress());
                m.key(mode, c.key, loops);
                m.speaking(1);
                room.add(m);
                plane.ssrcs().put(m);
            }
        }
        final InetSocketAddress sfuAddr = new InetSocketAddress("127.0.0.1", plane.port());
        final Client[][][] both = {plainClients, sfuClients};
        final InetSocketAddress[] servers = {plainAddr, sfuAddr};

        // paced: both forwarders in the same seconds, packets interleaved, so box noise hits both alike
        run(both, servers, 2, true); // warm-up (JIT)
        final long allocBefore = mediaThreadAllocatedBytes();
        final long receivedBefore = plane.counters().get(MediaCounter.RECEIVED);
        final Result[] paced = run(both, servers, seconds, true);
        final double allocPerPacket = (mediaThreadAllocatedBytes() - allocBefore)
            / (double)Math.max(1, plane.counters().get(MediaCounter.RECEIVED) - receivedBefore);
        // unpaced: one forwarder at a time, each gets the whole box (ceiling)
        final Result plainBlast = run(new Client[][][] {plainClients}, new InetSocketAddress[] {plainAddr}, seconds,
            false)[0];
        final Result sfuBlast = run(new Client[][][] {sfuClients}, new InetSocketAddress[] {sfuAddr}, seconds,
            false)[0];
        plain.running.set(false);
        plain.ch.close();
        plane.close();
        close(plainClients);
        close(sfuClients);

        print("plain forwarder, paced", paced[0]);
        print("Pinwheel SFU,    paced", paced[1]);
        System.out.printf(Locale.ROOT, "added latency (SFU - plain, same run): p50 %.1f us, p99 %.1f us, "
            + "p99.9 %.1f us%n", (paced[1].p50 - paced[0].p50) / 1e3, (paced[1].p99 - paced[0].p99) / 1e3,
            (paced[1].p999 - paced[0].p999) / 1e3);
        System.out.printf(Locale.ROOT, "SFU media thread(s) allocated %.1f B per received packet (paced phase; "
            + "the JDK's DatagramChannel.receive makes a new sender address whenever the sender changes)%n",
            allocPerPacket);
        print("plain forwarder, unpaced (raw ceiling)", plainBlast);
        print("Pinwheel SFU,    unpaced", sfuBlast);
        System.out.printf(Locale.ROOT, "SFU / raw ceiling: %.2f%n", sfuBlast.delivered / plainBlast.delivered);
    }

    /** Bytes allocated so far by the media plane's threads ({@code pinwheel-media-*}). */
    private static long mediaThreadAllocatedBytes()
    {
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().startsWith("pinwheel-media-"))
            {
                total += mx.getThreadAllocatedBytes(t.threadId());
            }
        }
        return total;
    }

    private static Client[][] clients(final int rooms, final int members, final AeadMode mode, final int base,
        final int group) throws IOException
    {
        final Client[][] out = new Client[rooms][members];
        for (int r = 0; r < rooms; r++)
        {
            for (int i = 0; i < members; i++)
            {
                out[r][i] = new Client(r, i, base + r * members + i + 1, mode, group);
            }
        }
        return out;
    }

    private static void close(final Client[][] clients) throws IOException
    {
        for (final Client[] r : clients)
        {
            for (final Client c : r)
            {
                c.ch.close();
            }
        }
    }

    private record Result(double delivered, double sent, long p50, long p99, long p999, long failed)
    {
    }

    private static void print(final String what, final Result r)
    {
        System.out.printf(Locale.ROOT, "%-40s sent %9.0f pkt/s, delivered %9.0f pkt/s, one-way p50 %6.1f us, "
            + "p99 %7.1f us, p99.9 %7.1f us, auth failures %d%n", what, r.sent, r.delivered, r.p50 / 1e3, r.p99 / 1e3,
            r.p999 / 1e3, r.failed);
    }

    private static Result[] run(final Client[][][] groups, final InetSocketAddress[] servers, final int seconds,
        final boolean paced) throws Exception
    {
        final int n = groups.length;
        final Histogram[] h = new Histogram[n];
        final AtomicLong[] delivered = new AtomicLong[n];
        final AtomicLong[] failed = new AtomicLong[n];
        final long[] sent = new long[n];
        for (int g = 0; g < n; g++)
        {
            h[g] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            delivered[g] = new AtomicLong();
            failed[g] = new AtomicLong();
        }
        final AtomicBoolean running = new AtomicBoolean(true);
        final java.util.HashMap<Integer, Client> bySsrc = new java.util.HashMap<>();
        final Selector sel = Selector.open();
        final java.util.List<Client> order = new java.util.ArrayList<>();
        final int perGroup = groups[0].length * groups[0][0].length;
        for (int i = 0; i < perGroup; i++)
        {
            for (final Client[][] group : groups)
            {
                final Client c = group[i / group[0].length][i % group[0].length];
                bySsrc.put(c.ssrc, c);
                c.ch.register(sel, SelectionKey.OP_READ, c);
                order.add(c); // interleaved: plain client i, SFU client i, plain client i+1, ...
            }
        }
        final Client[] all = order.toArray(new Client[0]);
        final Thread receiver = new Thread(() ->
        {
            final byte[] buf = new byte[2048];
            final byte[] plain = new byte[2048];
            final ByteBuffer bb = ByteBuffer.wrap(buf);
            try
            {
                while (running.get())
                {
                    sel.select(50);
                    for (final SelectionKey key : sel.selectedKeys())
                    {
                        final Client me = (Client)key.attachment();
                        final int g = n == 1 ? 0 : me.group;
                        SocketAddress from;
                        do
                        {
                            bb.clear();
                            from = me.ch.receive(bb);
                            if (from != null)
                            {
                                final long now = System.nanoTime();
                                final int len = bb.position();
                                final int ssrc = ByteBuffer.wrap(buf, 8, 4).getInt();
                                final Client sender = bySsrc.get(ssrc);
                                // SFU packets are re-sealed for me; plain ones still carry the sender's seal
                                final RtpSizeCipher c = me.group == 1 ? me.open : sender == null ? null : sender.open;
                                final int m = c == null ? -1 : c.open(buf, 0, 12, len, plain, 0);
                                if (m < 8)
                                {
                                    failed[g].incrementAndGet();
                                    continue;
                                }
                                final long sentAt = ByteBuffer.wrap(plain, 0, 8).getLong();
                                h[g].recordValue(Math.max(0, Math.min(now - sentAt, TimeUnit.SECONDS.toNanos(10))));
                                delivered[g].incrementAndGet();
                            }
                        }
                        while (from != null);
                    }
                    sel.selectedKeys().clear();
                }
            }
            catch (final IOException ex)
            {
                // closed
            }
        }, "probe-receiver");
        receiver.setDaemon(true);
        receiver.start();
        final byte[] opus = new byte[OPUS];
        final byte[] pkt = new byte[OPUS + 64];
        final byte[] header = new byte[12];
        final ByteBuffer out = ByteBuffer.wrap(pkt);
        final long start = System.nanoTime();
        final long end = start + TimeUnit.SECONDS.toNanos(seconds);
        final long periodNanos = TimeUnit.MILLISECONDS.toNanos(20) / all.length;
        long next = start;
        int i = 0;
        while (System.nanoTime() < end)
        {
            if (paced)
            {
                final long wait = next - System.nanoTime();
                if (wait > 0)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    continue;
                }
                next += periodNanos;
            }
            final Client c = all[i];
            i = i + 1 == all.length ? 0 : i + 1;
            header[0] = (byte)0x80;
            header[1] = 0x78;
            header[2] = (byte)(c.seq >>> 8);
            header[3] = (byte)c.seq++;
            header[8] = (byte)(c.ssrc >>> 24);
            header[9] = (byte)(c.ssrc >>> 16);
            header[10] = (byte)(c.ssrc >>> 8);
            header[11] = (byte)c.ssrc;
            ByteBuffer.wrap(opus).putLong(System.nanoTime());
            final int len = c.seal.seal(header, 0, 12, opus, 0, OPUS, c.nonce++, pkt, 0);
            out.clear().limit(len);
            c.ch.send(out, servers[n == 1 ? 0 : c.group]);
            sent[n == 1 ? 0 : c.group]++;
        }
        final double secs = (System.nanoTime() - start) / 1e9;
        Thread.sleep(200);
        running.set(false);
        receiver.join(2000);
        sel.close();
        for (final Client c : all)
        {
            c.ch.configureBlocking(false);
        }
        final Result[] results = new Result[n];
        for (int g = 0; g < n; g++)
        {
            results[g] = new Result(delivered[g].get() / secs, sent[g] / secs, h[g].getValueAtPercentile(50),
                h[g].getValueAtPercentile(99), h[g].getValueAtPercentile(99.9), failed[g].get());
        }
        return results;
    }
}
