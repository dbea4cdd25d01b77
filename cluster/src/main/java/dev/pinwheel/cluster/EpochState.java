package dev.pinwheel.cluster;

/**
 * A ring epoch as the membership service holds it: its number, its live nodes, and which of them finished each phase
 * of the epoch's guild handover (bit k: node k). Immutable.
 *
 * @param epoch     the epoch (1, 2, …).
 * @param liveNodes nodes live in it.
 * @param previous  nodes live in the epoch before (0 for the first).
 * @param applied   nodes that route by its ring ({@link MembershipMessages#APPLIED}).
 * @param released  nodes whose lost keys are durable and dropped ({@link MembershipMessages#RELEASED}).
 * @param loaded    nodes that loaded the keys they gained ({@link MembershipMessages#LOADED}).
 * @param subscribed nodes whose sessions subscribed again where their guilds moved
 *                  ({@link MembershipMessages#SUBSCRIBED}): all of them, and the epoch is settled.
 * @param heldUnion  nodes live in some epoch since the last settled one, this one and that one included (0: no epoch
 *                   settled yet).
 * @param heldCommon nodes live in every epoch since the last settled one, this one and that one included (0: no
 *                   epoch settled yet). A key whose owner in the ring over {@code heldUnion} is a node of
 *                   {@code heldCommon} had that owner all along: it is not moving in this epoch's handover.
 */
public record EpochState(long epoch, int liveNodes, int previous, int applied, int released, int loaded,
    int subscribed, int heldUnion, int heldCommon)
{
    /**
     * @param phase a phase.
     * @return whether every live node finished it.
     */
    public boolean all(final int phase)
    {
        final int done = done(phase);
        return (done & liveNodes) == liveNodes;
    }

    /**
     * @param phase a phase.
     * @return the nodes that finished it (bit k: node k).
     */
    public int done(final int phase)
    {
        return phase == MembershipMessages.APPLIED ? applied
            : phase == MembershipMessages.RELEASED ? released
            : phase == MembershipMessages.LOADED ? loaded : subscribed;
    }
}
