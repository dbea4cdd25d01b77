package dev.pinwheel.cluster;

import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a node's link to the others of its cluster: fluent setters, one {@link #conclude()} that validates.
 * <table>
 *   <caption>keys</caption>
 *   <tr><th>system property</th><th>default</th><th>what</th></tr>
 *   <tr><td>{@code pinwheel.cluster.termLength}</td><td>4 MiB</td><td>Aeron term length of each publication
 *       (largest message: an eighth of it)</td></tr>
 *   <tr><td>{@code pinwheel.cluster.peerTimeoutMs}</td><td>2000</td><td>a peer that sent no status for this long is
 *       not connected: commands for it are answered 503</td></tr>
 *   <tr><td>{@code pinwheel.cluster.maxPending}</td><td>65536</td><td>messages one shard may hold back for one
 *       back-pressured peer before it refuses more (answers to that peer's requests are held past it)</td></tr>
 *   <tr><td>{@code pinwheel.cluster.linkIdle}</td><td>the profile's</td><td>{@code wait}: the link thread waits in
 *       epoll (below); {@code spin}: it busy-spins, as the {@code latency} profile's conductor does (the default
 *       there) — no wake-up on either side of a hop, a core of its own</td></tr>
 *   <tr><td>{@code pinwheel.cluster.idleMaxParkMicros}</td><td>16000</td><td>the longest the link thread (media
 *       driver and receiver) waits without traffic: it waits in epoll on the driver's sockets and a datagram, a shard's
 *       offer or a consensus agent's work wakes it at once; this bounds the driver's timers (heartbeats every 100 ms,
 *       status messages every 200 ms; rounded up to whole milliseconds)</td></tr>
 *   <tr><td>{@code pinwheel.cluster.receiveShard}</td><td>0</td><td>the shard whose epoll wakes for what peers send
 *       and which runs the link's cycle itself then ({@link NodeLink}): one wake-up per hop instead of two; negative:
 *       the link thread reads it (also when it spins, or on a transport other than epoll)</td></tr>
 *   <tr><td>{@code pinwheel.cluster.shardsSend}</td><td>{@code first}</td><td>who puts a shard's frames for other
 *       nodes on the wire: {@code first} — the shard itself, one driver cycle right at the first offer of its duty
 *       cycle (before the REST answer and this node's own deliveries), the rest after its sessions' writes;
 *       {@code end} — the shard, after its sessions' writes; {@code off} — the link thread, woken per offer (as when it
 *       spins)</td></tr>
 *   <tr><td>{@code pinwheel.cluster.catchUpSliceRecords}</td><td>256</td><td>state records a shard reads from its
 *       journal and sends per duty cycle for a peer's catch-up (the longest it pauses its sessions for it)</td></tr>
 *   <tr><td>{@code pinwheel.cluster.catchUpSliceBytes}</td><td>65536</td><td>or, first reached, bytes of those
 *       records per duty cycle (at least one record)</td></tr>
 *   <tr><td>{@code pinwheel.cluster.startHoldMs}</td><td>{@code peerTimeoutMs}, at most 5000</td><td>at its start a
 *       node holds back the commands that could produce events until every peer has told it again which of its
 *       sessions follow this node's guilds and users ({@link NodeLink#onStartHoldEnd}); the hold ends after this
 *       long whatever is missing; a peer whose link is still not connected after a quarter of it (at least 250 ms)
 *       is taken as down and not waited for. 0: no hold</td></tr>
 * </table>
 */
public final class NodeLinkContext
{
    /** The stream id of the node-to-node stream. */
    public static final int STREAM_ID = 1001;

