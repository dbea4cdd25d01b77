package dev.pinwheel.storage;

import dev.pinwheel.core.store.RingPublisher;
import net.openhft.chronicle.map.ChronicleMap;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Publishes the routing ring into the host's persisted Chronicle Map ({@code <dataDir>/routing-ring.dat}, layout
 * in {@link RoutingRingFile}), where every process on the host and a restarted node read it with a
 * {@link ChronicleRingReader}.
 * <p>
 * The map is opened once by the constructor (seconds, the first time in a JVM); {@link #publish} then costs one
 * encode and two map puts (sub-millisecond for thousands of points once warm). Publishing replaces the previous
 * ring whatever its version: the publisher is the authority.
 * <p>
 * Thread-safe (Chronicle Map locks per segment), though the ring changes on one control thread in practice.
 */
public final class ChronicleRingPublisher implements RingPublisher
{
    /** Largest ring {@link #publish} accepts. */
    public static final int MAX_POINTS = RoutingRingFile.MAX_POINTS;

    private final Path file;
    private final ChronicleMap<Integer, byte[]> map;

    /**
     * Opens (or creates) {@code <dataDir>/routing-ring.dat}.
     *
     * @param dataDir the node's data directory.
     */
    public ChronicleRingPublisher(final Path dataDir)
    {
        this.file = Objects.requireNonNull(dataDir, "dataDir").resolve(RoutingRingFile.FILE_NAME);
        this.map = RoutingRingFile.open(file);
    }

    /**
     * @return the map file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the arrays differ in length or hold more than {@link #MAX_POINTS}.
     */
    @Override
    public void publish(final long version, final long[] points, final int[] owners)
    {
        if (points.length != owners.length)
        {
            throw new IllegalArgumentException("points and owners differ: " + points.length + " != " + owners.length);
        }
        if (points.length > MAX_POINTS)
        {
            throw new IllegalArgumentException("ring too large: " + points.length + " > " + MAX_POINTS + " points");
        }
        map.put(RoutingRingFile.RING_KEY, RoutingRingFile.encodeRing(version, points, owners));
        map.put(RoutingRingFile.HEADER_KEY, RoutingRingFile.encodeHeader(version));
    }

    @Override
    public void close()
    {
        map.close();
    }
}
