package dev.pinwheel.gateway.http;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardTask;

/**
 * Work done for one REST request on some shard (usually the owner of the guild it touches). If the work fails in
 * any way — it throws, the store refuses the write, the hand-off is dropped — the request is answered through
 * {@link RestExchange#fail} instead of leaving the client waiting. Typed owner commands implement this directly;
 * lambdas are wrapped by {@link RestExchange#task}.
 */
public interface RestCommand extends ShardTask
{
    /**
     * @return the request this work answers.
     */
    RestExchange exchange();

    @Override
    default void failed(final Shard shard, final Throwable cause)
    {
        exchange().fail(shard, cause);
    }
}
