package dev.pinwheel.gateway.http;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.owner.OwnerCommands;

/**
 * The REST requests of one shard that wait for an owner's answer: a request sent as a command is registered here
 * under a correlation id that travels in the command's header; the {@code REPLY} command that comes back finds it
 * and writes the answer. A request whose owner never answers (a bug, a lost node) is answered 504 after
 * {@link #TIMEOUT_MILLIS} by {@link #tick}, so no client waits forever. A request sent to another node notes that
 * node ({@link #sentTo}); when the node turns out to have restarted, its requests are answered at once
 * ({@link #failNode}) instead of at the timeout. A post sent to another node is kept and, when that node restarts, is
 * unreachable or does not answer in time, sent again to its guild's owner, which answers with what the first try
 * wrote if it did ({@link #remember}): its client gets one answer and one message, not a 503 it would retry into a
 * second. An edit or a delete of a message, a reaction, a pin, the guild's other commands that end the same when
 * applied twice (edits of channels, roles and members, roles given, kicks, bans…) and the reads an owner answers
 * ({@link OwnerCommands#sentAgainAsIs}) are kept and sent again likewise, as they are (a delete sent again that finds
 * its object gone is answered 204): its client gets the answer within seconds of the ring's change, where it waited
 * for the node's return or the timeout and then got a 503 or a 504. The others are answered 503 when the node
 * restarts or a ring epoch settles without it. A request whose command goes on from its owner to a further node (a
 * registration: the name's owner, then the new id's owner) notes that node too, with what to undo when the request is
 * lost — answered by a restart or the timeout, not by its owner ({@link #waitsOn}).
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
    /** Posts sent to another node, kept until answered to be sent again ({@link #remember}). */
    private final Long2ObjectHashMap<Again> again = new Long2ObjectHashMap<>();
    /** Posts to send again, in the order they became due. */
    private final ArrayDeque<Again> due = new ArrayDeque<>();
    private final UnsafeBuffer body = new UnsafeBuffer(new byte[0]);
    private final CommandReader fields = new CommandReader();
    /**
     * Correlation ids start at this start's wall-clock microseconds: the owner stores a post's id with the message
     * ({@code MessageService}), and a restarted node's ids must not be those of its last start.
     */
    private long next = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExchangeTable.class);
    /** Requests still waiting this long are logged (once each, at most 5 per 10 s): where they wait. */
    static final long LONG_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final dev.pinwheel.core.log.ThrottledLog LONG_WAITS = new dev.pinwheel.core.log.ThrottledLog(LOG,
        org.slf4j.event.Level.WARN, "REST requests waiting long for their owner", 5, 10_000);
    /** The requests to look at again after {@link #LONG_WAIT_NANOS}, in the order they were registered. */
    private final ArrayDeque<Waiting> longWaits = new ArrayDeque<>();

    /** How long a sync waits for a node's answer before it goes on without it (a stalled node). */
    static final long SYNC_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Syncs sent and not yet answered: correlation → the group it belongs to ({@link #sync}). */
    private final Long2ObjectHashMap<SyncGroup> syncs = new Long2ObjectHashMap<>();
    private final ArrayDeque<Waiting> syncDeadlines = new ArrayDeque<>();

    /** One {@link #sync}: the answers it still waits for, then what runs. */
    private static final class SyncGroup
    {
        int pending;
        Runnable done;
    }

    /** The longest wait between two tries of a post sent again that was refused for now. */
    static final long MAX_AGAIN_BACK_OFF_MILLIS = 500;
    /** The ring version {@link #sendDue} last saw. */
    private long ringSeen;

    /** How long a post whose answer was lost is sent again before it is answered 504 (unknown: maybe written). */
    static final long AGAIN_FOR_NANOS = TimeUnit.SECONDS.toNanos(60);

    /**
     * A post that was sent again and answered 2xx: the message its client got, kept {@link #AGAIN_FOR_NANOS} for the
     * other try's late answer ({@link #undoDuplicate}).
     */
    private record Settled(long correlation, long messageId, int type, long userId, long guildId, long channelId,
        long expiresNanos)
    {
    }

    /** Posts sent again and answered, by correlation, and in the order they expire. */
    private final Long2ObjectHashMap<Settled> settled = new Long2ObjectHashMap<>();
    private final ArrayDeque<Settled> settledOrder = new ArrayDeque<>();

    /** A delete of a post's second copy ({@link #undoDuplicate}), sent until its owner does it (or gives up). */
    private static final class Undo
    {
        final long correlation;
        final byte[] command;
        final long routeKey;
        final long giveUpNanos;
        /** Looked for by the post's request key (no id given). */
        final boolean search;
        /** A search made whatever came ({@link #LATE_COPY_SEARCHES_NANOS}): finding none is the rule, not news. */
        final boolean routine;
        long dueNanos;

        Undo(final long correlation, final byte[] command, final long routeKey, final long giveUpNanos,
            final boolean search, final boolean routine)
        {
            this.correlation = correlation;
            this.command = command;
            this.routeKey = routeKey;
            this.giveUpNanos = giveUpNanos;
            this.search = search;
            this.routine = routine;
        }
    }

    private final Long2ObjectHashMap<Undo> undos = new Long2ObjectHashMap<>();
    private final ArrayDeque<Undo> undosDue = new ArrayDeque<>();

    /** A post that may be sent again: its command's bytes, the tries so far and until when. */
    private static final class Again
    {
        final long correlation;
        final byte[] command;
        /** The command's type, as it first went. */
        final int type;
        /**
         * When it first went (wall-clock ms): a message's edit sent again carries it ({@code
         * OwnerCommands#messageEdit}).
         */
        final long firstSentMillis = System.currentTimeMillis();
        int tries;
        long dueNanos;
        long giveUpNanos;

        Again(final long correlation, final byte[] command, final int type)
        {
            this.correlation = correlation;
            this.command = command;
            this.type = type;
        }
    }

    /**
     * @param exchange a request about to be sent to its owner.
     * @return its correlation id, for the command's header.
     */
    public long register(final RestExchange exchange)
    {
        final long id = next++;
        waiting.put(id, exchange);
        final long now = System.nanoTime();
        deadlines.add(new Waiting(id, now + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS)));
        longWaits.add(new Waiting(id, now + LONG_WAIT_NANOS));
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
        if (syncAnswered(correlation))
        {
            return;
        }
        final int status = reply.getInt();
        final int retryAfter = reply.getInt();
        final Undo undo = undos.isEmpty() ? null : undos.get(correlation); // almost always empty: no hash per answer
        if (undo != null)
        {
            if (status >= 500 && System.nanoTime() - undo.giveUpNanos < 0)
            {
                // its guild moving, its owner away: once more a little later (it is queued already)
                undo.dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_AGAIN_BACK_OFF_MILLIS);
            }
            else
            {
                undos.remove(correlation);
                if (undo.search && status == 404)
                {
                    if (!undo.routine)
                    {
                        LOG.info("shard {}: a post sent again: no second copy (its first try's write did not land)",
                            shard.id());
                    }
                }
                else if (undo.routine && status / 100 == 2)
                {
                    LOG.warn("shard {}: a post sent again had a second copy no answer told of (its first try's write "
                        + "landed late, unanswered): found by a later search and deleted", shard.id());
                }
                else
                {
                    LOG.info("shard {}: the second copy of a post sent again: delete answered {}", shard.id(), status);
                }
            }
            return;
        }
        if (status >= 500 && sendAgainLater(correlation))
        {
            return; // a post sent again, refused for now (its guild moving, its owner away): the first try's fate is
            // still unknown, so the client is not told to retry
        }
        final RestExchange exchange = waiting.remove(correlation);
        nodesOf.remove(correlation);
        onLost.remove(correlation); // answered by its owner, whatever the answer: nothing to undo here
        final Again tried = again.remove(correlation);
        final int length = reply.getBytes(body);
        if (exchange != null)
        {
            final int triedType = tried == null || tried.tries == 0 ? -1 : tried.type;
            if (triedType >= 0 && status / 100 == 2 && length > 0 && !OwnerCommands.sentAgainAsIs(triedType))
            {
                settle(shard, tried, body, length);
            }
            if (status == 404 && OwnerCommands.goneWhenDone(triedType))
            {
                // a delete sent again found nothing: its first try deleted it (that answer was lost with its node)
                LOG.info("shard {}: a delete sent again (command {}) found nothing to delete: its first try deleted "
                    + "it, answered 204", shard.id(), triedType);
                exchange.reply(shard, 204, (byte[])null);
                return;
            }
            if (retryAfter > 0)
            {
                exchange.retryAfterOnly(retryAfter);
            }
            exchange.reply(shard, status, length < 0 ? null : body);
        }
        else if (!settled.isEmpty() && (status / 100 == 2 && length > 0 || status >= 500))
        {
            undoDuplicate(shard, correlation, status >= 500 ? 0 : messageId(body, length));
        }
    }

    /**
     * Remembers the message the client of a post sent again got (its answer came: the first of the two tries'), and
     * looks for a second copy by the post's request key {@link #LATE_COPY_SEARCHES_NANOS} later whatever comes: the
     * first try's write may land with no answer ever following it (its node killed right after a stall let the write
     * go), and then nothing else would look.
     */
    private void settle(final Shard shard, final Again tried, final UnsafeBuffer answer, final int length)
    {
        final long now = System.nanoTime();
        for (Settled old = settledOrder.peek(); old != null && now - old.expiresNanos() >= 0;
            old = settledOrder.peek())
        {
            settledOrder.poll();
            settled.remove(old.correlation());
        }
        final long id = messageId(answer, length);
        if (id <= 0)
        {
            return;
        }
        final CommandReader c = new CommandReader().wrap(new UnsafeBuffer(tried.command), 0, tried.command.length);
        final int type = c.type();
        c.getInt(); // origin
        c.getLong(); // correlation
        final long userId = c.getLong();
        c.getString(); // audit-log reason
        final long guildId = OwnerCommands.dmPost(type) ? 0 : c.getLong();
        final long channelId = c.getLong();
        final Settled s = new Settled(tried.correlation, id, type, userId, guildId, channelId, now + AGAIN_FOR_NANOS);
        settled.put(s.correlation(), s);
        settledOrder.add(s);
        for (final long after : LATE_COPY_SEARCHES_NANOS)
        {
            queueUndo(shard, s, 0, now + after, true);
        }
    }

    /**
     * When a post sent again and answered is looked for again by its request key, whatever came meanwhile (a late
     * answer of its first try looks at once, {@link #undoDuplicate}): a write let go by a stalled node lands within
     * the seconds after it resumes.
     */
    static final long[] LATE_COPY_SEARCHES_NANOS = {TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(60)};

    /**
     * A second answer for a post sent again, after its client got the first: a 2xx naming another message means both
     * tries wrote it (the first owner's write was on its way when its node stalled, and landed after the new owner
     * searched for it — a chaos soak found the post twice); a 5xx means the first try's fate is unknown (its
     * acknowledgement timed out, or its node lost the guild with the write unanswered) and it may have landed too. The
     * copy the client did not get is deleted, on its author's behalf, through the guild's current owner (its followers
     * get MESSAGE_DELETE): by its id, or, after a 5xx, as the message that request wrote other than the client's, looked
     * for {@link #COPY_SEARCH_DELAY_NANOS} later (the write it answered for was sent before that answer). Asked again
     * while it answers 503 or not at all, for up to {@link #AGAIN_FOR_NANOS}. A DM's copy likewise, through its channel's
     * owner (the command's guild 0).
     *
     * @param id the other message, or 0 to look for it by the post's request key.
     */
    private void undoDuplicate(final Shard shard, final long correlation, final long id)
    {
        final Settled s = settled.remove(correlation);
        if (s == null || id < 0 || id == s.messageId())
        {
            return;
        }
        final boolean dm = OwnerCommands.dmPost(s.type());
        LOG.warn("shard {}: a {} sent again {} (its first owner's write may have landed late): {}, its client holds "
            + "message {}", shard.id(), dm ? "DM" : "post", id > 0 ? "was written by both tries"
            : "got a late refusal from its first try", id > 0 ? "message " + id + " deleted"
            : "its other copy, if any, is deleted", s.messageId());
        final long now = System.nanoTime();
        queueUndo(shard, s, id, id > 0 ? now : now + COPY_SEARCH_DELAY_NANOS, false);
        sendUndos(shard, now);
    }

    /**
     * Queues a delete of a post's second copy (its command built now), asked until answered or
     * {@link #AGAIN_FOR_NANOS} after it is due.
     *
     * @param id      the copy, or 0 to look for it by the post's request key.
     * @param due     when it is first sent.
     * @param routine whether it is a search made whatever came ({@link #LATE_COPY_SEARCHES_NANOS}).
     */
    private void queueUndo(final Shard shard, final Settled s, final long id, final long due, final boolean routine)
    {
        final long undoCorrelation = next++;
        final dev.pinwheel.core.command.CommandWriter w = OwnerCommands.request(shard,
            OwnerCommands.MESSAGE_DELETE_COPY, undoCorrelation, s.userId()).putLong(s.guildId()).putLong(s.channelId())
            .putLong(id).putLong(s.messageId()).putString(shard.address() + "." + s.correlation());
        final byte[] bytes = new byte[w.length()];
        w.buffer().getBytes(0, bytes);
        // a DM's copy (guild 0) goes to its channel's owner
        final long routeKey = OwnerCommands.dmPost(s.type()) ? s.channelId() : s.guildId();
        final Undo undo = new Undo(undoCorrelation, bytes, routeKey, due + AGAIN_FOR_NANOS, id == 0, routine);
        undos.put(undoCorrelation, undo);
        undo.dueNanos = due;
        undosDue.add(undo);
    }

    /** How long after a late refusal the other copy of a post is looked for by its request key. */
    static final long COPY_SEARCH_DELAY_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Sends the due deletes of second copies to their guild's current owner; each stays queued until answered. */
    private void sendUndos(final Shard shard, final long now)
    {
        for (int i = undosDue.size(); i > 0; i--)
        {
            final Undo u = undosDue.poll();
            if (undos.get(u.correlation) != u)
            {
                continue;
            }
            if (now - u.giveUpNanos >= 0)
            {
                undos.remove(u.correlation);
                LOG.warn("shard {}: {} of a post sent again got no answer within {} s{}", shard.id(), u.routine
                    ? "a later search for a second copy" : "the delete of the second copy",
                    TimeUnit.NANOSECONDS.toSeconds(AGAIN_FOR_NANOS), u.routine ? "" : ": both stay");
                continue;
            }
            if (now - u.dueNanos < 0)
            {
                undosDue.add(u);
                continue;
            }
            u.dueNanos = now + TimeUnit.SECONDS.toNanos(5); // sent again if no answer comes meanwhile
            undosDue.add(u);
            final UnsafeBuffer command = new UnsafeBuffer(u.command);
            shard.send(shard.group().ownerOf(u.routeKey), shard.commandWriter().begin(command.getInt(0))
                .putRaw(command, Integer.BYTES, u.command.length - Integer.BYTES));
        }
    }

    /** @return the {@code id} of a message object answered, or 0. */
    private static long messageId(final UnsafeBuffer answer, final int length)
    {
        try
        {
            final byte[] bytes = new byte[length];
            answer.getBytes(0, bytes);
            return Math.max(0, dev.pinwheel.gateway.codec.Json.parseId(dev.pinwheel.gateway.codec.Json.MAPPER
                .readTree(bytes).path("id").asText("")));
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return 0;
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
        if (sendAgainLater(correlation))
        {
            return; // a post sent again could not be delivered: tried again later, as in onReply
        }
        final RestExchange exchange = waiting.remove(correlation);
        nodesOf.remove(correlation);
        again.remove(correlation);
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
        sendDue(shard, now);
        if (!undosDue.isEmpty())
        {
            sendUndos(shard, now);
        }
        for (Waiting w = longWaits.peek(); w != null && (now - w.deadlineNanos() >= 0
            || !waiting.containsKey(w.correlation())); w = longWaits.peek())
        {
            longWaits.poll();
            final RestExchange exchange = waiting.get(w.correlation());
            if (exchange != null && LONG_WAITS.admit())
            {
                final Again a = again.get(w.correlation());
                LOG.warn("shard {}: a {} request has waited {} s for its owner's answer (request {}; sent to other "
                    + "nodes: {}; sent again: {})", shard.id(), exchange.method(),
                    TimeUnit.NANOSECONDS.toSeconds(LONG_WAIT_NANOS), w.correlation(),
                    java.util.BitSet.valueOf(new long[] {nodesOf.get(w.correlation())}),
                    a == null ? "no" : a.tries + " time(s)");
            }
        }
        for (Waiting w = syncDeadlines.peek(); w != null && (now - w.deadlineNanos() >= 0
            || !syncs.containsKey(w.correlation())); w = syncDeadlines.peek())
        {
            syncDeadlines.poll();
            syncAnswered(w.correlation()); // not answered in time: gone on without it
        }
        int n = 0;
        Waiting w;
        while ((w = deadlines.peek()) != null && (now - w.deadlineNanos() >= 0 || !waiting.containsKey(
            w.correlation())))
        {
            deadlines.poll();
            final Again a = waiting.containsKey(w.correlation()) ? again.get(w.correlation()) : null;
            if (a != null && (sendAgainFirst(w.correlation(), now) || now - a.giveUpNanos < 0))
            {
                // no answer in time from the node the post went to (stalled, cut off): asked again, with the time
                // a post is sent again for to get its answer (a later deadline than every other one waiting)
                deadlines.add(new Waiting(w.correlation(), now + AGAIN_FOR_NANOS));
                continue;
            }
            final RestExchange exchange = waiting.remove(w.correlation());
            nodesOf.remove(w.correlation());
            again.remove(w.correlation());
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
     * answer will not come (an answer that still follows is dropped as for a timed-out request) — but a post kept to
     * be sent again ({@link #remember}), which is sent again to its guild's owner now.
     *
     * @param shard this shard.
     * @param node  the node.
     * @param error the answer.
     * @return requests answered.
     */
    public int failNode(final Shard shard, final int node, final DiscordError error)
    {
        return failNode(shard, node, error, false);
    }

    /**
     * As {@link #failNode(Shard, int, DiscordError)}, or, with {@code postsOnly}, sends the posts kept for it again
     * and leaves every other request waiting: the node is only unreachable for now (its link went silent — this node
     * may have been the one stalled), and its answer may still come.
     *
     * @param shard     this shard.
     * @param node      the node.
     * @param error     the answer.
     * @param postsOnly whether only posts are sent again (nothing answered).
     * @return requests answered.
     */
    public int failNode(final Shard shard, final int node, final DiscordError error, final boolean postsOnly)
    {
        return failNodes(shard, node >= 0 && node < Long.SIZE ? 1L << node : 0, error, postsOnly);
    }

    /**
     * As {@link #failNode(Shard, int, DiscordError)} for several nodes at once (a ring epoch settled without them).
     *
     * @param shard this shard.
     * @param nodes a bit per node.
     * @param error the answer.
     * @return requests answered.
     */
    public int failNodes(final Shard shard, final long nodes, final DiscordError error)
    {
        return failNodes(shard, nodes, error, false);
    }

    /**
     * @return the nodes (a bit each) that requests still wait on.
     */
    public long nodesWaitedOn()
    {
        long nodes = 0;
        final Long2LongHashMap.ValueIterator it = nodesOf.values().iterator();
        while (it.hasNext())
        {
            nodes |= it.nextValue();
        }
        return nodes;
    }

    private int failNodes(final Shard shard, final long nodes, final DiscordError error, final boolean postsOnly)
    {
        final org.agrona.collections.LongArrayList failed = new org.agrona.collections.LongArrayList();
        final Long2LongHashMap.EntryIterator it = nodesOf.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            if ((it.getLongValue() & nodes) != 0)
            {
                failed.addLong(it.getLongKey());
            }
        }
        final long now = System.nanoTime();
        int answered = 0;
        for (int i = 0; i < failed.size(); i++)
        {
            final long correlation = failed.getLong(i);
            if (sendAgainFirst(correlation, now))
            {
                nodesOf.remove(correlation); // it waits on the node it is sent to next
                continue;
            }
            if (postsOnly)
            {
                continue;
            }
            fail(shard, correlation, error); // a post already sent again is tried once more later instead
            answered += waiting.containsKey(correlation) ? 0 : 1;
        }
        sendDue(shard, now);
        return answered;
    }

    /**
     * Keeps a copy of a post ({@code MESSAGE_POST}, {@code DM_MESSAGE_POST}) that went to another node, to send it
     * again if that node's answer will not come: it restarted or is unreachable ({@link #failNode}), or did not answer
     * in time ({@link #tick}). The owner stores the
     * post's request key (origin and correlation) with the message and, asked again, answers with the message the
     * first try wrote if there is one: the client gets one answer and one message, where a 503 made it post again
     * (discord.js and JDA retry 5xx answers) and the message was there twice when the first try had been written.
     * A command that ends the same when applied twice ({@link OwnerCommands#sentAgainAsIs}: an edit or a delete of a
     * message, a channel's, role's or member's edit, a kick…) is kept too and sent again unchanged.
     * Shard thread; called as the command leaves ({@code sentToNode}), again for each try.
     *
     * @param correlation the request (ignored when it waits no more).
     * @param bytes       the command.
     * @param length      its length.
     */
    public void remember(final long correlation, final org.agrona.DirectBuffer bytes, final int length)
    {
        if (waiting.containsKey(correlation) && !again.containsKey(correlation))
        {
            final byte[] copy = new byte[length];
            bytes.getBytes(0, copy);
            again.put(correlation, new Again(correlation, copy, bytes.getInt(0)));
        }
    }

    /** @return whether the request is a post kept to be sent again, now due (its first try's answer is lost). */
    private boolean sendAgainFirst(final long correlation, final long now)
    {
        final Again a = again.get(correlation);
        if (a == null || a.tries > 0 || !waiting.containsKey(correlation))
        {
            return false;
        }
        a.giveUpNanos = now + AGAIN_FOR_NANOS;
        a.dueNanos = now;
        due.add(a);
        return true;
    }

    /**
     * @return whether the request is a post already sent again whose latest try was refused (5xx) and that is tried
     *         once more later (after a back-off, or with the next ring epoch), within its time.
     */
    private boolean sendAgainLater(final long correlation)
    {
        final Again a = again.get(correlation);
        if (a == null || a.tries == 0 || !waiting.containsKey(correlation))
        {
            return false;
        }
        final long now = System.nanoTime();
        // not the answer's Retry-After (seconds, for clients): a try is one command, and the refusals that heal (its
        // owner unreachable, its guild moving) heal with the next ring epoch, which also sends what waits at once
        final long backOff = TimeUnit.MILLISECONDS.toNanos(Math.min(MAX_AGAIN_BACK_OFF_MILLIS,
            100L << Math.min(a.tries, 5)));
        if (now + backOff - a.giveUpNanos >= 0)
        {
            return false;
        }
        nodesOf.remove(correlation);
        a.dueNanos = now + backOff;
        due.add(a);
        return true;
    }

    /**
     * Sends the due posts again (as {@code MESSAGE_POST_AGAIN}, {@code DM_…}) to their owner on the current ring; all
     * that wait, when the ring changed since the last call (a new owner: measured in chaos soaks, posts sent again
     * were answered 3-4 s after the epoch without their node settled, waiting out a back-off of up to 2 s).
     */
    private void sendDue(final Shard shard, final long now)
    {
        final long ring = shard.group().routing().ring().version();
        final boolean ringChanged = ring != ringSeen;
        ringSeen = ring;
        for (int i = due.size(); i > 0; i--)
        {
            final Again a = due.poll();
            if (ringChanged)
            {
                a.dueNanos = Math.min(a.dueNanos, now);
            }
            if (!waiting.containsKey(a.correlation) || again.get(a.correlation) != a)
            {
                continue; // answered meanwhile
            }
            if (now - a.dueNanos < 0)
            {
                due.add(a);
                continue;
            }
            a.tries++;
            final UnsafeBuffer command = new UnsafeBuffer(a.command);
            fields.wrap(command, 0, a.command.length);
            fields.getInt();
            fields.getLong();
            fields.getLong();
            fields.getString();
            final long key = fields.getLong(); // the guild (a DM: its channel): what routes it
            final dev.pinwheel.core.command.CommandWriter w = shard.commandWriter()
                .begin(dev.pinwheel.gateway.owner.OwnerCommands.againType(a.type))
                .putRaw(command, Integer.BYTES, a.command.length - Integer.BYTES);
            if (OwnerCommands.messageEdit(a.type))
            {
                // its owner leaves a message edited since as it is: a later edit (the author's other client, while
                // this one was being sent again) is not overwritten by this older one
                w.putLong(a.firstSentMillis);
            }
            shard.send(shard.group().ownerOf(key), w); // may run now (this shard owns it): its answer too
        }
    }

    /**
     * Asks every shard of the given nodes for a {@code SYNC} answer and runs {@code done} on this shard once all
     * answered, could not be asked (node down) or {@link #SYNC_TIMEOUT_NANOS} passed. Each answer leaves its shard
     * after every state record that shard sent before it, on the same stream, and this node applies records as they
     * arrive: then this node knows what those nodes wrote before the sync reached them (read-your-writes across nodes).
     * Shard thread.
     *
     * @param shard this shard.
     * @param nodes the nodes (a bit per node id; this node's is ignored).
     * @param done  what runs after, on this shard.
     * @return whether anything was asked ({@code done} runs later), false when no such node exists.
     */
    public boolean sync(final Shard shard, final long nodes, final Runnable done)
    {
        final dev.pinwheel.core.shard.ShardGroup group = shard.group();
        final int shards = group.routing().ring().shardsPerNode();
        final int[] routes = new int[Long.bitCount(nodes) * shards];
        int count = 0;
        for (int node = 0; node <= dev.pinwheel.core.routing.ShardRoute.MAX_NODE; node++)
        {
            for (int k = 0; (nodes & 1L << node) != 0 && node != group.nodeId() && k < shards; k++)
            {
                routes[count++] = dev.pinwheel.core.routing.ShardRoute.of(node, k);
            }
        }
        if (count == 0)
        {
            return false;
        }
        final SyncGroup g = new SyncGroup();
        g.done = done;
        g.pending = count;
        final long first = next;
        final long deadline = System.nanoTime() + SYNC_TIMEOUT_NANOS;
        for (int i = 0; i < count; i++)
        {
            syncs.put(next, g);
            syncDeadlines.add(new Waiting(next++, deadline));
        }
        for (int i = 0; i < count; i++)
        {
            // one refused (its node down) is answered at once, here: done may run before this returns
            shard.send(routes[i], dev.pinwheel.gateway.owner.OwnerCommands.sync(shard.commandWriter(),
                shard.address(), first + i));
        }
        return true;
    }

    /**
     * A sync's answer came, or it could not be sent: its group runs once none is left.
     *
     * @param correlation the sync.
     * @return whether it was one.
     */
    public boolean syncAnswered(final long correlation)
    {
        final SyncGroup g = syncs.remove(correlation);
        if (g == null)
        {
            return false;
        }
        if (--g.pending == 0)
        {
            g.done.run();
        }
        return true;
    }

    /**
     * @return requests waiting.
     */
    public int size()
    {
        return waiting.size();
    }
}