    private int nodeId = -1;
    private ClusterMembers members;
    private Path aeronDir;
    private int termLength = Integer.getInteger("pinwheel.cluster.termLength", 4 << 20);
    private long peerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("pinwheel.cluster.peerTimeoutMs", 2000));
    private int maxPending = Integer.getInteger("pinwheel.cluster.maxPending", 65_536);
    private long idleMaxParkNanos = TimeUnit.MICROSECONDS.toNanos(
        Long.getLong("pinwheel.cluster.idleMaxParkMicros", 16_000));
    private ThreadFactory threadFactory = Thread.ofPlatform().factory();
    private Runnable onLost = () ->
    {
    };
    /** Null: as the node's tuning profile says (the server sets it); else the property's word. */
    private Boolean spin = spinProperty();
    private int receiveShard = Integer.getInteger("pinwheel.cluster.receiveShard", 0);
    private String shardsSend = System.getProperty("pinwheel.cluster.shardsSend", "first");
    private int catchUpSliceRecords = Integer.getInteger("pinwheel.cluster.catchUpSliceRecords", 256);
    private int catchUpSliceBytes = Integer.getInteger("pinwheel.cluster.catchUpSliceBytes", 64 << 10);
    /** Negative: unset (the peer timeout, at most 5 s). */
    private long startHoldNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong("pinwheel.cluster.startHoldMs", -1));

    /**
     * @param value this node's id (its index in the members).
     * @return this.
     */
    public NodeLinkContext nodeId(final int value)
    {
        nodeId = value;
        return this;
    }

    /**
     * @param value every node's link endpoint.
     * @return this.
     */
    public NodeLinkContext members(final ClusterMembers value)
    {
        members = value;
        return this;
    }

    /**
     * @param value the embedded media driver's directory (this node's own; deleted on start and close).
     * @return this.
     */
    public NodeLinkContext aeronDir(final Path value)
    {
        aeronDir = value;
        return this;
    }

    /**
     * @param value Aeron term length (a power of two, 64 KiB..1 GiB).
     * @return this.
     */
    public NodeLinkContext termLength(final int value)
    {
        termLength = value;
        return this;
    }

    /**
     * @param value how long a silent peer still counts as connected.
     * @return this.
     */
    public NodeLinkContext peerTimeoutNanos(final long value)
    {
        peerTimeoutNanos = value;
        return this;
    }

    /**
     * @param value messages one shard holds back per peer at most.
     * @return this.
     */
    public NodeLinkContext maxPending(final int value)
    {
        maxPending = value;
        return this;
    }

    /**
     * @param records state records one duty cycle of a shard reads and sends for a catch-up, at most.
     * @param bytes   or bytes of them, whichever comes first (at least one record).
     * @return this.
     */
    public NodeLinkContext catchUpSlice(final int records, final int bytes)
    {
        catchUpSliceRecords = records;
        catchUpSliceBytes = bytes;
        return this;
    }

    /**
     * @return this, validated.
     * @throws IllegalArgumentException for a setting out of range.
     */
    public NodeLinkContext conclude()
    {
        if (members == null)
        {
            throw new IllegalArgumentException("cluster members are required");
        }
        if (nodeId < 0 || nodeId >= members.size())
        {
            throw new IllegalArgumentException("--node-id " + nodeId + " is not one of the " + members.size()
                + " members (0.." + (members.size() - 1) + ")");
        }
        if (aeronDir == null)
        {
            throw new IllegalArgumentException("the Aeron directory is required");
        }
        if (Integer.bitCount(termLength) != 1 || termLength < 64 * 1024)
        {
            throw new IllegalArgumentException("pinwheel.cluster.termLength must be a power of two >= 64 KiB: "
                + termLength);
        }
        if (idleMaxParkNanos < TimeUnit.MICROSECONDS.toNanos(1))
        {
            throw new IllegalArgumentException("pinwheel.cluster.idleMaxParkMicros must be >= 1");
        }
        if (maxPending < 1)
        {
            throw new IllegalArgumentException("pinwheel.cluster.maxPending must be >= 1");
        }
        if (startHoldNanos < 0)
        {
            startHoldNanos = Math.min(peerTimeoutNanos, TimeUnit.SECONDS.toNanos(5));
        }
        if (catchUpSliceRecords < 1 || catchUpSliceBytes < 1)
        {
            throw new IllegalArgumentException("pinwheel.cluster.catchUpSliceRecords and catchUpSliceBytes must be "
                + ">= 1: " + catchUpSliceRecords + ", " + catchUpSliceBytes);
        }
        return this;
    }

    public int nodeId()
    {
        return nodeId;
    }

    public ClusterMembers members()
    {
        return members;
    }

    public Path aeronDir()
    {
        return aeronDir;
    }

    public int termLength()
    {
        return termLength;
    }

    public long peerTimeoutNanos()
    {
        return peerTimeoutNanos;
    }

    public int maxPending()
    {
        return maxPending;
    }

    /**
     * @param value how long a node holds back, at its start, the commands that could produce events, waiting for its
     *              peers to follow it again (0: no hold).
     * @return this.
     */
    public NodeLinkContext startHoldNanos(final long value)
    {
        startHoldNanos = value;
        return this;
    }

    /**
     * @return the start hold's longest duration (after {@link #conclude()}).
     */
    public long startHoldNanos()
    {
        return startHoldNanos;
    }

    /**
     * @param value makes the link's thread (the server's: placed by its pinning plan as the conductor).
     * @return this.
     */
    public NodeLinkContext threadFactory(final ThreadFactory value)
    {
        threadFactory = value;
        return this;
    }

    /**
     * @return what makes the link's thread.
     */
    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    /**
     * @param value told once (on an Aeron thread; it must not block) when the link's Aeron client closed while the link
     *              was not being closed: the node can reach no other node any more (its Aeron stack timed itself out
     *              after a stall of more than an hour, or ended on an error). The server stops the node then.
     * @return this.
     */
    public NodeLinkContext onLost(final Runnable value)
    {
        onLost = value;
        return this;
    }

    /**
     * @return what is told when the link is lost.
     */
    public Runnable onLost()
    {
        return onLost;
    }

    private static Boolean spinProperty()
    {
        final String value = System.getProperty("pinwheel.cluster.linkIdle");
        if (value == null)
        {
            return null;
        }
        return switch (value)
        {
            case "spin" -> Boolean.TRUE;
            case "wait" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("pinwheel.cluster.linkIdle must be spin or wait, not '"
                + value + "'");
        };
    }

    /**
     * @param value whether the link thread busy-spins (the {@code latency} profile's conductor) instead of waiting in
     *              epoll; {@code pinwheel.cluster.linkIdle=spin|wait}, when given, wins over this.
     * @return this.
     */
    public NodeLinkContext spinUnlessSet(final boolean value)
    {
        if (spin == null)
        {
            spin = value;
        }
        return this;
    }

    /**
     * @return whether the link thread busy-spins.
     */
    public boolean spin()
    {
        return spin != null && spin;
    }

    public long idleMaxParkNanos()
    {
        return idleMaxParkNanos;
    }

    /**
     * @param value the shard that wakes for what peers send and reads it ({@link NodeLink}), negative for none.
     * @return this.
     */
    public NodeLinkContext receiveShard(final int value)
    {
        receiveShard = value;
        return this;
    }

    /**
     * @return the shard that wakes for what peers send, or negative for none (the link thread).
     */
    public int receiveShard()
    {
        return receiveShard;
    }

    /**
     * @param value {@code first}, {@code end} or {@code off}: when a shard that offered to a peer runs the link's cycle
     *              itself ({@link NodeLink}).
     * @return this.
     */
    public NodeLinkContext shardsSend(final String value)
    {
        shardsSend = value;
        return this;
    }

    /**
     * @return {@code first}, {@code end} or {@code off} (see the table above).
     */
    public String shardsSend()
    {
        return shardsSend;
    }

    public int catchUpSliceRecords()
    {
        return catchUpSliceRecords;
    }

    public int catchUpSliceBytes()
    {
        return catchUpSliceBytes;
    }
}
