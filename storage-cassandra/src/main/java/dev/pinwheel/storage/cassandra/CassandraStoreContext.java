package dev.pinwheel.storage.cassandra;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongToIntFunction;

/**
 * Settings of the Cassandra store, with defaults from system properties ({@code pinwheel.cassandra.*}); fluent
 * setters, then one {@link #conclude()} that validates.
 * <table>
 *   <caption>keys</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>pinwheel.cassandra.contact-points</td><td>127.0.0.1:9042</td><td>HOST:PORT,…</td></tr>
 *   <tr><td>pinwheel.cassandra.keyspace</td><td>pinwheel</td><td>created when missing</td></tr>
 *   <tr><td>pinwheel.cassandra.replication</td><td>1</td><td>SimpleStrategy factor when the keyspace is created</td></tr>
 *   <tr><td>pinwheel.cassandra.local-datacenter</td><td>datacenter1</td><td>the driver's local DC</td></tr>
 *   <tr><td>pinwheel.cassandra.consistency</td><td>LOCAL_QUORUM, ONE when replication is 1</td><td>reads and
 *   writes</td></tr>
 *   <tr><td>pinwheel.cassandra.max-in-flight</td><td>256</td><td>writes in flight per shard</td></tr>
 *   <tr><td>pinwheel.cassandra.backlog</td><td>16384</td><td>writes issued but not yet acknowledged per shard,
 *   beyond which writes are refused (503)</td></tr>
 *   <tr><td>pinwheel.cassandra.max-reads</td><td>1024</td><td>fetches in flight per shard (reads the owner does not
 *   hold in memory), beyond which reads are refused (503)</td></tr>
 *   <tr><td>pinwheel.cassandra.request-timeout-ms</td><td>2000</td><td>one driver request</td></tr>
 *   <tr><td>pinwheel.cassandra.ack-timeout-ms</td><td>5000</td><td>a client's write waits for the database at most
 *   this long, then 503</td></tr>
 *   <tr><td>pinwheel.cassandra.hot-channels</td><td>4096</td><td>channels whose newest page each shard keeps</td></tr>
 *   <tr><td>pinwheel.cassandra.hot-messages</td><td>200</td><td>newest messages kept per hot channel</td></tr>
 *   <tr><td>pinwheel.cassandra.cached-versions</td><td>65536</td><td>messages kept by id per shard (read or
 *   written; the ones not yet durable are always kept)</td></tr>
 * </table>
 */
public final class CassandraStoreContext
{
    private List<InetSocketAddress> contactPoints = parseContactPoints(
        System.getProperty("pinwheel.cassandra.contact-points", "127.0.0.1:9042"));
    private String keyspace = System.getProperty("pinwheel.cassandra.keyspace", "pinwheel");
    private int replication = Integer.getInteger("pinwheel.cassandra.replication", 1);
    private String localDatacenter = System.getProperty("pinwheel.cassandra.local-datacenter", "datacenter1");
    private String consistency = System.getProperty("pinwheel.cassandra.consistency");
    private int maxInFlight = Integer.getInteger("pinwheel.cassandra.max-in-flight", 256);
    private int backlog = Integer.getInteger("pinwheel.cassandra.backlog", 16384);
    private int maxReads = Integer.getInteger("pinwheel.cassandra.max-reads", 1024);
    private long requestTimeoutMillis = Long.getLong("pinwheel.cassandra.request-timeout-ms", 2000);
    private long ackTimeoutMillis = Long.getLong("pinwheel.cassandra.ack-timeout-ms", 5000);
    private int hotChannels = Integer.getInteger("pinwheel.cassandra.hot-channels", 4096);
    private int hotMessages = Integer.getInteger("pinwheel.cassandra.hot-messages", 200);
    private dev.pinwheel.core.store.WriteFence fence = dev.pinwheel.core.store.WriteFence.NONE;
    private int cachedVersions = Integer.getInteger("pinwheel.cassandra.cached-versions", 1 << 16);
    private int shards = 1;
    private LongToIntFunction ownerOf = key -> 0;

