package dev.pinwheel.server.storage;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The ports this test JVM may pick for the servers it starts. Surefire runs the server module's tests in two JVMs at
 * once ({@code forkCount} in {@code server/pom.xml}, each told its number as {@code pinwheel.test.fork} of
 * {@code pinwheel.test.forks}); a port one picked and checked free could be picked by the other before the first child
 * bound it ("Address already in use"). So fork k of n takes only the TCP ports of 10000-19999 that are k modulo n, and
 * only the cluster port groups (a base in 20000-28999 and the five ports 100 apart above it) whose base is k modulo n:
 * the two never hand out the same port. One fork (an IDE, {@code -Dtest=...}) takes them all.
 */
public final class TestPorts
{
    private static final int FORKS = Math.max(1, Integer.getInteger("pinwheel.test.forks", 1));
    private static final int FORK = Math.floorMod(Integer.getInteger("pinwheel.test.fork", 1) - 1, FORKS);

    private TestPorts()
    {
    }

    /**
     * @return a random TCP port of this fork's, 10000-19999 (below the ephemeral range: a port bind(0) handed out could
     *         be taken by an outgoing connection before the child binds it).
     */
    public static int randomTcp()
    {
        return 10_000 + FORKS * ThreadLocalRandom.current().nextInt(10_000 / FORKS) + FORK;
    }

    /**
     * @return a random base of a cluster port group of this fork's, 20000-28999: the group's ports share its remainder
     *         modulo 100, and that remainder is this fork's modulo the forks.
     */
    public static int randomGroupBase()
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        return 20_000 + 100 * random.nextInt(90) + FORKS * random.nextInt(100 / FORKS) + FORK;
    }
}
