package dev.pinwheel.gateway.node;

import java.util.concurrent.ConcurrentHashMap;

/**
 * At most N slots per client address ({@link ClientAddress#key}), node-wide. Used for the cap on TCP connections
 * per address (every shard accepts on the same port with SO_REUSEPORT, so one table serves them all: a connection
 * takes a slot when accepted and gives it back when it closes; an address at the cap is refused before anything
 * is read) and for each address's share of password hashing in flight. Not a hot path: one map update per
 * connection or login, never per message. Thread-safe.
 */
public final class AddressSlots
{
    /** Slots one address holds; written only inside the map's per-key atomic operations. */
    private static final class Count
    {
        volatile int open;
    }

    private final ConcurrentHashMap<String, Count> open = new ConcurrentHashMap<>();
    private final int max;

    /**
     * @param maxPerAddress slots one address may hold.
     */
    public AddressSlots(final int maxPerAddress)
    {
        this.max = maxPerAddress;
    }

    /**
     * Takes a slot.
     *
     * @param key the client's address key.
     * @return true if taken (give it back with {@link #release}), false if the address holds all its slots.
     */
    public boolean tryAcquire(final String key)
    {
        final boolean[] taken = new boolean[1];
        open.compute(key, (k, v) ->
        {
            final Count n = v == null ? new Count() : v;
            if (n.open < max)
            {
                n.open++;
                taken[0] = true;
            }
            return n.open == 0 ? null : n;
        });
        return taken[0];
    }

    /**
     * Gives back a slot.
     *
     * @param key the client's address key.
     */
    public void release(final String key)
    {
        open.computeIfPresent(key, (k, v) -> --v.open <= 0 ? null : v);
    }

    /**
     * @param key an address key.
     * @return slots it holds now.
     */
    public int held(final String key)
    {
        final Count c = open.get(key);
        return c == null ? 0 : c.open;
    }

    /**
     * @return addresses holding at least one slot.
     */
    public int addresses()
    {
        return open.size();
    }
}
