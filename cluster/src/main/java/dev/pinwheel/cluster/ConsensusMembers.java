package dev.pinwheel.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member list a node's consensus files were made for, kept next to them ({@code DATA/aeron-cluster/members}: this
 * node's id and Aeron Cluster's member string, i.e. every member's five consensus endpoints). Aeron Cluster's members
 * are static: a Raft log and archive made for one list cannot serve another (other voters, other ports).
 * <p>
 * At start, files made for another list are set aside ({@code DATA/aeron-cluster/previous}, replacing an older set)
 * and the member starts fresh. That loses nothing committed: the replicated state is the ring epoch, its live nodes
 * and its handover phases, all of which the new cluster learns again from heartbeats (a changed member list means
 * every node restarts, each on its first epoch); what is acknowledged to clients lives in the store, not here. With
 * {@code -Dpinwheel.cluster.resetOnMembersChange=false} the node refuses to start instead, naming the option and the
 * directory. Files without a recorded list (made before it was kept) are taken as made for the current one. When the
 * list changes back to the one the files set aside were made for, those come back (a mistyped list fixed).
 * <p>
 * {@code -Dpinwheel.cluster.resetConsensus=true} sets the files aside at every start, whatever list they were made
 * for: given to every member at once, it restarts the consensus from nothing (the remedy for a member that lost its
 * consensus files after the others dropped the log it would need to catch up: see {@link ConsensusLogKeeper}).
 */
final class ConsensusMembers
{
    private static final Logger LOG = LoggerFactory.getLogger(ConsensusMembers.class);
    static final String FILE = "members";
    static final String PREVIOUS = "previous";
    private static final String[] STATE = {"archive", "consensus"};

    private ConsensusMembers()
    {
    }

    /**
     * Checks (and records) the member list of the consensus files under {@code dir}.
     *
     * @param dir     {@code DATA/aeron-cluster}.
     * @param nodeId  this node.
     * @param members Aeron Cluster's member string.
     * @param reset   set files made for another list aside (else refuse).
     * @throws IllegalStateException when they were made for another list and {@code reset} is false.
     */
    static void check(final Path dir, final int nodeId, final String members, final boolean reset)
    {
        check(dir, nodeId, members, reset, false);
    }

    /**
     * @param always set the files aside whatever list they were made for ({@code pinwheel.cluster.resetConsensus}).
     */
    static void check(final Path dir, final int nodeId, final String members, final boolean reset,
        final boolean always)
    {
        final String now = "node " + nodeId + "\n" + members + "\n";
        try
        {
            Files.createDirectories(dir);
            final Path file = dir.resolve(FILE);
            final boolean hasState = Files.isDirectory(dir.resolve("consensus"))
                || Files.isDirectory(dir.resolve("archive"));
            if (always && hasState)
            {
                setAside(dir);
                LOG.warn("cluster: pinwheel.cluster.resetConsensus: the consensus files in {} were set aside in {}; "
                    + "starting fresh", dir, dir.resolve(PREVIOUS));
            }
            else if (Files.exists(file) && hasState)
            {
                final String before = Files.readString(file, StandardCharsets.UTF_8);
                final Path previousFile = dir.resolve(PREVIOUS).resolve(FILE);
                if (!before.equals(now) && reset && Files.exists(previousFile)
                    && Files.readString(previousFile, StandardCharsets.UTF_8).equals(now))
                {
                    swapWithPrevious(dir);
                    LOG.warn("cluster: the consensus files in {} were made for another member list ({}); the ones set "
                        + "aside before were made for this one ({}): they are used again", dir, oneLine(before),
                        oneLine(now));
                }
                else if (!before.equals(now))
                {
                    if (!reset)
                    {
                        throw new IllegalStateException("cluster: the consensus files in " + dir + " were made for "
                            + "another member list (" + oneLine(before) + "; now " + oneLine(now) + "). Start with "
                            + "-Dpinwheel.cluster.resetOnMembersChange=true to set them aside and start fresh, or "
                            + "delete " + dir + " by hand");
                    }
                    setAside(dir);
                    LOG.warn("cluster: the consensus files in {} were made for another member list ({}; now {}): "
                        + "set aside in {} and starting fresh (the ring epochs and liveness are learned again from "
                        + "heartbeats; nothing acknowledged is kept there)", dir, oneLine(before), oneLine(now),
                        dir.resolve(PREVIOUS));
                }
            }
            final Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(tmp, now, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cluster: cannot check the member list of " + dir, ex);
        }
    }

    /** The files set aside before come back; the current ones take their place. */
    private static void swapWithPrevious(final Path dir) throws IOException
    {
        final Path previous = dir.resolve(PREVIOUS);
        final Path swap = dir.resolve(PREVIOUS + ".swap");
        deleteTree(swap);
        Files.move(previous, swap);
        setAside(dir);
        for (final String sub : STATE)
        {
            if (Files.exists(swap.resolve(sub)))
            {
                Files.move(swap.resolve(sub), dir.resolve(sub));
            }
        }
        deleteTree(swap);
    }

    private static void setAside(final Path dir) throws IOException
    {
        final Path previous = dir.resolve(PREVIOUS);
        deleteTree(previous);
        Files.createDirectories(previous);
        for (final String sub : STATE)
        {
            if (Files.exists(dir.resolve(sub)))
            {
                Files.move(dir.resolve(sub), previous.resolve(sub));
            }
        }
        if (Files.exists(dir.resolve(FILE)))
        {
            Files.move(dir.resolve(FILE), previous.resolve(FILE));
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }

    private static String oneLine(final String s)
    {
        return s.strip().replace('\n', ' ');
    }
}
