package dev.pinwheel.gateway.http;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;

/**
 * The REST requests of one shard that wait for an owner's answer: a request sent as a command is registered here
 * under a correlation id that travels in the command's header; the {@code REPLY} command that comes back finds it
 * and writes the answer. A request whose owner never answers (a bug, a lost node) is answered 504 after
 * {@link #TIMEOUT_MILLIS} by {@link #tick}, so no client waits forever. A request sent to another node notes that
 * node ({@link #sentTo}); when the node turns out to have restarted, its requests are answered at once
 * ({@link #failNode}) instead of at the timeout. A request whose command goes on from its owner to a further node
 * (a registration: the name's owner, then the new id's owner) notes that node too, with what to undo when the request
 * is lost — answered by a restart or the timeout, not by its owner ({@link #waitsOn}).
 * <p>
 * <b>Shard thread only</b> (the origin shard owns its table).
 */
public final class ExchangeTable
{
    /** How long a request may wait for its owner's answer. */
    public static final long TIMEOUT_MILLIS = 30_000;

    private record Waiting(long correlation, long deadlineNanos)
    {
    }

    private final Long2ObjectHashMap<RestExchange> waiting = new Long2ObjectHashMap<>();
    /** The nodes (a bit per node id) each request sent to other nodes waits on (a cluster only). */
    private final Long2LongHashMap nodesOf = new Long2LongHashMap(0);
    /** What to undo when a request is lost rather than answered by its owner ({@link #waitsOn}). */
    private final Long2ObjectHashMap<Runnable> onLost = new Long2ObjectHashMap<>();
    private final ArrayDeque<Waiting> deadlines = new ArrayDeque<>();
    private final UnsafeBuffer body = new UnsafeBuffer(new byte[0]);
    private long next = 1;

    /**
     * @param exchange a request about to be sent to its owner.
     * @return its correlation id, for the command's header.
     */
    public long register(final RestExchange exchange)
    {
        final long id = next++;
        waiting.put(id, exchange);
        deadlines.add(new Waiting(id, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS)));
        return id;
    }

    /**
     * Writes the answer a {@code REPLY} command carries (correlation, status, Retry-After, body); an answer for a request
     * that timed out meanwhile is dropped. The body goes from the command's bytes straight into the answer's buffer.
     *
     * @param shard this shard.
     * @param reply the command, after its type.
     */
    public void onReply(final Shard shard, final CommandReader reply)
    {
        final long correlation = reply.getLong();
        final RestExchange exchange = waiting.remove(correlation);
        nodesOf.remove(correlation);
        onLost.remove(correlation); // answered by its owner, whatever the answer: nothing to undo here
        final int status = reply.getInt();
        final int retryAfter = reply.getInt();
        final int length = reply.getBytes(body);
        if (exchange != null)
        {
            if (retryAfter > 0)
            {
                exchange.retryAfterOnly(retryAfter);
            }
            exchange.reply(shard, status, length < 0 ? null : body);
        }
    }

    /**
     * Answers a request whose command could not be delivered (on this, its origin shard).
     *
     * @param shard       this shard.
     * @param correlation the request.
     * @param error       the answer.
     */
    public void fail(final Shard shard, final long correlation, final DiscordError error)
    {
        final RestExchange exchange = waiting.remove(correlation);
        nodesOf.remove(correlation);
        final Runnable lost = onLost.remove(correlation);
        if (exchange != null)
        {
            if (error.retryAfter() > 0)
            {
                exchange.retryAfterOnly(error.retryAfter());
            }
            exchange.reply(shard, error.status(), error.body());
        }
        undo(lost);
    }

    private static void undo(final Runnable lost)
    {
        if (lost != null)
        {
            lost.run(); // on this shard's thread; what it throws is the shard's to count and log
        }
    }

    /**
     * Answers 504 to the requests whose owner did not answer in time. From the shard's ticker.
     *
     * @param shard this shard.
     * @param now   {@link System#nanoTime()}.
     * @return requests timed out.
     */
    public int tick(final Shard shard, final long now)
    {
        int n = 0;
        Waiting w;
        while ((w = deadlines.peek()) != null && (now - w.deadlineNanos() >= 0 || !waiting.containsKey(
            w.correlation())))
        {
            deadlines.poll();
            final RestExchange exchange = waiting.remove(w.correlation());
            nodesOf.remove(w.correlation());
            final Runnable lost = onLost.remove(w.correlation());
            if (exchange != null)
            {
                exchange.reply(shard, DiscordError.OWNER_TIMEOUT.status(), DiscordError.OWNER_TIMEOUT.body());
                n++;
            }
            undo(lost);
        }
        return n;
    }

    /**
     * Notes that a waiting request's command went to another node (its first hop). Shard thread.
     *
     * @param correlation the request (ignored when it waits no more).
     * @param node        the node.
     */
    public void sentTo(final long correlation, final int node)
    {
        if (node >= 0 && node < Long.SIZE)
        {
            waitsOn(correlation, 1L << node, null);
        }
    }

    /**
     * A waiting request whose command goes on from its first owner to other nodes: their restarts answer it too
     * ({@link #failNode}), and {@code lost} runs, on this shard's thread, if it is answered by a restart or the timeout
     * (or any failure) instead of by an owner — the request may or may not have been applied, so what it undoes must
     * be harmless when it was (a name release gives a name back only while no account holds it). Shard thread.
     *
     * @param correlation the request (ignored when it waits no more).
     * @param nodes       a bit per node id the request also waits on (this node's own bit: nothing).
     * @param lost        what to undo, or null.
     */
    public void waitsOn(final long correlation, final long nodes, final Runnable lost)
    {
        if (!waiting.containsKey(correlation))
        {
            return;
        }
        final long all = nodesOf.get(correlation) | nodes;
        if (all != 0)
        {
            nodesOf.put(correlation, all); // 0 is the map's "none"
        }
        if (lost != null)
        {
            onLost.put(correlation, lost);
        }
    }

    /**
     * Answers every request whose command went to {@code node} and is still unanswered: that node restarted, so the
     * answer will not come (an answer of the new start that follows is dropped as for a timed-out request).
     *
     * @param shard this shard.
     * @param node  the node.
     * @param error the answer.
     * @return requests answered.
     */
    public int failNode(final Shard shard, final int node, final DiscordError error)
    {
        final org.agrona.collections.LongArrayList failed = new org.agrona.collections.LongArrayList();
        final Long2LongHashMap.EntryIterator it = nodesOf.entrySet().iterator();
        final long bit = node >= 0 && node < Long.SIZE ? 1L << node : 0;
        while (it.hasNext())
        {
            it.next();
            if ((it.getLongValue() & bit) != 0)
            {
                failed.addLong(it.getLongKey());
            }
        }
        for (int i = 0; i < failed.size(); i++)
        {
            fail(shard, failed.getLong(i), error);
        }
        return failed.size();
    }

    /**
     * @return requests waiting.
     */
    public int size()
    {
        return waiting.size();
    }
}
