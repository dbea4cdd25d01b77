package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changing {@code --members}: three members agree on an epoch and stop; nodes 0 and 1 start again on the same data
 * directories with a two-member list on other ports. Their consensus files were made for the old list: they are set
 * aside ({@code aeron-cluster/previous}) and the two agree on a first epoch of their own. With
 * {@code resetOnMembersChange=false} such a start is refused with a message that names the option.
 */
class ConsensusMembersChangeTest
{
    @TempDir
    Path dir;

    private final MediaDriver[] drivers = new MediaDriver[3];
    private final ConsensusMembership[] members = new ConsensusMembership[3];

    @AfterEach
    void stop()
    {
        for (int k = 0; k < 3; k++)
        {
            stopNode(k);
        }
    }

    private ConsensusMembership startNode(final int k, final ClusterMembers spec, final boolean reset)
    {
        drivers[k] = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("aeron-" + k).toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1000, TimeUnit.MILLISECONDS.toNanos(1)))
            .termBufferSparseFile(true));
        members[k] = new ConsensusMembership(new MembershipContext().nodeId(k).members(spec)
            .clusterDir(clusterDir(k))
            .aeronDirectoryName(drivers[k].aeronDirectoryName())
            .resetOnMembersChange(reset)
            .peerTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(1000)), null);
        return members[k];
    }

    private Path clusterDir(final int k)
    {
        return dir.resolve("node-" + k).resolve("aeron-cluster");
    }

    private void stopNode(final int k)
    {
        CloseHelper.quietCloseAll(members[k], drivers[k]);
        members[k] = null;
        drivers[k] = null;
    }

    @Test
    void aMemberListChangeSetsTheOldConsensusFilesAsideAndTheNewClusterAgrees() throws Exception
    {
        final ClusterMembers three = ClusterMembers.parse(ConsensusMembershipTest.freeBases(3));
        for (int k = 0; k < 3; k++)
        {
            startNode(k, three, true);
        }
        await(60_000, () -> live(0b111, 0, 1, 2), "three members agree");
        final long oldEpoch = members[0].epoch();
        for (int k = 0; k < 3; k++)
        {
            stopNode(k);
        }
        assertTrue(Files.readString(clusterDir(0).resolve(ConsensusMembers.FILE)).contains(
            three.endpoint(2).split(":")[0]), "the member list is recorded next to the files");

        final ClusterMembers two = ClusterMembers.parse(ConsensusMembershipTest.freeBases(2));
        // refused when told not to reset: the message names the option
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> startNode(0, two, false));
        stopNode(0);
        assertTrue(refused.getMessage().contains("pinwheel.cluster.resetOnMembersChange"), refused.getMessage());
        assertTrue(Files.isDirectory(clusterDir(0).resolve("consensus")), "nothing set aside when refused");

        for (int k = 0; k < 2; k++)
        {
            startNode(k, two, true);
        }
        await(60_000, () -> live(0b11, 0, 1), "the two members of the new list agree");
        for (int k = 0; k < 2; k++)
        {
            assertTrue(Files.isDirectory(clusterDir(k).resolve(ConsensusMembers.PREVIOUS).resolve("consensus")),
                "the old files are set aside");
            assertEquals(members[0].epoch(), members[k].epoch());
        }
        System.out.println("ConsensusMembersChangeTest: old cluster at epoch " + oldEpoch + "; the new two-member "
            + "cluster agreed on epoch " + members[0].epoch());
    }

    @Test
    void aListChangedBackBringsBackTheFilesMadeForItAndResetConsensusSetsThemAsideWhateverTheList()
        throws Exception
    {
        final Path d = dir.resolve("files");
        Files.createDirectories(d.resolve("consensus"));
        Files.writeString(d.resolve("consensus").resolve("recording.log"), "made for A");
        ConsensusMembers.check(d, 0, "A", true);
        ConsensusMembers.check(d, 0, "A", true);
        assertEquals("made for A", Files.readString(d.resolve("consensus").resolve("recording.log")), "same list: kept");

        ConsensusMembers.check(d, 0, "B", true); // a mistyped list: A's files set aside, B starts fresh
        assertTrue(Files.notExists(d.resolve("consensus")), "fresh for B");
        assertEquals("made for A", Files.readString(d.resolve("previous").resolve("consensus").resolve("recording.log")));
        Files.createDirectories(d.resolve("consensus"));
        Files.writeString(d.resolve("consensus").resolve("recording.log"), "made for B");

        ConsensusMembers.check(d, 0, "A", true); // fixed: A's files come back, B's are set aside
        assertEquals("made for A", Files.readString(d.resolve("consensus").resolve("recording.log")));
        assertEquals("made for B", Files.readString(d.resolve("previous").resolve("consensus").resolve("recording.log")));

        assertThrows(IllegalStateException.class, () -> ConsensusMembers.check(d, 1, "A", false), "another node id");
        ConsensusMembers.check(d, 0, "A", true, true); // resetConsensus: aside whatever the list
        assertTrue(Files.notExists(d.resolve("consensus")), "fresh after resetConsensus");
        assertEquals("made for A", Files.readString(d.resolve("previous").resolve("consensus").resolve("recording.log")));
    }

    private boolean live(final int mask, final int... nodes)
    {
        final long epoch = members[nodes[0]].epoch();
        for (final int k : nodes)
        {
            if (members[k] == null || members[k].liveNodes() != mask || members[k].epoch() != epoch)
            {
                return false;
            }
        }
        return epoch > 0;
    }

    private void await(final long timeoutMs, final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out: " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
