package dev.pinwheel.server;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import dev.pinwheel.server.top.PinwheelTop;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.cassandra.CassandraStoreContext;
import dev.pinwheel.tuning.PlanCli;
import dev.pinwheel.tuning.TuningProfile;

/**
 * Command line: {@code run} (default) starts a node; {@code plan} prints the pinning plan; {@code top} watches a
 * node in the terminal, from its counters file ({@code --data}) or its {@code /metrics}.
 */
public final class PinwheelMain
{
    static final String USAGE = """
        usage: pinwheel [run] [--host H] [--port P] [--shards N] [--data DIR] [--durability os|sync]
                              [--store embedded|cassandra] [--cassandra HOST:PORT,...] [--keyspace NAME]
                              [--replication N] [--consistency LEVEL]
                              [--node-id K --members HOST:PORT,HOST:PORT,...]   (a node of a cluster: the members'
                              cluster-link addresses, Aeron UDP; node K is the K-th; every member runs the same --shards)
               pinwheel migrate --data DIR --to-cassandra HOST:PORT,... [--keyspace NAME] [--replication N]
               pinwheel plan [--shards N] [--profile NAME] [--root DIR]
               pinwheel top --data DIR [--interval SECONDS] [--once] [--no-color]
               pinwheel top [--url URL] [--token TOKEN] [--interval SECONDS] [--once] [--no-color]
               pinwheel ring --data DIR [--guild ID[,ID...] | --guild @FILE] [--watch]   (the ring a node published)
        """;

    private PinwheelMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        String[] rest = args;
        if (rest.length > 0 && "plan".equals(rest[0]))
        {
            PlanCli.main(Arrays.copyOfRange(rest, 1, rest.length));
            return;
        }
        if (rest.length > 0 && "top".equals(rest[0]))
        {
            PinwheelTop.main(Arrays.copyOfRange(rest, 1, rest.length));
            return;
        }
        if (rest.length > 0 && "ring".equals(rest[0]))
        {
            System.exit(RingCli.run(Arrays.copyOfRange(rest, 1, rest.length), System.out));
            return;
        }
        if (rest.length > 0 && "migrate".equals(rest[0]))
        {
            System.exit(MigrateCli.run(Arrays.copyOfRange(rest, 1, rest.length)));
            return;
        }
        if (rest.length > 0 && "run".equals(rest[0]))
        {
            rest = Arrays.copyOfRange(rest, 1, rest.length);
        }
        final NodeShutdown shutdown = new NodeShutdown(NodeShutdown.configuredTimeoutMillis());
        final PinwheelServer.Builder b;
        try
        {
            b = PinwheelServer.builder() // reads the pinwheel.* settings: one that cannot be used stops here
                .voiceEnabled(dev.pinwheel.voicesfu.VoiceConfiguration.enabled())
                .onShardDeath(shutdown::shardDied);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("pinwheel: " + ex.getMessage());
            System.exit(2);
            return;
        }
        String store = System.getProperty("pinwheel.store", "embedded");
        final CassandraStoreContext cassandra = new CassandraStoreContext();
        boolean cassandraOption = false;
        int nodeId = -1;
        String members = null;
        try
        {
            for (int i = 0; i < rest.length; i++)
            {
                final String a = rest[i];
                final String v = i + 1 < rest.length ? rest[i + 1] : null;
                switch (a)
                {
                    case "--host" -> b.gateway().host(require(a, v));
                    case "--port" -> b.gateway().port(number(a, v));
                    case "--shards" -> b.shards(number(a, v));
                    case "--node-id" -> nodeId = number(a, v);
                    case "--members" -> members = require(a, v);
                    case "--data" -> b.dataDir(Path.of(require(a, v)));
                    case "--durability" -> b.durability(Durability.valueOf(require(a, v).toUpperCase(Locale.ROOT)));
                    case "--profile" -> b.profile(TuningProfile.forName(require(a, v)));
                    case "--store" -> store = require(a, v);
                    case "--cassandra" ->
                    {
                        cassandra.contactPoints(require(a, v));
                        cassandraOption = true;
                    }
                    case "--keyspace" ->
                    {
                        cassandra.keyspace(require(a, v));
                        cassandraOption = true;
                    }
                    case "--replication" ->
                    {
                        cassandra.replication(number(a, v));
                        cassandraOption = true;
                    }
                    case "--consistency" ->
                    {
                        cassandra.consistency(require(a, v));
                        cassandraOption = true;
                    }
                    case "-h", "--help" ->
                    {
                        System.out.print(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                i++;
            }
            if (members != null || nodeId >= 0)
            {
                if (members == null || nodeId < 0)
                {
                    throw new IllegalArgumentException("a cluster node needs both --node-id and --members");
                }
                final int size = dev.pinwheel.cluster.ClusterMembers.parse(members).size();
                if (nodeId >= size)
                {
                    throw new IllegalArgumentException("--node-id " + nodeId + " is not one of the " + size
                        + " --members (0.." + (size - 1) + ")");
                }
                b.nodeId(nodeId).members(members);
            }
            switch (store)
            {
                case "embedded" ->
                {
                    if (cassandraOption)
                    {
                        throw new IllegalArgumentException("--cassandra, --keyspace, --replication and --consistency "
                            + "need --store cassandra");
                    }
                }
                case "cassandra" -> b.cassandra(cassandra.conclude());
                default -> throw new IllegalArgumentException("unknown store '" + store + "' (embedded or cassandra)");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.print("pinwheel: " + ex.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        final PinwheelServer server;
        try
        {
            server = b.start();
        }
        catch (final Exception ex) // any: a checked one rethrown unchecked (Netty's sync()) must not hang the JVM either
        {
            // Other threads (Chronicle, Netty) would keep a half-started JVM alive: say why and exit.
            System.err.println("pinwheel: could not start: " + ex.getMessage());
            ex.printStackTrace();
            Logging.shutdown(2000);
            System.exit(1);
            return;
        }
        // Bounded: SIGTERM always ends the process (NodeShutdown halts it if closing hangs).
        shutdown.server(server);
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "pinwheel-shutdown"));
        FaultInjection.startIfEnabled(server.gateway().shards(), server.gateway().context().files(), server.link());
        System.out.println("Pinwheel is serving on http://" + b.gateway().host() + ":" + server.port()
            + " (REST /api/v10, gateway ws://" + b.gateway().host() + ":" + server.port() + "), data in "
            + server.dataDir() + (b.cassandraContext() == null ? "" : ", messages and state in Cassandra "
            + b.cassandraContext().contactPoints() + " keyspace " + b.cassandraContext().keyspace()));
        if (server.voice() != null)
        {
            System.out.println("Voice gateway wss://" + server.voice().context().publicHost() + ":"
                + server.voice().gatewayPort() + " (certificate " + server.voice().certificatePem() + "), UDP "
                + server.voice().udpPort());
        }
        new CountDownLatch(1).await(); // the process ends by System.exit, a signal, or a dying shard
    }

    private static int number(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(require(option, value));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " needs a number, not '" + value + "'");
        }
    }

    private static String require(final String option, final String value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
