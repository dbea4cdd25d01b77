package dev.pinwheel.cluster;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Settings of {@link ConsensusMembership}: the static member list (the voters of the Raft cluster), this node, where
 * its consensus files live, and the timeouts.
 * <ul>
 *   <li>{@code pinwheel.cluster.peerTimeoutMs} (2000): a live node whose heartbeats stop this long leaves the ring in
 *   a new epoch; heartbeats go every fifth of it, the leader checks every quarter, a leader silent for half of it is
 *   replaced (Aeron Cluster's leader heartbeat timeout), so a lost node, even the leader, is agreed within
 *   ≈ 2 × peerTimeout.</li>
 *   <li>{@code pinwheel.cluster.consensusPortOffset} (100): node k's consensus ports are its link port plus 1..5 times
 *   this.</li>
 *   <li>{@code pinwheel.cluster.snapshotIntervalMs} (300000): how often the leader snapshots the membership state;
 *   after each snapshot the Raft log before the one before it is dropped ({@link ConsensusLogKeeper}).</li>
 *   <li>{@code pinwheel.cluster.archiveSegmentLength} (16 MiB, a power of two ≥ 1 MiB): the archive's segment files,
 *   the unit in which the Raft log is dropped.</li>
 *   <li>{@code pinwheel.cluster.resetOnMembersChange} (true): consensus files made for another {@code --members}
 *   list (or node id) are set aside at start and the member starts fresh ({@link ConsensusMembers}); false refuses
 *   to start instead.</li>
 * </ul>
 */
public final class MembershipContext
{
    private int nodeId = -1;
    private ClusterMembers members;
    private Path clusterDir;
    private String aeronDirectoryName;
    private long peerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("pinwheel.cluster.peerTimeoutMs", 2000));
    private int portOffset = Integer.getInteger("pinwheel.cluster.consensusPortOffset", 100);
    private long snapshotIntervalNanos = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("pinwheel.cluster.snapshotIntervalMs", 300_000));
    private int archiveSegmentLength = Integer.getInteger("pinwheel.cluster.archiveSegmentLength", 16 << 20);
    private boolean resetOnMembersChange = Boolean.parseBoolean(
        System.getProperty("pinwheel.cluster.resetOnMembersChange", "true"));
    private ConsensusMembership.RingEpochs ringEpochs = state -> { };
    private Runnable driverWake = () -> { };
    private boolean stallFirstService;

    /**
     * @param value this node's id (its index in the members).
     * @return this.
     */
    public MembershipContext nodeId(final int value)
    {
        nodeId = value;
        return this;
    }

    /**
     * @param value every node's link address.
     * @return this.
     */
    public MembershipContext members(final ClusterMembers value)
    {
        members = value;
        return this;
    }

    /**
     * @param value where the archive and the consensus files live ({@code DATA/aeron-cluster}; kept across restarts).
     * @return this.
     */
    public MembershipContext clusterDir(final Path value)
    {
        clusterDir = value;
        return this;
    }

    /**
     * @param value the running media driver's directory (the node link's).
     * @return this.
     */
    public MembershipContext aeronDirectoryName(final String value)
    {
        aeronDirectoryName = value;
        return this;
    }

    /**
     * @param value how long a live node may be silent.
     * @return this.
     */
    public MembershipContext peerTimeoutNanos(final long value)
    {
        peerTimeoutNanos = value;
        return this;
    }

    /**
     * @param value the consensus port offset.
     * @return this.
     */
    public MembershipContext portOffset(final int value)
    {
        portOffset = value;
        return this;
    }

    /**
     * @param value how often the leader snapshots the membership state.
     * @return this.
     */
    public MembershipContext snapshotIntervalNanos(final long value)
    {
        snapshotIntervalNanos = value;
        return this;
    }

    /**
     * @param value the archive's segment file length (a power of two, 1 MiB..1 GiB).
     * @return this.
     */
    public MembershipContext archiveSegmentLength(final int value)
    {
        archiveSegmentLength = value;
        return this;
    }

    /**
     * @param value whether consensus files made for another member list are set aside at start (else refused).
     * @return this.
     */
    public MembershipContext resetOnMembersChange(final boolean value)
    {
        resetOnMembersChange = value;
        return this;
    }

    /**
     * @return whether consensus files made for another member list are set aside at start.
     */
    public boolean resetOnMembersChange()
    {
        return resetOnMembersChange;
    }

    /**
     * Tests: the first replica this member starts waits as it starts, alive (it idles through the cluster's idle
     * strategy, which serves its Aeron client) but acknowledging nothing to its consensus module, until its container
     * closes — the service's side of the deadlock {@code ConsensusMembership} watches for.
     *
     * @param value whether to stall it.
     * @return this.
     */
    MembershipContext stallFirstService(final boolean value)
    {
        stallFirstService = value;
        return this;
    }

    /** @return whether the first replica's service stalls ({@link #stallFirstService(boolean)}). */
    boolean stallFirstService()
    {
        return stallFirstService;
    }

    /**
     * @return how often the leader snapshots the membership state.
     */
    public long snapshotIntervalNanos()
    {
        return snapshotIntervalNanos;
    }

    /**
     * @return the archive's segment file length.
     */
    public int archiveSegmentLength()
    {
        return archiveSegmentLength;
    }

    /**
     * @param value told of each epoch this node applies.
     * @return this.
     */
    public MembershipContext ringEpochs(final ConsensusMembership.RingEpochs value)
    {
        ringEpochs = value;
        return this;
    }

    /**
     * @param value wakes the thread that runs the media driver ({@link NodeLink#wakeDriver()}): the consensus and
     *              membership agents run it after they worked, so their offers and client commands are served at once.
     * @return this.
     */
    public MembershipContext driverWake(final Runnable value)
    {
        driverWake = java.util.Objects.requireNonNull(value);
        return this;
    }

    /**
     * @return what wakes the media driver's thread (a no-op unless set).
     */
    public Runnable driverWake()
    {
        return driverWake;
    }

    /**
     * Validates.
     *
     * @return this.
     * @throws IllegalArgumentException naming the bad setting.
     */
    public MembershipContext conclude()
    {
        if (members == null || nodeId < 0 || nodeId >= members.size())
        {
            throw new IllegalArgumentException("cluster membership needs the members and this node's id");
        }
        if (clusterDir == null || aeronDirectoryName == null)
        {
            throw new IllegalArgumentException("cluster membership needs its directory and the media driver's");
        }
        if (peerTimeoutNanos < TimeUnit.MILLISECONDS.toNanos(100))
        {
            throw new IllegalArgumentException("pinwheel.cluster.peerTimeoutMs must be >= 100");
        }
        if (snapshotIntervalNanos < TimeUnit.MILLISECONDS.toNanos(100))
        {
            throw new IllegalArgumentException("pinwheel.cluster.snapshotIntervalMs must be >= 100");
        }
        if (Integer.bitCount(archiveSegmentLength) != 1 || archiveSegmentLength < (1 << 20)
            || archiveSegmentLength > (1 << 30))
        {
            throw new IllegalArgumentException("pinwheel.cluster.archiveSegmentLength " + archiveSegmentLength
                + " must be a power of two from 1 MiB (the log's term length) to 1 GiB");
        }
        for (int k = 0; k < members.size(); k++)
        {
            if (members.ports().get(k) + 5 * portOffset > 65535 || portOffset < 1)
            {
                throw new IllegalArgumentException("pinwheel.cluster.consensusPortOffset " + portOffset
                    + ": node " + k + "'s consensus ports (link port + 1..5 × offset) must be <= 65535");
            }
        }
        // nodes on one host: no port of one (link, ingress, consensus, log, catch-up, archive) may be another's
        for (int a = 0; a < members.size(); a++)
        {
            for (int b = a + 1; b < members.size(); b++)
            {
                final int gap = Math.abs(members.ports().get(a) - members.ports().get(b));
                if (members.hosts().get(a).equals(members.hosts().get(b)) && gap <= 5 * portOffset
                    && gap % portOffset == 0)
                {
                    throw new IllegalArgumentException("--members: nodes " + a + " (" + members.endpoint(a)
                        + ") and " + b + " (" + members.endpoint(b) + ") share a port on their host: each node uses"
                        + " its link port and that port + 1..5 × " + portOffset
                        + " (pinwheel.cluster.consensusPortOffset) for consensus");
                }
            }
        }
        return this;
    }

    /**
     * @return this node's id.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return the members.
     */
    public ClusterMembers members()
    {
        return members;
    }

    /**
     * @return the consensus files' directory.
     */
    public Path clusterDir()
    {
        return clusterDir;
    }

    /**
     * @return the media driver's directory.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @return the peer timeout.
     */
    public long peerTimeoutNanos()
    {
        return peerTimeoutNanos;
    }

    /**
     * @return the consensus port offset.
     */
    public int portOffset()
    {
        return portOffset;
    }

    /**
     * @return the epoch listener.
     */
    public ConsensusMembership.RingEpochs ringEpochs()
    {
        return ringEpochs;
    }

    /**
     * @param node a node.
     * @param k    1 ingress, 2 consensus, 3 log, 4 catch-up, 5 archive control.
     * @return its endpoint, {@code host:port}.
     */
    public String endpoint(final int node, final int k)
    {
        return members.hosts().get(node) + ":" + (members.ports().get(node) + k * portOffset);
    }

    /**
     * @return Aeron Cluster's member list: {@code id,ingress,consensus,log,catchup,archive|…}.
     */
    String clusterMembers()
    {
        final StringBuilder b = new StringBuilder();
        for (int node = 0; node < members.size(); node++)
        {
            b.append(node == 0 ? "" : "|").append(node);
            for (int k = 1; k <= 5; k++)
            {
                b.append(',').append(endpoint(node, k));
            }
        }
        return b.toString();
    }

    /**
     * @return the clients' ingress endpoints: {@code 0=host:port,1=…}.
     */
    String ingressEndpoints()
    {
        final StringBuilder b = new StringBuilder();
        for (int node = 0; node < members.size(); node++)
        {
            b.append(node == 0 ? "" : ",").append(node).append('=').append(endpoint(node, 1));
        }
        return b.toString();
    }
}
