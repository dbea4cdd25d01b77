package dev.pinwheel.server;

import java.nio.file.Path;

import dev.pinwheel.cluster.ClusterMembers;
import dev.pinwheel.cluster.ConsensusMembership;
import dev.pinwheel.cluster.MembershipContext;
import dev.pinwheel.cluster.NodeLink;
import dev.pinwheel.core.counters.NodeCounters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a cluster node's membership by consensus ({@link ConsensusMembership}: Aeron Cluster on the node link's media
 * driver, files in {@code DATA/aeron-cluster}) and decides what a ring epoch changes on this node.
 * <p>
 * On the embedded store a guild's state is in its owner's journal only, so the ring stays the one over every member:
 * an epoch that loses a node is logged and exported ({@code pinwheel_cluster_ring_epoch}), and that node's guilds answer
 * 503 until it is back. On the shared Cassandra store the ring is the epoch's ({@link CassandraHandover}): a dead
 * node's keys move to the survivors, and back when it rejoins.
 */
final class ClusterEpochs
{
    private static final Logger LOG = LoggerFactory.getLogger(ClusterEpochs.class);
    /** {@code pinwheel.cluster.consensus}: false runs a cluster on its static membership alone (no Raft). */
    static final String CONSENSUS_PROP = "pinwheel.cluster.consensus";

    private ClusterEpochs()
    {
    }

    /**
     * @param nodeId   this node.
     * @param members  every member.
     * @param dataDir  the node's data directory.
     * @param link     the node's running link (its media driver is shared).
     * @param counters the node's counters.
     * @return the running membership, or null when there is none (a single member, or switched off).
     */
    static ConsensusMembership startMembership(final int nodeId, final ClusterMembers members, final Path dataDir,
        final NodeLink link, final NodeCounters counters, final ConsensusMembership.RingEpochs epochs)
    {
        if (!enabled(members))
        {
            return null;
        }
        if (members.size() % 2 == 0)
        {
            LOG.warn("cluster: {} members: a quorum needs {} of them, so losing any {} stops ring epochs; an odd count "
                + "tolerates as many failures with one node fewer", members.size(), members.size() / 2 + 1,
                members.size() / 2);
        }
        return new ConsensusMembership(new MembershipContext().nodeId(nodeId).members(members)
            .clusterDir(dataDir.resolve("aeron-cluster"))
            .aeronDirectoryName(link.aeronDirectoryName()).driverWake(link::wakeDriver).ringEpochs(epochs), counters);
    }

    /**
     * @param publisher where the node's ring is published for other processes on the host.
     * @param next      what an epoch changes on this node (the handover on Cassandra), or null.
     * @return told every epoch: publishes its number and live nodes with the ring, then tells {@code next}.
     */
    static ConsensusMembership.RingEpochs publishing(final AsyncRingPublisher publisher,
        final ConsensusMembership.RingEpochs next)
    {
        return state ->
        {
            if (next != null)
            {
                next.apply(state); // on Cassandra the epoch's ring is swapped in first (the handover's thread)
            }
            publisher.epoch(state.epoch(), state.liveNodes());
        };
    }

    /**
     * @param members the members.
     * @return whether their nodes run the consensus membership (two or more, not switched off).
     */
    static boolean enabled(final ClusterMembers members)
    {
        return members.size() >= 2 && Boolean.parseBoolean(System.getProperty(CONSENSUS_PROP, "true"));
    }
}
