package dev.pinwheel.tuning;

/**
 * Creates Pinwheel's long-lived threads and places them on CPUs according to a pinning plan.
 * Every thread of a role that the plan pins is bound to its CPU from inside the thread before
 * {@code body} runs; threads the plan leaves to the OS are started unpinned.
 */
public interface ThreadPlacement
{
    /**
     * @param role  what the thread does.
     * @param index the thread's index within its role (shard id, media loop id).
     * @param name  thread name, shown in dumps and the dashboard.
     * @param body  the thread's work.
     * @return a new, not yet started thread.
     */
    Thread newThread(ThreadRole role, int index, String name, Runnable body);

    /**
     * @param role a thread role.
     * @return how threads of this role idle under the active profile.
     */
    IdleMode idleMode(ThreadRole role);

    /**
     * A placement that pins nothing and blocks when idle: the dev/CI default.
     *
     * @return an unpinned, blocking placement.
     */
    static ThreadPlacement unpinned()
    {
        return new ThreadPlacement()
        {
            @Override
            public Thread newThread(final ThreadRole role, final int index, final String name, final Runnable body)
            {
                return Thread.ofPlatform().name(name).daemon(false).unstarted(body);
            }

            @Override
            public IdleMode idleMode(final ThreadRole role)
            {
                return IdleMode.BLOCK;
            }
        };
    }
}
