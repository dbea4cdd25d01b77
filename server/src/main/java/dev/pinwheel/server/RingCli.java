package dev.pinwheel.server;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.storage.ChronicleRingReader;
import dev.pinwheel.storage.RingSnapshot;

/**
 * {@code pinwheel ring --data DIR [--guild ID[,ID…] | --guild @FILE] [--watch [--interval-ms N] [--for-seconds S]]}:
 * reads the routing ring a running (or stopped) node published in its data directory's Chronicle Map, from another
 * process — no request to the node, no lock on its data directory — and prints its epoch, live nodes and the owner of
 * each guild asked for. With {@code --watch} it keeps the map open and prints every new publication (each one whole:
 * see {@code RoutingRingFile}), polling a small header every {@code --interval-ms} (200) and parking in between.
 * <pre>
 *   ring: publication 4, epoch 3, ring v1, 3 nodes, live [0, 2], 1 shard(s) per node, 384 points
 *   guild 1187…: node 1 shard 0 (not live)
 * </pre>
 * Exit codes: 0 printed, 1 nothing published there, 2 bad arguments.
 */
final class RingCli
{
    static final String USAGE = "usage: pinwheel ring --data DIR [--guild ID[,ID...] | --guild @FILE] "
        + "[--watch [--interval-ms N] [--for-seconds S]]";

    private RingCli()
    {
    }

    /**
     * @param args the arguments after {@code ring}.
     * @param out  where to print.
     * @return the exit code.
     */
    static int run(final String[] args, final PrintStream out)
    {
        Path data = null;
        final List<Long> guilds = new ArrayList<>();
        boolean watch = false;
        long intervalMs = 200;
        long forSeconds = 0;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                final String a = args[i];
                switch (a)
                {
                    case "--data" -> data = Path.of(value(args, ++i, a));
                    case "--guild" -> guilds.addAll(guildIds(value(args, ++i, a)));
                    case "--watch" -> watch = true;
                    case "--interval-ms" -> intervalMs = Math.max(10, Long.parseLong(value(args, ++i, a)));
                    case "--for-seconds" -> forSeconds = Long.parseLong(value(args, ++i, a));
                    case "-h", "--help" ->
                    {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (data == null)
            {
                throw new IllegalArgumentException("--data DIR is required");
            }
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            System.err.println("pinwheel ring: " + ex.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        final Path file = ChronicleRingReader.fileIn(data);
        if (!Files.isRegularFile(file))
        {
            System.err.println("pinwheel ring: no routing ring in " + data + " (" + file.getFileName()
                + " is written by the node that runs on this data directory)");
            return 1;
        }
        try (ChronicleRingReader reader = new ChronicleRingReader(data))
        {
            RingSnapshot ring = reader.read();
            if (!watch)
            {
                if (ring == null)
                {
                    System.err.println("pinwheel ring: nothing published in " + file + " yet");
                    return 1;
                }
                print(ring, guilds, out);
                return 0;
            }
            final long end = forSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(forSeconds) : Long.MAX_VALUE;
            long known = ChronicleRingReader.NOT_PUBLISHED;
            if (ring != null)
            {
                print(ring, guilds, out);
                known = ring.sequence();
            }
            while (System.nanoTime() - end < 0 && !Thread.currentThread().isInterrupted())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMs));
                ring = reader.readIfChanged(known);
                if (ring != null)
                {
                    print(ring, guilds, out);
                    known = ring.sequence();
                }
            }
            return 0;
        }
    }

    private static void print(final RingSnapshot s, final List<Long> guilds, final PrintStream out)
    {
        final StringBuilder b = new StringBuilder(64 + guilds.size() * 48);
        b.append("ring: publication ").append(s.sequence()).append(", epoch ").append(s.epoch())
            .append(", ring v").append(s.version()).append(", ").append(s.nodes()).append(s.nodes() == 1 ? " node" : " nodes")
            .append(", live ").append(live(s)).append(", ").append(s.shardsPerNode()).append(" shard(s) per node, ")
            .append(s.points().length).append(" points\n");
        if (!guilds.isEmpty())
        {
            final RoutingRing ring = RoutingRing.of(s.version(), s.points(), s.owners(), s.shardsPerNode());
            for (final long g : guilds)
            {
                final int owner = ring.owner(g);
                final int node = owner >>> 16;
                b.append("guild ").append(Long.toUnsignedString(g)).append(": node ").append(node).append(" shard ")
                    .append(owner & 0xFFFF).append(s.isLive(node) ? " (live)" : " (not live)").append('\n');
            }
        }
        out.print(b);
        out.flush();
    }

    private static String live(final RingSnapshot s)
    {
        final List<Integer> nodes = new ArrayList<>();
        for (int k = 0; k < Math.min(32, s.nodes()); k++)
        {
            if (s.isLive(k))
            {
                nodes.add(k);
            }
        }
        return nodes.toString();
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static List<Long> guildIds(final String value)
    {
        final List<Long> ids = new ArrayList<>();
        if (value.startsWith("@"))
        {
            try
            {
                for (final String line : Files.readAllLines(Path.of(value.substring(1))))
                {
                    if (!line.isBlank())
                    {
                        ids.add(guildId(line.trim()));
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + value.substring(1) + ": " + ex.getMessage(), ex);
            }
            return ids;
        }
        for (final String id : value.split(","))
        {
            ids.add(guildId(id.trim()));
        }
        return ids;
    }

    private static long guildId(final String id)
    {
        try
        {
            return Long.parseUnsignedLong(id);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a guild id (a snowflake): '" + id + "'");
        }
    }
}
