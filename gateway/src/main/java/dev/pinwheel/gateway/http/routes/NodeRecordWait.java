package dev.pinwheel.gateway.http.routes;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.pinwheel.core.shard.Shard;

/**
 * Requests of one shard that wait a moment for a node-wide record made through another node (an invite, an account):
 * such a record reaches this node's directory over the cluster link and may trail the answer its creator already
 * has, which a client can pass on at once. A waiting request goes on when the record arrives or after
 * {@value #WAIT_MILLIS} ms, rechecked every shard tick. A single node never waits (it knows every record), and at most
 * {@value #MAX_WAITING} requests wait at a time per shard. Shard thread only.
 */
final class NodeRecordWait
{
    static final long WAIT_MILLIS = 2_000;
    static final int MAX_WAITING = 1_024;

    private final Shard shard;
    private final ArrayList<Waiting> waiting = new ArrayList<>();
    private boolean ticking;

    /**
     * @param shard this shard.
     */
    NodeRecordWait(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param arrived whether the record is here now.
     * @param then    runs once it is, or once the wait ends (it looks the record up again itself).
     * @return false if this request cannot wait (a single node, or too many waiting): the caller goes on at once.
     */
    boolean await(final BooleanSupplier arrived, final Runnable then)
    {
        if (shard.group().clusterLink() == null || waiting.size() >= MAX_WAITING)
        {
            return false;
        }
        if (!ticking)
        {
            ticking = true;
            shard.addTicker(this::recheck);
        }
        waiting.add(new Waiting(arrived, then, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS)));
        return true;
    }

    /** The shard's ticker: goes on with the requests whose record arrived or whose time ran out. */
    private void recheck()
    {
        final long now = System.nanoTime();
        for (int i = waiting.size() - 1; i >= 0; i--)
        {
            final Waiting w = waiting.get(i);
            if (w.arrived().getAsBoolean() || now - w.deadlineNanos() >= 0)
            {
                waiting.remove(i);
                w.then().run();
            }
        }
    }

    private record Waiting(BooleanSupplier arrived, Runnable then, long deadlineNanos)
    {
    }
}
