package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.tuning.TuningProfile;

/**
 * A cluster node whose voice server fails to start (an unreadable keystore) throws from its start and leaves nothing
 * of the cluster behind: the link's media driver, the consensus member (archive, consensus module, service, the
 * membership agent) are closed, so their UDP ports are free again and the same node starts on the same data
 * directory and ports at once.
 */
class FailedStartClosesClusterTest
{
    @TempDir
    Path dir;

    @Test
    void aNodeWhoseVoiceFailsToStartClosesItsClusterLinkAndConsensusMember() throws Exception
    {
        final int base = freeBase();
        final int other = freeBase();
        final String members = "127.0.0.1:" + base + ",127.0.0.1:" + other;
        final Path keystore = dir.resolve("broken.p12");
        Files.writeString(keystore, "not a keystore");
        final Path data = dir.resolve("node-0");
        final RuntimeException failed = assertThrows(RuntimeException.class, () -> start(data, members, keystore));
        System.out.println("FailedStartClosesClusterTest: the start failed as it should: " + failed);

        // every port of the node's link and consensus member is free again (waiting for the closes to finish)
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Integer> busy = busyPorts(base);
        while (!busy.isEmpty() && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(50);
            busy = busyPorts(base);
        }
        assertTrue(busy.isEmpty(), "ports still bound after the failed start: " + busy);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive()
            && (t.getName().equals("pinwheel-membership") || t.getName().startsWith("consensus-module"))),
            "no membership agent or consensus module thread left");

        // the same node starts on the same directory and ports
        try (PinwheelServer again = builder(data, members).start())
        {
            assertTrue(again.link() != null && again.membership() != null, "a cluster node again");
        }
    }

    private static PinwheelServer start(final Path data, final String members, final Path keystore)
    {
        final PinwheelServer.Builder b = builder(data, members).voiceEnabled(true);
        b.voice().host("127.0.0.1").gatewayPort(0).udpPort(0).keystore(keystore, "secret");
        return b.start();
    }

    private static PinwheelServer.Builder builder(final Path data, final String members)
    {
        return PinwheelServer.builder().dataDir(data).shards(1).ringSize(1024).profile(TuningProfile.CI)
            .gateway(new GatewayConfig().host("127.0.0.1").port(0).pbkdf2Iterations(1000))
            .nodeId(0).members(members);
    }

    /** The link port and the five consensus ports (+100 × k) that cannot be bound now. */
    private static List<Integer> busyPorts(final int base)
    {
        final List<Integer> busy = new ArrayList<>();
        for (int k = 0; k <= 5; k++)
        {
            if (!free(base + k * 100))
            {
                busy.add(base + k * 100);
            }
        }
        return busy;
    }

    private static int freeBase()
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            final int base = dev.pinwheel.server.storage.TestPorts.randomGroupBase();
            if (busyPorts(base).isEmpty())
            {
                return base;
            }
        }
        throw new AssertionError("no free port group");
    }

    private static boolean free(final int port)
    {
        try (DatagramSocket s = new DatagramSocket(null))
        {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
