package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * {@code --members} is refused with a message naming the problem when two nodes would bind the same port: the same
 * link address twice, or, on one host, one node's link port among another's consensus ports (link port + 1..5 ×
 * offset). Before, such a cluster started and its nodes failed to bind, or one node's consensus traffic reached
 * another's link.
 */
class ClusterMembersTest
{
    private static MembershipContext context(final String members)
    {
        return new MembershipContext().nodeId(0).members(ClusterMembers.parse(members))
            .clusterDir(Path.of("unused")).aeronDirectoryName("unused");
    }

    @Test
    void aLinkAddressGivenTwiceIsRefused()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ClusterMembers.parse("127.0.0.1:29001,127.0.0.2:29001,127.0.0.1:29001"));
        assertEquals("--members: 127.0.0.1:29001 is given twice (nodes 0 and 2); each node needs its own link address",
            e.getMessage());
    }

    @Test
    void nodesOfOneHostWhosePortsOverlapAreRefused()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> context("127.0.0.1:29001,127.0.0.1:29301,127.0.0.1:30001").conclude());
        assertTrue(e.getMessage().startsWith("--members: nodes 0 (127.0.0.1:29001) and 1 (127.0.0.1:29301) share a port"),
            e.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> context("127.0.0.1:29001,127.0.0.1:28501").portOffset(100).conclude(), "archive port of node 1");
    }

    @Test
    void portsThatDoNotOverlapOrOtherHostsAreAccepted()
    {
        context("127.0.0.1:29001,127.0.0.1:29002,127.0.0.1:29003").conclude(); // ./pinwheel cluster's layout
        context("127.0.0.1:29001,127.0.0.2:29001,127.0.0.3:29001").conclude();
        context("127.0.0.1:29001,127.0.0.1:29150,127.0.0.1:29601").conclude();
    }
}
