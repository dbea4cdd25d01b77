package dev.pinwheel.core.state;

import dev.pinwheel.core.shard.Shard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a state change on its owner shard so that memory and journal never disagree:
 * <pre>
 *   decode + validate (StateRecords.decode)   throws → nothing journaled, nothing applied
 *   append to the journal (durable on return)  throws (e.g. StoreUnavailableException) → nothing applied
 *   apply to memory                            only puts built values into maps: cannot fail on decoded input
 * </pre>
 * Callers acknowledge only after {@link #commit} returned. Recovery replays the journal through the same decoder;
 * a record that cannot be applied (written before this rule, or damaged) is reported loudly and skipped instead of
 * refusing every start.
 */
public final class StateLog
{
    private static final Logger LOG = LoggerFactory.getLogger(StateLog.class);
    /** Records reported one by one at recovery; past this only the total is reported. */
    private static final int MAX_REPORTED = 20;

    private StateLog()
    {
    }

    /**
     * @param shard   the owner shard (caller's thread).
     * @param node    node directories.
     * @param type    record type ({@link StateRecords}).
     * @param payload encoded record.
     * @throws IllegalArgumentException if the record does not decode (nothing journaled or applied).
     * @throws RuntimeException         what the store's append threw (nothing applied), e.g.
     *                                  {@link dev.pinwheel.core.store.StoreUnavailableException}.
     */
    public static void commit(final Shard shard, final NodeState node, final int type, final byte[] payload)
    {
        final StateChange change = StateRecords.decode(type, payload);
        shard.store().appendState(type, payload);
        change.applyTo(shard.guilds(), node);
        final dev.pinwheel.core.shard.ClusterLink link = shard.group().clusterLink();
        if (link != null)
        {
            // the other nodes learn the node-wide part (accounts, directory) once the record is durable
            shard.afterCommit(() -> link.offerState(shard.id(), type, payload));
        }
    }

    /**
     * Replays the shard's journal into memory. Runs on the shard thread before it serves. A record that does not
     * decode is logged at ERROR with its type, position among the state records and size, then skipped; the total
     * is logged at the end.
     *
     * @param shard the shard.
     * @param node  node directories.
     * @return records replayed (skipped ones included).
     */
    public static long recover(final Shard shard, final NodeState node)
    {
        final Replay replay = new Replay(shard, node);
        final long n = shard.store().recover(replay::apply);
        if (replay.skipped > 0)
        {
            LOG.error("shard {}: recovery SKIPPED {} of {} state records that could not be applied (see above); the "
                + "state they describe is missing", shard.id(), replay.skipped, replay.seen);
        }
        return n;
    }

    /** The recovery handler: applies each record, reports the ones it cannot. */
    private static final class Replay
    {
        private final Shard shard;
        private final NodeState node;
        private long seen;
        private long skipped;

        Replay(final Shard shard, final NodeState node)
        {
            this.shard = shard;
            this.node = node;
        }

        void apply(final int type, final byte[] payload)
        {
            seen++;
            try
            {
                StateRecords.decode(type, payload).applyTo(shard.guilds(), node);
            }
            catch (final RuntimeException ex)
            {
                skipped++;
                if (skipped <= MAX_REPORTED)
                {
                    LOG.error("shard {}: state record #{} (type {}, {} bytes) cannot be applied, skipped: {}",
                        shard.id(), seen, type, payload.length, ex.toString());
                }
            }
        }
    }
}
