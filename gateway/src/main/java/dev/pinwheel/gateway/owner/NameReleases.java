package dev.pinwheel.gateway.owner;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2LongHashMap;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name releases this shard owes, in a cluster: a registration (or a bot's creation) that failed after its
 * username was claimed gives the name back to the name's owner ({@link OwnerCommands#NAME_RELEASE}), and until that
 * owner acknowledges ({@link OwnerCommands#NAME_RELEASE_DONE}) the release is sent again every
 * {@link #RETRY_MILLIS} — through the owner's node being down, restarted, or this node restarting (the debt is
 * journaled, {@link StateRecords#NAME_RELEASE_OWED}, and replayed) — so that a name is never held forever by an id
 * without an account. A release is harmless twice: the owner gives a name back only while that id holds it.
 * <pre>
 *   shard owning the id ── NAME_RELEASE_OWED (journal) ── NAME_RELEASE ──▶ owner of key(name): NAME_RELEASED
 *        ▲  tick: not acknowledged within RETRY_MILLIS ─▶ ID_VOID (below)               │ (if that id holds it)
 *        └── NAME_RELEASE_SETTLED (journal) ◀──────────── NAME_RELEASE_DONE ◀────────────┘
 * </pre>
 * A registration whose outcome the origin does not know ({@link #oweLost}), and every retry, goes through the id's
 * owner first: {@code ID_VOID} ─▶ account exists? NAME_RELEASE_DONE : journal ID_VOIDED ─(durable)─▶ NAME_RELEASE.
 * Owed releases live in the node's {@code Accounts} (applied from the journal like every state record); the shard that
 * owns the id on the ring sends them. <b>Shard thread only.</b>
 */
public final class NameReleases
{
    /** How long an unacknowledged release waits before it is sent again. */
    public static final long RETRY_MILLIS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(NameReleases.class);
    private static final long SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);

    private final NodeState node;
    /** When each owed release this shard sends may go again ({@link System#nanoTime()}), by id. */
    private final Long2LongHashMap due = new Long2LongHashMap(Long.MIN_VALUE);
    private long nextScanNanos;

    /**
     * @param node the node's accounts, where owed releases are kept.
     */
    public NameReleases(final NodeState node)
    {
        this.node = node;
    }

    /**
     * A registration failed on this shard after its name was claimed: gives the name back to its owner, and keeps
     * giving it back until acknowledged. Journaled when this shard owns the id (the one that retries); when the journal
     * refuses (the failure may be a full disk), kept in memory only. A cluster only.
     *
     * @param shard    this shard.
     * @param node     the node's accounts.
     * @param username the name.
     * @param userId   the id it was claimed for.
     */
    static void owe(final Shard shard, final NodeState node, final String username, final long userId)
    {
        final int here = shard.id(); // ownerOf names a shard of this node by its index
        // a name this shard owns is given back at once, in this call: nothing to owe
        if (shard.group().ownerOf(userId) == here && shard.group().ownerOf(Usernames.key(username)) != here)
        {
            try
            {
                StateLog.commit(shard, node, StateRecords.NAME_RELEASE_OWED, StateRecords.nameRelease(username,
                    userId));
            }
            catch (final RuntimeException ex)
            {
                node.accounts().oweRelease(userId, username);
                LOG.warn("the release of a name claimed for {} is kept in memory only ({}): retried until "
                    + "acknowledged or this node stops", userId, ex.toString());
            }
        }
        NameClaimProxy.release(shard, username, userId);
    }

    /**
     * A registration (or a bot's creation) whose answer this shard, its origin, will never get: a node it went through
     * restarted, or it timed out. Its account command may have died with that node, leaving the name held by an id
     * without an account, so the name goes back to its owner — unless this node already knows the account (then it
     * was registered). The debt is journaled here whoever owns the id: the record reaches every node, and the id's owner
     * sends the release until the name's owner acknowledges ({@link #tick}); the name's owner gives it back only while
     * that id holds it with no account, so a registration that did go through keeps its name. The release goes through
     * the id's owner ({@link NameClaimProxy#releaseThroughIdOwner}), which alone knows whether the account exists: it
     * voids the id first, so neither an account whose record has not reached the name's owner nor a registration still
     * on its way can end up holding a name that was given back. A cluster only.
     *
     * @param shard    this shard (the request's origin).
     * @param node     the node's accounts.
     * @param username the name.
     * @param userId   the id it was claimed for.
     */
    public static void oweLost(final Shard shard, final NodeState node, final String username, final long userId)
    {
        if (node.accounts().get(userId) != null)
        {
            return;
        }
        if (shard.group().ownerOf(Usernames.key(username)) != shard.id())
        {
            try
            {
                StateLog.commit(shard, node, StateRecords.NAME_RELEASE_OWED, StateRecords.nameRelease(username,
                    userId));
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("the release of a name claimed for {} by a lost registration is sent once only ({})", userId,
                    ex.toString());
            }
        }
        LOG.info("shard {}: a registration for id {} got no answer from its owner: its name is given back unless the "
            + "account exists", shard.id(), userId);
        NameClaimProxy.releaseThroughIdOwner(shard, username, userId);
    }

    /**
     * {@link #oweLost} for a bot's creation, which claims its name or, that one taken, its fallback: the name the bot
     * holds if this node has learnt its claim, else both (a release is conditional on the holder).
     *
     * @param shard    this shard (the request's origin).
     * @param node     the node's accounts.
     * @param app      the bot's id.
     * @param name     the name asked for.
     * @param fallback the second choice.
     */
    public static void oweLost(final Shard shard, final NodeState node, final long app, final String name,
        final String fallback)
    {
        if (node.accounts().holderOf(fallback) != app)
        {
            oweLost(shard, node, name, app);
        }
        if (node.accounts().holderOf(name) != app)
        {
            oweLost(shard, node, fallback, app);
        }
    }

    /**
     * {@link OwnerCommands#NAME_RELEASE_DONE}: the name's owner gave the name back (or found nothing to give back).
     *
     * @param shard   this shard.
     * @param command the command, after its header.
     * @param userId  the id the name was claimed for.
     */
    public void done(final Shard shard, final CommandReader command, final long userId)
    {
        final String username = command.getString();
        if (!node.accounts().owesRelease(userId, username))
        {
            return; // settled already (an answer to a retry)
        }
        try
        {
            StateLog.commit(shard, node, StateRecords.NAME_RELEASE_SETTLED, StateRecords.nameRelease(username,
                userId));
        }
        catch (final RuntimeException ex)
        {
            node.accounts().releaseSettled(userId, username); // sent once more after a restart: harmless
        }
        if (!node.accounts().owedReleases().containsKey(userId))
        {
            due.remove(userId); // nothing more owed for it (a bot's creation may owe two names)
        }
    }

    /**
     * Sends again the owed releases of the ids this shard owns that were not acknowledged in time. From the shard's
     * ticker.
     *
     * @param shard this shard.
     * @param now   {@link System#nanoTime()}.
     * @return releases sent.
     */
    public int tick(final Shard shard, final long now)
    {
        if (now - nextScanNanos < 0 || shard.group().clusterLink() == null)
        {
            return 0;
        }
        nextScanNanos = now + SCAN_NANOS;
        final Map<Long, java.util.Set<String>> owed = node.accounts().owedReleases();
        if (owed.isEmpty())
        {
            due.clear();
            return 0;
        }
        int sent = 0;
        for (final Map.Entry<Long, java.util.Set<String>> e : owed.entrySet())
        {
            final long userId = e.getKey();
            if (shard.group().ownerOf(userId) != shard.id())
            {
                continue;
            }
            final long at = due.get(userId);
            if (at == Long.MIN_VALUE)
            {
                due.put(userId, now + RETRY_NANOS); // just sent, or just replayed: give the first answer time
            }
            else if (now - at >= 0)
            {
                due.put(userId, now + RETRY_NANOS);
                for (final String username : e.getValue())
                {
                    NameClaimProxy.releaseThroughIdOwner(shard, username, userId); // this shard owns the id
                    sent++;
                }
            }
        }
        if (sent > 0)
        {
            LOG.info("shard {}: {} name release(s) not acknowledged yet sent again", shard.id(), sent);
        }
        return sent;
    }
}
