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
 * A ring of keys in blocks of {@link #BLOCK}, each block stamped with when it was filled: noting a key is one array
 * store (per event and shard, not per recipient), and a clock read per block. A block is overwritten only once its
 * newest key is older than {@link #WINDOW_MILLIS} — longer than any post is sent again after its first try (the 30 s
 * owner timeout, then 60 s of tries) — else the ring doubles first, up to {@link #MAX_CAPACITY} keys (8 MiB); past
 * that, the oldest keys go early ({@link #forgottenEarly}). Before, the ring kept the last 8,192 keys whatever their
 * age: a shard taking more than 8,192 keyed events between a post's first event and its event sent again (seconds
 * after a node's death: about 1,000 messages a second) delivered it a second time. Only an event sent again — after a
 * node died — is looked up, by a scan (≈ 0.5 ns a key). Shard thread only.
 */
public final class DeliveredKeys
{
    /** Keys the ring starts with. */
    public static final int INITIAL_CAPACITY = 8192;
    /** Keys it holds at most (8 MiB): the last two minutes at 8,700 keyed events a second to one shard. */
    public static final int MAX_CAPACITY = 1 << 20;
    /** Keys per block (one clock read each). */
    static final int BLOCK = 1024;
    /** How long a key is remembered at least (while the ring is below its maximum). */
    public static final long WINDOW_MILLIS = 120_000;

    private final java.util.function.LongSupplier clock;
    private long[] keys;
    /** Per block: when it was last filled (its newest key's time, near enough), {@link #NEVER} while never. */
    private long[] filledMillis;
    private int next;
    /** Whether any key was noted (the block before the first has nothing to stamp). */
    private boolean noted;
    private long forgottenEarly;

    private static final long NEVER = Long.MIN_VALUE;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeliveredKeys.class);
    private static final dev.pinwheel.core.log.ThrottledLog EARLY = new dev.pinwheel.core.log.ThrottledLog(LOG,
        org.slf4j.event.Level.WARN, "delivered keys forgotten early", 1, 60_000);

    /** Remembers by the monotonic clock ({@link System#nanoTime}, in ms). */
    public DeliveredKeys()
    {
        this(() -> System.nanoTime() / 1_000_000);
    }

    /**
     * @param clock a monotonic clock in milliseconds (tests drive it).
     */
    public DeliveredKeys(final java.util.function.LongSupplier clock)
    {
        this.clock = clock;
    }

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
            keys = new long[INITIAL_CAPACITY];
            filledMillis = new long[INITIAL_CAPACITY / BLOCK];
            java.util.Arrays.fill(filledMillis, NEVER);
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
        if ((next & (BLOCK - 1)) == 0)
        {
            enterBlock();
        }
        keys[next] = key;
        next = (next + 1) & (keys.length - 1);
        return true;
    }

    /** At a block's first slot: stamps the block before as filled, and makes room if this one's keys are recent. */
    private void enterBlock()
    {
        final long now = clock.getAsLong();
        final int blocks = filledMillis.length;
        final int b = next / BLOCK;
        if (noted)
        {
            filledMillis[(b + blocks - 1) % blocks] = now;
        }
        noted = true;
        final long filled = filledMillis[b];
        if (filled == NEVER || now - filled >= WINDOW_MILLIS)
        {
            return; // never used, or its keys are old enough to go
        }
        if (keys.length >= MAX_CAPACITY)
        {
            forgottenEarly += BLOCK;
            if (EARLY.admit())
            {
                LOG.warn("more than {} keyed events in {} s on one shard: the oldest keys are forgotten early ({} so "
                    + "far), so an event sent again after a node's death may reach this shard's sessions twice",
                    MAX_CAPACITY, WINDOW_MILLIS / 1000, forgottenEarly);
            }
            return;
        }
        // double, oldest first: from this block (the oldest) to the end, then from the start up to it
        final long[] k = new long[keys.length * 2];
        final int tail = keys.length - next;
        System.arraycopy(keys, next, k, 0, tail);
        System.arraycopy(keys, 0, k, tail, next);
        final long[] f = new long[blocks * 2];
        java.util.Arrays.fill(f, blocks, blocks * 2, NEVER);
        System.arraycopy(filledMillis, b, f, 0, blocks - b);
        System.arraycopy(filledMillis, 0, f, blocks - b, b);
        next = keys.length;
        keys = k;
        filledMillis = f;
    }

    /**
     * @return keys the ring holds now.
     */
    public int capacity()
    {
        return keys == null ? 0 : keys.length;
    }

    /**
     * @return keys dropped younger than {@link #WINDOW_MILLIS} because the ring was at {@link #MAX_CAPACITY}.
     */
    public long forgottenEarly()
    {
        return forgottenEarly;
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
