package dev.pinwheel.server;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

import dev.pinwheel.server.top.PinwheelTop;
import dev.pinwheel.storage.Durability;
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
               pinwheel plan [--shards N] [--profile NAME] [--root DIR]
               pinwheel top --data DIR [--interval SECONDS] [--once] [--no-color]
               pinwheel top [--url URL] [--token TOKEN] [--interval SECONDS] [--once] [--no-color]
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
        if (rest.length > 0 && "run".equals(rest[0]))
        {
            rest = Arrays.copyOfRange(rest, 1, rest.length);
        }
        final NodeShutdown shutdown = new NodeShutdown(NodeShutdown.configuredTimeoutMillis());
        final PinwheelServer.Builder b = PinwheelServer.builder()
            .voiceEnabled(dev.pinwheel.voicesfu.VoiceConfiguration.enabled())
            .onShardDeath(shutdown::shardDied);
        for (int i = 0; i < rest.length; i++)
        {
            final String a = rest[i];
            final String v = i + 1 < rest.length ? rest[i + 1] : null;
            switch (a)
            {
                case "--host" -> b.gateway().host(require(a, v));
                case "--port" -> b.gateway().port(Integer.parseInt(require(a, v)));
                case "--shards" -> b.shards(Integer.parseInt(require(a, v)));
                case "--data" -> b.dataDir(Path.of(require(a, v)));
                case "--durability" -> b.durability(Durability.valueOf(require(a, v).toUpperCase(java.util.Locale.ROOT)));
                case "--profile" -> b.profile(TuningProfile.forName(require(a, v)));
                case "-h", "--help" ->
                {
                    System.out.print(USAGE);
                    return;
                }
                default ->
                {
                    System.err.print("unknown option " + a + "\n" + USAGE);
                    System.exit(2);
                }
            }
            i++;
        }
        final PinwheelServer server;
        try
        {
            server = b.start();
        }
        catch (final RuntimeException ex)
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
        FaultInjection.startIfEnabled(server.gateway().shards());
        System.out.println("Pinwheel is serving on http://" + b.gateway().host() + ":" + server.port()
            + " (REST /api/v10, gateway ws://" + b.gateway().host() + ":" + server.port() + "), data in "
            + server.dataDir());
        if (server.voice() != null)
        {
            System.out.println("Voice gateway wss://" + server.voice().context().publicHost() + ":"
                + server.voice().gatewayPort() + " (certificate " + server.voice().certificatePem() + "), UDP "
                + server.voice().udpPort());
        }
        new CountDownLatch(1).await(); // the process ends by System.exit, a signal, or a dying shard
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
