package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.routing.RoutingRing;

/**
 * A registration that fails after its username was claimed gives the name back to the name's owner, and keeps giving
 * it back until that owner acknowledges, even when the owner is down at the time (issue 12). Three nodes in child
 * JVMs; nodes 0 and 1 have their data directories on small filesystems of their own (tmpfs, root only), filled past
 * the store's reserve, so that a new account they own cannot be journaled (507). With nodes 0 and 1 stopped
 * (SIGSTOP), a name owned by node 2 is registered through node 2: node 2 journals the claim and sends the
 * registration on to the new id's owner (node 0 or 1, which is what the test waits for). Node 2 is killed (SIGKILL),
 * nodes 0 and 1 resume: the registration fails on the full disk, and the release goes to a dead node. The disks are
 * freed and node 2 restarted: the name registers again (before, the release was lost and the name refused as taken
 * for good).
 */
class ClusterNameReleaseTest
{
    private static final int NODES = 3;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private final Path[] mounts = new Path[2];
    private LocalCluster cluster;

    @BeforeEach
    void mountSmallFilesystems() throws Exception
    {
        for (int k = 0; k < mounts.length; k++)
        {
            mounts[k] = Files.createTempDirectory("pinwheel-name-release-" + k);
            final Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs",
                mounts[k].toString()).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes());
            assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                "this test mounts two 512 MiB tmpfs and needs root (CI runs as root): " + out);
        }
    }

    @AfterEach
    void stop() throws Exception
    {
        if (cluster != null)
        {
            cluster.close(); // resumes the nodes the test stopped
        }
        for (final Path mount : mounts)
        {
            if (mount != null)
            {
                new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
                Files.deleteIfExists(mount);
            }
        }
    }

    @Test
    void aNameWhoseReleaseMetItsOwnerDownIsFreeOnceTheOwnerIsBack() throws Exception
    {
        // a peer timeout longer than the test keeps nodes 0 and 1 stopped: node 2 never finds them unreachable
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=10000",
            "-Dpinwheel.cluster.termLength=1048576", "-Dpinwheel.storage.min-free-bytes=" + (128 << 20),
            "-Dpinwheel.storage.preallocate-bytes=1048576", "-Dpinwheel.storage.index-entries=16384"))
            .dataDirs(k -> k < mounts.length ? mounts[k].resolve("data") : dir.resolve("node-" + k)).startAllLive();
        final RestClient[] rests = new RestClient[NODES];
        final RestClient.User[] admins = new RestClient.User[NODES];
        for (int k = 0; k < NODES; k++)
        {
            rests[k] = new RestClient(cluster.node(k).restBase());
        }
        final RestClient.User admin = rests[0].register("admin"); // the cluster's first account: every node's admin
        java.util.Arrays.fill(admins, admin);
        for (int k = 0; k < NODES; k++)
        {
            LocalCluster.awaitMetrics(rests[k], admin); // its account and token reached node k
        }
        final RestClient rest2 = rests[2];
        final RestClient.User admin2 = admins[2];
        final long[] registersBefore = {LocalCluster.metric(rests[0], admins[0], "type=\"account_register\""),
            LocalCluster.metric(rests[1], admins[1], "type=\"account_register\"")};
        final Path[] fillers = new Path[mounts.length];
        for (int k = 0; k < mounts.length; k++)
        {
            fillers[k] = fill(mounts[k], 64L << 20); // below the 128 MiB reserve: no journal write on node k
            cluster.node(k).awaitLine("writes are refused until space is freed");
        }

        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        String name = null;
        for (int i = 0; i < 40 && name == null; i++)
        {
            final String candidate = "orphan-" + i;
            if (ring.nodeOf(Usernames.key(candidate)) != 2)
            {
                continue;
            }
            final CompletableFuture<RestClient.Response> register = cluster.registerPastStoppedNodes(2, rest2, admin2,
                "{\"username\":\"" + candidate + "\",\"password\":\"password-x\",\"bot\":true}");
            if (register == null)
            {
                continue; // the new id was node 2's own (disk not full there): another name
            }
            name = candidate;
            cluster.kill(2);
            LocalCluster.signal(cluster.node(0), "CONT");
            LocalCluster.signal(cluster.node(1), "CONT");
        }
        assertTrue(name != null, "a registration of a name of node 2 went on to node 0 or 1");
        final String chosen = name;
        // the owner of the new id refuses the account (disk full) and gives the name back to node 2, which is dead
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (LocalCluster.metric(rests[0], admins[0], "type=\"account_register\"") == registersBefore[0]
            && LocalCluster.metric(rests[1], admins[1], "type=\"account_register\"") == registersBefore[1])
        {
            assertTrue(System.nanoTime() - deadline < 0, "node 0 or 1 ran the registration within 60 s");
            TimeUnit.MILLISECONDS.sleep(50);
        }
        for (int k = 0; k < mounts.length; k++)
        {
            Files.delete(fillers[k]);
            cluster.node(k).awaitLine("writes accepted again");
        }

        cluster.start(2);
        final RestClient rest = new RestClient(cluster.node(2).restBase());
        final RestClient.Response r = LocalCluster.registerOnceFree(rest, "{\"username\":\"" + chosen
            + "\",\"password\":\"password-y\",\"bot\":true}");
        assertEquals(201, r.status(), "'" + chosen + "' is free again once node 2 is back: " + r.raw());
    }

    /** Fills the filesystem of {@code mount} until {@code leave} bytes are free. */
    private static Path fill(final Path mount, final long leave) throws IOException
    {
        final Path filler = mount.resolve("filler");
        final byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler))
        {
            while (Files.getFileStore(mount).getUsableSpace() > leave + chunk.length)
            {
                out.write(chunk);
            }
        }
        return filler;
    }
}
