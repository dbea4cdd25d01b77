package dev.pinwheel.tuning;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.agrona.concurrent.IdleStrategy;

/**
 * A named tuning profile: whether threads are pinned to CPUs and how each {@link ThreadRole} idles.
 * The same names select the JVM flag profile ({@code jvm-flags/profiles/<name>.args}).
 * <pre>
 *   profile     pin   SHARD       MEDIA       CONDUCTOR   CONTROL
 *   dev         no    BLOCK       BACKOFF     BLOCK       BLOCK     a laptop or the 2-core box
 *   ci          no    BLOCK       BACKOFF     BLOCK       BLOCK     shared CI runners
 *   latency     yes   BUSY_SPIN   BUSY_SPIN   BUSY_SPIN   BLOCK     isolated cores, lowest wake-up latency
 *   throughput  yes   BACKOFF     BACKOFF     BACKOFF     BLOCK     pinned, but cores can be shared
 * </pre>
 * Selected by the system property {@value #PROFILE_PROP_NAME} (default {@value #PROFILE_DEFAULT}).
 */
public final class TuningProfile
{
    /** System property that names the active profile. */
    public static final String PROFILE_PROP_NAME = "pinwheel.profile";
    /** Profile used when the property is not set. */
    public static final String PROFILE_DEFAULT = "dev";

    /**
     * Development: nothing pinned, every duty cycle blocks when idle (a backing-off media loop parks for
     * microseconds at a time and kept an idle server at ~0.27 cores on a 2-core box).
     */
    public static final TuningProfile DEV = new TuningProfile(
        "dev", false, IdleMode.BLOCK, IdleMode.BLOCK, IdleMode.BLOCK);
    /** Continuous integration: as dev; two shared cores must never be spun on. */
    public static final TuningProfile CI = new TuningProfile(
        "ci", false, IdleMode.BLOCK, IdleMode.BLOCK, IdleMode.BLOCK);
    /**
     * Bare metal, lowest latency: pinned, shards, media loops and the cluster link busy-spin on their own cores (the
     * link's round trip between two nodes: 13 µs spinning against 44 µs waiting in epoll, {@code link-floor-probe
     * --udp-spin}; it was BACKOFF when nothing ran on the conductor's thread yet).
     */
    public static final TuningProfile LATENCY = new TuningProfile(
        "latency", true, IdleMode.BUSY_SPIN, IdleMode.BUSY_SPIN, IdleMode.BUSY_SPIN);
    /** Bare metal, most work per core: pinned, every duty cycle backs off so idle cores are given back. */
    public static final TuningProfile THROUGHPUT = new TuningProfile(
        "throughput", true, IdleMode.BACKOFF, IdleMode.BACKOFF, IdleMode.BACKOFF);

    private static final List<TuningProfile> PROFILES = List.of(DEV, CI, LATENCY, THROUGHPUT);

    private final String name;
    private final boolean pin;
    private final Map<ThreadRole, IdleMode> idleModes;

    private TuningProfile(
        final String name, final boolean pin, final IdleMode shard, final IdleMode media, final IdleMode conductor)
    {
        this(name, pin, modes(shard, media, conductor));
    }

    private TuningProfile(final String name, final boolean pin, final Map<ThreadRole, IdleMode> idleModes)
    {
        this.name = name;
        this.pin = pin;
        this.idleModes = idleModes;
    }

    private static Map<ThreadRole, IdleMode> modes(final IdleMode shard, final IdleMode media, final IdleMode conductor)
    {
        final Map<ThreadRole, IdleMode> modes = new EnumMap<>(ThreadRole.class);
        modes.put(ThreadRole.SHARD, shard);
        modes.put(ThreadRole.MEDIA, media);
        modes.put(ThreadRole.CONDUCTOR, conductor);
        modes.put(ThreadRole.CONTROL, IdleMode.BLOCK);
        return modes;
    }

    /**
     * @return the names of the built-in profiles: dev, ci, latency, throughput.
     */
    public static List<String> names()
    {
        return PROFILES.stream().map(TuningProfile::name).toList();
    }

    /**
     * @param name a profile name, case-insensitive.
     * @return the profile.
     * @throws IllegalArgumentException if there is no such profile.
     */
    public static TuningProfile forName(final String name)
    {
        Objects.requireNonNull(name, "name");
        final String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (final TuningProfile profile : PROFILES)
        {
            if (profile.name.equals(wanted))
            {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown tuning profile '" + name + "', known: " + names());
    }

    /**
     * @return the profile named by {@value #PROFILE_PROP_NAME}, or {@value #PROFILE_DEFAULT}.
     * @throws IllegalArgumentException if the property names no profile.
     */
    public static TuningProfile fromSystemProperty()
    {
        return forName(System.getProperty(PROFILE_PROP_NAME, PROFILE_DEFAULT));
    }

    /**
     * @return the profile's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return true if the profile pins its threads to CPUs.
     */
    public boolean pin()
    {
        return pin;
    }

    /**
     * @param role a thread role.
     * @return how threads of that role idle.
     */
    public IdleMode idleMode(final ThreadRole role)
    {
        return idleModes.get(role);
    }

    /**
     * @param role a thread role.
     * @return a new Agrona idle strategy for one thread of that role.
     */
    public IdleStrategy newIdleStrategy(final ThreadRole role)
    {
        return IdleStrategies.newIdleStrategy(idleMode(role));
    }

    /**
     * @param pinThreads whether to pin.
     * @return this profile with pinning switched on or off (same name and idle modes).
     */
    public TuningProfile withPin(final boolean pinThreads)
    {
        return pinThreads == pin ? this : new TuningProfile(name, pinThreads, idleModes);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof TuningProfile that && name.equals(that.name) && pin == that.pin
            && idleModes.equals(that.idleModes);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(name, pin, idleModes);
    }

    /**
     * @return e.g. {@code latency (pinned; SHARD=BUSY_SPIN MEDIA=BUSY_SPIN CONDUCTOR=BACKOFF CONTROL=BLOCK)}.
     */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(name).append(pin ? " (pinned;" : " (unpinned;");
        idleModes.forEach((role, mode) -> text.append(' ').append(role).append('=').append(mode));
        return text.append(')').toString();
    }
}
