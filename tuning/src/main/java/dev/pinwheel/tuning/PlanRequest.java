package dev.pinwheel.tuning;

import java.util.Objects;

/**
 * What a {@link PinningPlanner} is asked to place: a tuning profile (pin or not, idle modes), how many
 * shards (0 = one per core that can be given to a shard), how many UDP media loops, and whether an Aeron
 * conductor (cluster link) runs on this node.
 *
 * @param profile    the tuning profile.
 * @param shards     shards wanted, or 0 for automatic.
 * @param mediaLoops UDP media loops wanted (0 when voice is off).
 * @param conductor  true if this node runs an Aeron conductor thread.
 */
public record PlanRequest(TuningProfile profile, int shards, int mediaLoops, boolean conductor)
{
    /** The largest thread count of one role a plan accepts. */
    public static final int MAX_THREADS_PER_ROLE = CpuSet.MAX_CPU_ID + 1;

    /**
     * Validates the fields.
     *
     * @param profile    the tuning profile.
     * @param shards     shards wanted, or 0 for automatic.
     * @param mediaLoops UDP media loops wanted.
     * @param conductor  true if an Aeron conductor runs.
     */
    public PlanRequest
    {
        Objects.requireNonNull(profile, "profile");
        if (shards < 0 || shards > MAX_THREADS_PER_ROLE)
        {
            throw new IllegalArgumentException("shards must be 0 (auto) to " + MAX_THREADS_PER_ROLE + ": " + shards);
        }
        if (mediaLoops < 0 || mediaLoops > MAX_THREADS_PER_ROLE)
        {
            throw new IllegalArgumentException("media loops must be 0 to " + MAX_THREADS_PER_ROLE + ": " + mediaLoops);
        }
    }

    /**
     * @param profile the tuning profile.
     * @return a request for automatic shards, no media loops and no conductor.
     */
    public static PlanRequest of(final TuningProfile profile)
    {
        return new PlanRequest(profile, 0, 0, false);
    }

    /**
     * @param count shards wanted, 0 for automatic.
     * @return this request with that shard count.
     */
    public PlanRequest withShards(final int count)
    {
        return new PlanRequest(profile, count, mediaLoops, conductor);
    }

    /**
     * @param count media loops wanted.
     * @return this request with that media loop count.
     */
    public PlanRequest withMediaLoops(final int count)
    {
        return new PlanRequest(profile, shards, count, conductor);
    }

    /**
     * @param runsConductor whether an Aeron conductor runs.
     * @return this request with or without a conductor.
     */
    public PlanRequest withConductor(final boolean runsConductor)
    {
        return new PlanRequest(profile, shards, mediaLoops, runsConductor);
    }
}
