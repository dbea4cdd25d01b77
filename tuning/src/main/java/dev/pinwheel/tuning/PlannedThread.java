package dev.pinwheel.tuning;

import java.util.Locale;
import java.util.Objects;

/**
 * One long-lived thread of a {@link PinningPlan}: its role and index, the CPU it is pinned to (or
 * {@link #UNPINNED}) and how it idles.
 *
 * @param role     what the thread does.
 * @param index    its index within the role (shard id, media loop id; 0 for the conductor).
 * @param cpu      the CPU it binds itself to, or {@link #UNPINNED} to let the OS place it.
 * @param idleMode how it waits when it found no work.
 */
public record PlannedThread(ThreadRole role, int index, int cpu, IdleMode idleMode)
{
    /** The {@link #cpu()} of a thread the OS schedules. */
    public static final int UNPINNED = -1;

    /**
     * Validates the fields.
     *
     * @param role     what the thread does.
     * @param index    its index within the role.
     * @param cpu      its CPU or {@link #UNPINNED}.
     * @param idleMode how it idles.
     */
    public PlannedThread
    {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(idleMode, "idleMode");
        if (index < 0 || cpu < UNPINNED)
        {
            throw new IllegalArgumentException("bad index " + index + " or cpu " + cpu);
        }
    }

    /**
     * @return true if the thread binds itself to {@link #cpu()}.
     */
    public boolean pinned()
    {
        return cpu != UNPINNED;
    }

    /**
     * @return a short label such as {@code shard 3}, {@code media 0} or {@code conductor}.
     */
    public String label()
    {
        final String roleName = role.name().toLowerCase(Locale.ROOT);
        return role == ThreadRole.CONDUCTOR || role == ThreadRole.CONTROL ? roleName : roleName + " " + index;
    }
}
