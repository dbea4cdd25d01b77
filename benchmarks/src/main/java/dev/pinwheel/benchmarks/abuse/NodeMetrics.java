package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.pinwheel.benchmarks.probe.RestClient;

/**
 * One scrape of a node's {@code /metrics} (Prometheus text 0.0.4), as sample name with labels to value, and the
 * node's open sockets read from {@code /proc/PID/fd} (the gateway metrics count WebSocket connections only; an
 * attacker's half-open HTTP connections show up as sockets).
 */
final class NodeMetrics
{
    private final Map<String, Double> samples;

    private NodeMetrics(final Map<String, Double> samples)
    {
        this.samples = samples;
    }

    /**
     * @param rest  REST client towards the node.
     * @param admin an admin's token.
     * @return the scrape, or null if {@code /metrics} did not answer 200.
     */
    static NodeMetrics scrape(final RestClient rest, final String admin)
    {
        final RestClient.Response r = rest.send("GET", "/metrics", admin, null);
        return r.status() == 200 ? parse(r.body()) : null;
    }

    /**
     * @param text Prometheus text.
     * @return its samples.
     */
    static NodeMetrics parse(final String text)
    {
        final Map<String, Double> m = new LinkedHashMap<>();
        for (final String line : text.split("\n"))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final int sp = line.lastIndexOf(' ');
            if (sp <= 0)
            {
                continue;
            }
            final String v = line.substring(sp + 1).trim().replace("Inf", "Infinity");
            try
            {
                m.put(line.substring(0, sp).trim(), Double.parseDouble(v));
            }
            catch (final NumberFormatException ex)
            {
                // not a sample
            }
        }
        return new NodeMetrics(m);
    }

    /**
     * @param name   a metric name.
     * @param labels label pairs that must all be present, e.g. {@code reason="ip_cap"} (may be none).
     * @return the sum of its samples that carry those labels (0 if none).
     */
    double sum(final String name, final String... labels)
    {
        double s = 0;
        for (final Map.Entry<String, Double> e : samples.entrySet())
        {
            if (matches(e.getKey(), name, labels))
            {
                s += e.getValue();
            }
        }
        return s;
    }

    /**
     * @param name a metric name.
     * @return the largest of its samples, or NaN if it has none.
     */
    double max(final String name)
    {
        double m = Double.NaN;
        for (final Map.Entry<String, Double> e : samples.entrySet())
        {
            if (matches(e.getKey(), name) && (Double.isNaN(m) || e.getValue() > m))
            {
                m = e.getValue();
            }
        }
        return m;
    }

    /**
     * @param family a counter family with a {@code reason} label.
     * @return reason to the sum over shards.
     */
    Map<String, Double> byReason(final String family)
    {
        final Map<String, Double> out = new LinkedHashMap<>();
        for (final Map.Entry<String, Double> e : samples.entrySet())
        {
            final String k = e.getKey();
            final int at = k.indexOf("reason=\"");
            if (matches(k, family) && at > 0)
            {
                final String reason = k.substring(at + 8, k.indexOf('"', at + 8));
                out.merge(reason, e.getValue(), Double::sum);
            }
        }
        return out;
    }

    private static boolean matches(final String key, final String name, final String... labels)
    {
        if (!key.equals(name) && !key.startsWith(name + "{"))
        {
            return false;
        }
        for (final String l : labels)
        {
            if (!key.contains(l))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A process's TCP connections by peer address, from {@code /proc/PID/fd} (its socket inodes) and
     * {@code /proc/PID/net/tcp[6]} (listening sockets left out). Attackers have their own loopback addresses, so
     * what the node still holds for them is everything not from 127.0.0.1.
     *
     * @param pid a process.
     * @return peer address to connections (empty if they cannot be read).
     */
    static Map<String, Integer> peers(final long pid)
    {
        final java.util.Set<String> inodes = new java.util.HashSet<>();
        final Path proc = Path.of("/proc", Long.toString(pid));
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd")))
        {
            for (final Path fd : fds)
            {
                try
                {
                    final String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:["))
                    {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                }
                catch (final IOException ex)
                {
                    // closed meanwhile
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return Map.of();
        }
        final Map<String, Integer> out = new java.util.TreeMap<>();
        for (final String table : new String[] {"tcp", "tcp6"})
        {
            try
            {
                for (final String line : Files.readAllLines(proc.resolve("net").resolve(table)))
                {
                    final String[] f = line.trim().split("\\s+");
                    if (f.length < 10 || !f[1].contains(":") || "0A".equals(f[3]) || !inodes.contains(f[9]))
                    {
                        continue;
                    }
                    out.merge(ipv4(f[2]), 1, Integer::sum);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // no such table
            }
        }
        return out;
    }

    /**
     * @param peers {@link #peers}.
     * @return connections whose peer is not 127.0.0.1 (the attackers').
     */
    static int attackerConnections(final Map<String, Integer> peers)
    {
        int n = 0;
        for (final Map.Entry<String, Integer> e : peers.entrySet())
        {
            if (!"127.0.0.1".equals(e.getKey()))
            {
                n += e.getValue();
            }
        }
        return n;
    }

    /** {@code 0100007F:1F90} or an IPv4-mapped {@code …FFFF00000100007F:1F90} (little-endian words) to 127.0.0.1. */
    static String ipv4(final String hexAddressAndPort)
    {
        final String a = hexAddressAndPort.substring(0, hexAddressAndPort.indexOf(':'));
        final String w = a.substring(a.length() - 8);
        final StringBuilder b = new StringBuilder();
        for (int i = 6; i >= 0; i -= 2)
        {
            b.append(Integer.parseInt(w.substring(i, i + 2), 16)).append(i > 0 ? "." : "");
        }
        return a.length() > 8 && !a.startsWith("0000000000000000FFFF0000") ? "[v6] " + a : b.toString();
    }

    /**
     * @param pid a process of this user.
     * @return its open sockets (descriptors linked to {@code socket:[…]}), or -1 if they cannot be read.
     */
    static int sockets(final long pid)
    {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd")))
        {
            for (final Path fd : fds)
            {
                try
                {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:"))
                    {
                        n++;
                    }
                }
                catch (final IOException ex)
                {
                    // closed meanwhile
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        return n;
    }
}
