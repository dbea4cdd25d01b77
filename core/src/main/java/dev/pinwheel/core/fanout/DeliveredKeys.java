package dev.pinwheel.core.fanout;

/**
 * The keys of the last keyed events one shard delivered ({@link Dispatch#messageKey}: the message a MESSAGE_CREATE
 * creates), so that the same event sent again ({@link Dispatch#again}) reaches that shard's sessions at most once.
 * <p>
 * Why an event comes again: a post sent to a guild's owner on another node was written there, and that node died
 * before its answer left, and perhaps before its event left too. The node the client asked sends the post again to
 * whoever owns the guild now, which finds the message the first try wrote, answers with it and sends its event again.
 * A shard that delivered the first one skips the second; one that never got it (the event died with its node) delivers
 * it. Before, such a message was stored and acknowledged but never reached a live session.
 * <p>
 * A ring of the last {@link #CAPACITY} keys, allocated with the first: noting a key is one array store (per event and
 * shard, not per recipient); only an event sent again — after a node died — is looked up, by a scan (a few µs). An
 * event sent again after more than {@link #CAPACITY} other keyed events reached this shard (an owner's death, the
 * peers' timeout and a handover take seconds) would be delivered a second time. Shard thread only.
 */
public final class DeliveredKeys
{
    /** Keys remembered: at 1,000 messages a second to one shard, the last eight seconds and more. */
    public static final int CAPACITY = 8192;

    private long[] keys;
    private int next;

    /**
     * Notes a keyed event about to be delivered here and says whether to deliver it.
     *
     * @param key   its key ({@link Dispatch#messageKey}, or one derived from it per recipient); 0: none (deliver).
     * @param again whether it is sent again ({@link Dispatch#again}).
     * @return false for an event sent again whose key this shard delivered already; true otherwise (its key noted).
     */
    public boolean admit(final long key, final boolean again)
    {
        if (key == 0)
        {
            return true;
        }
        if (keys == null)
        {
            keys = new long[CAPACITY];
        }
        else if (again)
        {
            for (final long k : keys)
            {
                if (k == key)
                {
                    return false;
                }
            }
        }
        keys[next] = key;
        next = (next + 1) & (CAPACITY - 1);
        return true;
    }

    /**
     * @param dispatch an event.
     * @return whether to deliver it here ({@link #admit} with its key).
     */
    public boolean admit(final Dispatch dispatch)
    {
        return admit(dispatch.messageKey(), dispatch.again());
    }

    /**
     * An event for one user's sessions (a DM's MESSAGE_CREATE goes to both of its users, who may be on one shard): its
     * key for that user.
     *
     * @param dispatch the event.
     * @param userId   the user.
     * @return whether to deliver it to that user's sessions here.
     */
    public boolean admit(final Dispatch dispatch, final long userId)
    {
        final long key = dispatch.messageKey();
        return key == 0 || admit(key ^ Long.rotateLeft(userId * 0x9E3779B97F4A7C15L, 29) | 1L, dispatch.again());
    }
}
