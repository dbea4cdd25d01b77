package dev.pinwheel.cluster;

import java.util.ArrayList;
import java.util.List;

import dev.pinwheel.core.routing.ShardRoute;

/**
 * The static membership of a cluster: {@code --members HOST:PORT,HOST:PORT,…}, node k being the k-th entry. The
 * address is where node k's link receives (Aeron UDP); every node is given the same list.
 *
 * @param hosts each node's host.
 * @param ports each node's link port.
 */
public record ClusterMembers(List<String> hosts, List<Integer> ports)
{
    /**
     * @param spec {@code HOST:PORT,HOST:PORT,…} (at least one, at most 32).
     * @return the members.
     * @throws IllegalArgumentException for a malformed list.
     */
    public static ClusterMembers parse(final String spec)
    {
        final List<String> hosts = new ArrayList<>();
        final List<Integer> ports = new ArrayList<>();
        for (final String raw : spec.split(","))
        {
            final String entry = raw.trim();
            final int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1)
            {
                throw new IllegalArgumentException("--members: '" + entry + "' is not HOST:PORT");
            }
            final int port;
            try
            {
                port = Integer.parseInt(entry.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--members: '" + entry + "' has no numeric port");
            }
            if (port < 1 || port > 65535)
            {
                throw new IllegalArgumentException("--members: port out of range in '" + entry + "'");
            }
            final String host = entry.substring(0, colon);
            for (int k = 0; k < hosts.size(); k++)
            {
                if (hosts.get(k).equals(host) && ports.get(k) == port)
                {
                    throw new IllegalArgumentException("--members: " + entry + " is given twice (nodes " + k + " and "
                        + hosts.size() + "); each node needs its own link address");
                }
            }
            hosts.add(host);
            ports.add(port);
        }
        if (hosts.isEmpty() || hosts.size() > ShardRoute.MAX_NODE + 1)
        {
            throw new IllegalArgumentException("--members: 1.." + (ShardRoute.MAX_NODE + 1) + " nodes");
        }
        return new ClusterMembers(List.copyOf(hosts), List.copyOf(ports));
    }

    /**
     * @return node count.
     */
    public int size()
    {
        return hosts.size();
    }

    /**
     * @param node a node.
     * @return its link endpoint, {@code host:port}.
     */
    public String endpoint(final int node)
    {
        return hosts.get(node) + ":" + ports.get(node);
    }
}
