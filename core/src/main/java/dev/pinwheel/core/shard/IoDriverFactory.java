package dev.pinwheel.core.shard;

/**
 * Creates a shard's {@link IoDriver}. Called once on the shard's own thread as it starts (Netty's manual
 * event loop must be owned by the thread that runs it).
 */
@FunctionalInterface
public interface IoDriverFactory
{
    /**
     * @param shard  the shard.
     * @param thread the shard thread (the caller).
     * @return the driver.
     */
    IoDriver create(Shard shard, Thread thread);
}
