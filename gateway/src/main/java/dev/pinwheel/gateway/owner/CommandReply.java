package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;

/**
 * The answer to a request command, made on the owner shard: a {@link OwnerCommands#REPLY} command back to the
 * request's origin shard, on the ordered shard-to-shard path (to the owner itself: at once), never refused for a full
 * queue ({@link Shard#answer}). The first answer counts. Runs on the owner shard's thread only (it uses the shard's
 * command writer).
 */
public final class CommandReply implements Reply
{
    /** Test only ({@code FaultInjection}, {@link #dropAnswersToOtherNodes}). */
    private static volatile boolean dropRemote;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CommandReply.class);

    private final Shard owner;
    private final int origin;
    private final long correlation;
    private final long userId;
    private final String reason;
    private boolean answered;

    /**
     * @param owner       the shard answering (this thread).
     * @param origin      the shard holding the request.
     * @param correlation its id there.
     * @param userId      the user the request acts for.
     * @param reason      the request's {@code X-Audit-Log-Reason}, or null.
     */
    public CommandReply(final Shard owner, final int origin, final long correlation, final long userId,
        final String reason)
    {
        this.reason = reason;
        this.owner = owner;
        this.origin = origin;
        this.correlation = correlation;
        this.userId = userId;
    }

    @Override
    public String reason()
    {
        return reason;
    }

    @Override
    public long userId()
    {
        return userId;
    }

    @Override
    public void ok(final int status, final byte[] body)
    {
        answer(status, body, 0);
    }

    @Override
    public void error(final DiscordError error)
    {
        answer(error.status(), error.body(), error.retryAfter());
    }

    private void answer(final int status, final byte[] body, final int retryAfter)
    {
        if (answered)
        {
            return;
        }
        answered = true;
        if (dropRemote && dev.pinwheel.core.routing.ShardRoute.remote(origin, owner.group().nodeId()))
        {
            // the work is done, its answer lost on the way: as when this node dies right after it
            LOG.warn("fault injection: shard {}: the answer {} to request {} of node {} dropped", owner.id(), status,
                correlation, dev.pinwheel.core.routing.ShardRoute.node(origin));
            return;
        }
        owner.answer(origin, OwnerCommands.reply(owner.commandWriter(), correlation, status, retryAfter, body));
    }

    /**
     * <b>Test only</b> ({@code -Dpinwheel.debug.fault-injection=true}): from now on this node's owners answer no
     * request that came from another node — the work done, the answer lost, as when the node dies between the two
     * (a test then kills it).
     */
    public static void dropAnswersToOtherNodes()
    {
        dropRemote = true;
    }

    /**
     * <b>Test only</b>: answers go to other nodes again ({@link #dropAnswersToOtherNodes} ended: the node lives on, the
     * answers dropped meanwhile stay lost).
     */
    public static void keepAnswersToOtherNodes()
    {
        dropRemote = false;
    }
}