    /**
     * @param value HOST:PORT,… (IPv4, a name, or [IPv6]:PORT).
     * @return the addresses.
     * @throws IllegalArgumentException if one is malformed.
     */
    public static List<InetSocketAddress> parseContactPoints(final String value)
    {
        final List<InetSocketAddress> out = new ArrayList<>();
        for (final String raw : value.split(","))
        {
            final String p = raw.trim();
            if (p.isEmpty())
            {
                continue;
            }
            final int colon = p.lastIndexOf(':');
            final String host = colon < 0 ? p : p.substring(0, colon);
            final int port;
            try
            {
                port = colon < 0 ? 9042 : Integer.parseInt(p.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("bad Cassandra address '" + p + "' (want HOST:PORT)");
            }
            if (host.isEmpty() || port < 1 || port > 65535)
            {
                throw new IllegalArgumentException("bad Cassandra address '" + p + "' (want HOST:PORT)");
            }
            out.add(InetSocketAddress.createUnresolved(host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host, port));
        }
        if (out.isEmpty())
        {
            throw new IllegalArgumentException("no Cassandra address in '" + value + "'");
        }
        return out;
    }

    public CassandraStoreContext contactPoints(final List<InetSocketAddress> value)
    {
        contactPoints = List.copyOf(value);
        return this;
    }

    public CassandraStoreContext contactPoints(final String value)
    {
        return contactPoints(parseContactPoints(value));
    }

    public CassandraStoreContext keyspace(final String value)
    {
        keyspace = value;
        return this;
    }

    public CassandraStoreContext replication(final int value)
    {
        replication = value;
        return this;
    }

    public CassandraStoreContext localDatacenter(final String value)
    {
        localDatacenter = value;
        return this;
    }

    /**
     * @param value a consistency level name (ONE, LOCAL_ONE, QUORUM, LOCAL_QUORUM, ALL…), or null for the default.
     * @return this.
     */
    public CassandraStoreContext consistency(final String value)
    {
        consistency = value;
        return this;
    }

    public CassandraStoreContext maxInFlight(final int value)
    {
        maxInFlight = value;
        return this;
    }

    public CassandraStoreContext backlog(final int value)
    {
        backlog = value;
        return this;
    }

    public CassandraStoreContext maxReads(final int value)
    {
        maxReads = value;
        return this;
    }

    public CassandraStoreContext requestTimeoutMillis(final long value)
    {
        requestTimeoutMillis = value;
        return this;
    }

    public CassandraStoreContext ackTimeoutMillis(final long value)
    {
        ackTimeoutMillis = value;
        return this;
    }

    public CassandraStoreContext hotChannels(final int value)
    {
        hotChannels = value;
        return this;
    }

    public CassandraStoreContext cachedVersions(final int value)
    {
        cachedVersions = value;
        return this;
    }

    public CassandraStoreContext hotMessages(final int value)
    {
        hotMessages = value;
        return this;
    }

    /**
     * @param shardCount the node's shards.
     * @param owner      the routing key's owner shard (the node's routing ring): a shard replays the state logs of
     *                   the scopes it owns.
     * @return this.
     */
    public CassandraStoreContext routing(final int shardCount, final LongToIntFunction owner)
    {
        shards = shardCount;
        ownerOf = owner;
        return this;
    }

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the bad setting.
     */
    public CassandraStoreContext conclude()
    {
        if (keyspace == null || !keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}"))
        {
            throw new IllegalArgumentException("bad keyspace name '" + keyspace + "' (letters, digits, _; 48 at most)");
        }
        if (replication < 1 || replication > 15)
        {
            throw new IllegalArgumentException("replication must be 1..15: " + replication);
        }
        consistencyLevel(); // validates the name
        if (Integer.bitCount(backlog) != 1 || backlog < 64)
        {
            throw new IllegalArgumentException("pinwheel.cassandra.backlog must be a power of two >= 64: " + backlog);
        }
        if (maxInFlight < 1 || maxInFlight > backlog)
        {
            throw new IllegalArgumentException("pinwheel.cassandra.max-in-flight must be 1..backlog: " + maxInFlight);
        }
        if (maxReads < 1 || maxReads > 1 << 16)
        {
            throw new IllegalArgumentException("pinwheel.cassandra.max-reads must be 1..65536: " + maxReads);
        }
        if (requestTimeoutMillis < 1 || ackTimeoutMillis < 1)
        {
            throw new IllegalArgumentException("Cassandra timeouts must be > 0");
        }
        if (hotChannels < 1 || hotMessages < 100 || cachedVersions < 16)
        {
            throw new IllegalArgumentException("hot-channels must be >= 1, hot-messages >= 100, cached-versions >= 16");
        }
        return this;
    }

    public List<InetSocketAddress> contactPoints()
    {
        return contactPoints;
    }

    public String keyspace()
    {
        return keyspace;
    }

    public int replication()
    {
        return replication;
    }

    public String localDatacenter()
    {
        return localDatacenter;
    }

    /**
     * @return the consistency level name: the one set, else LOCAL_QUORUM, or ONE on a single replica.
     */
    public String consistencyLevel()
    {
        final String c = consistency != null ? consistency.toUpperCase(Locale.ROOT)
            : replication == 1 ? "ONE" : "LOCAL_QUORUM";
        if (!c.matches("ANY|ONE|TWO|THREE|QUORUM|ALL|LOCAL_QUORUM|EACH_QUORUM|LOCAL_ONE"))
        {
            throw new IllegalArgumentException("unknown consistency level '" + c + "'");
        }
        return c;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public int backlog()
    {
        return backlog;
    }

    public int maxReads()
    {
        return maxReads;
    }

    public long requestTimeoutMillis()
    {
        return requestTimeoutMillis;
    }

    public long ackTimeoutMillis()
    {
        return ackTimeoutMillis;
    }

    public int hotChannels()
    {
        return hotChannels;
    }

    /**
     * @return whether this node may still send its writes ({@link dev.pinwheel.core.store.WriteFence#NONE}: always).
     */
    public dev.pinwheel.core.store.WriteFence fence()
    {
        return fence;
    }

    /**
     * @param value whether this node may still send its writes (a cluster node's ownership: {@code WriteFence}).
     * @return this.
     */
    public CassandraStoreContext fence(final dev.pinwheel.core.store.WriteFence value)
    {
        fence = java.util.Objects.requireNonNull(value, "value");
        return this;
    }

    /**
     * @return messages kept in memory per hot channel.
     */
    public int hotMessages()
    {
        return hotMessages;
    }

    public int cachedVersions()
    {
        return cachedVersions;
    }

    public int shards()
    {
        return shards;
    }

    public LongToIntFunction ownerOf()
    {
        return ownerOf;
    }
}
