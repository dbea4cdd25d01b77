package dev.pinwheel.core.state;

import dev.pinwheel.core.guild.GuildTable;

/**
 * A decoded state record ({@link StateRecords#decode}): everything is parsed and validated, what is left is to put
 * the built values into the shard's guild table and the node's directories. Applying cannot fail on any input that
 * decoded, which is what lets {@link StateLog#commit} journal between decoding and applying.
 */
@FunctionalInterface
public interface StateChange
{
    /**
     * @param guilds the applying (owner) shard's guilds.
     * @param node   node directories.
     */
    void applyTo(GuildTable guilds, NodeState node);
}
