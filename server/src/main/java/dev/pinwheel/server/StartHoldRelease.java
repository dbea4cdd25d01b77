package dev.pinwheel.server;

import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.cluster.NodeLink;
import dev.pinwheel.core.shard.ShardGroup;

/**
 * Ends the start hold of a node of a cluster on each of its shards: from their start they held back the commands that
 * could produce events ({@code Shard#holdCommands}, set by the gateway when it has a link), because a new start knows
 * nothing of the sessions of other nodes that follow its guilds and users; {@link NodeLink} says when every live peer
 * told it again ({@link NodeLink#onStartHoldEnd}). A task on each shard's ring runs what was held, oldest first.
 * <pre>
 *   link receiver: FOLLOWING_AGAIN from every shard of every live peer (or peers down, or the hold timed out)
 *     ─▶ this ─▶ a task on each shard, behind every subscription those peers sent it ─▶ Shard#releaseHeldCommands
 * </pre>
 * A full ring is asked again a little later; a shard never told ends its hold by itself at its own deadline.
 */
final class StartHoldRelease implements Consumer<String>
{
    private static final Logger LOG = LoggerFactory.getLogger(StartHoldRelease.class);
    private static final int MAX_ATTEMPTS = 250;

    private final ShardGroup group;

    StartHoldRelease(final ShardGroup group)
    {
        this.group = group;
    }

    @Override
    public void accept(final String why)
    {
        for (int k = 0; k < group.shardCount(); k++)
        {
            ShardRetries.send(group, k, attempt -> shard ->
            {
                final int held = shard.releaseHeldCommands();
                if (held > 0)
                {
                    LOG.info("cluster: shard {}: {} command(s) held back at start run now", shard.id(), held);
                }
            }, 1, MAX_ATTEMPTS,
                shard -> LOG.warn("cluster: shard {} stayed full: its start hold ends at its own deadline", shard));
        }
    }
}
