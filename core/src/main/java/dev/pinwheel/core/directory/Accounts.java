package dev.pinwheel.core.directory;

import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's account directory: users, their token hashes and the guilds they belong to.
 * <p>
 * This is control-plane state read on login, IDENTIFY and REST auth, written on register/login/join.
 * It is deliberately a concurrent directory rather than shard-owned state: every shard authenticates
 * every request, and writes are rare. The source of truth is still the journals (records are appended by
 * the shard that performs the change, then applied here).
 */
public final class Accounts
{
    private final ConcurrentHashMap<Long, Account> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> byName = new ConcurrentHashMap<>();
    /**
     * A user's token hashes, oldest first, at most {@link #MAX_TOKENS}: an immutable array replaced on each login (in
     * the journal's order, so every node keeps the same ones).
     */
    private final ConcurrentHashMap<Long, String[]> tokens = new ConcurrentHashMap<>();
    /** A user's guilds: a small immutable set, a concurrent one past {@link #SMALL} ({@link #with}). */
    private final ConcurrentHashMap<Long, Set<Long>> guildsByUser = new ConcurrentHashMap<>();
    /**
     * Names whose claim a failed registration gives back, by the id they were claimed for, until acknowledged: a bot's
     * creation may owe two (its name and its fallback, when the origin does not know which one it got).
     */
    private final ConcurrentHashMap<Long, Set<String>> owedReleases = new ConcurrentHashMap<>();
    /** Ids no account may be registered for any more: their registration was given up ({@code ID_VOIDED}). */
    private final Set<Long> voided = ConcurrentHashMap.newKeySet();
    /** The guilds a user joined through a temporary invite and holds no role in yet. */
    private final ConcurrentHashMap<Long, Set<Long>> temporaryByUser = new ConcurrentHashMap<>();
    /**
     * Up to this many elements a user's set is an immutable {@code Set.of} replaced on each change (24 B for one or
     * two elements besides them), past it a concurrent set changed in place. A concurrent set for every user (its
     * view, map, table and node: ≈ 190 B for one element) made a user's tokens and guilds ≈ 380 B of the directory's
     * ≈ 1 KiB per user (issue 14); most users have a few of each, and changes are rare.
     */
    static final int SMALL = 8;
    /**
     * Tokens a user keeps: a login past it ends the oldest one (its requests answer 401; sessions it identified go on).
     * Before, every login added one for good: a script logging in in a loop grew the directory without end.
     */
    public static final int MAX_TOKENS = 100;

    /**
     * Reserves a username before the account is journaled.
     *
     * @param username name.
     * @param userId   id to reserve it for.
     * @return true if the name was free.
     */
    public boolean reserve(final String username, final long userId)
    {
        return byName.putIfAbsent(key(username), userId) == null;
    }

    /**
     * @param username a name.
     * @return the id it is reserved for or registered to (a claim whose account has not arrived yet included), or -1.
     */
    public long holderOf(final String username)
    {
        final Long id = byName.get(key(username));
        return id == null ? -1 : id;
    }

    /**
     * @param username name to release after a failed registration.
     * @param userId   the id it was reserved for.
     */
    public void release(final String username, final long userId)
    {
        byName.remove(key(username), userId);
    }

    /**
     * @param userId   the id a name was claimed for, whose registration failed.
     * @param username the name: its owner is to be told, until it acknowledges.
     */
    public void oweRelease(final long userId, final String username)
    {
        owedReleases.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(username);
    }

    /**
     * @param userId   the id whose owed release the name's owner acknowledged.
     * @param username the name given back (the id's other owed names stay owed).
     */
    public void releaseSettled(final long userId, final String username)
    {
        owedReleases.computeIfPresent(userId, (id, names) ->
        {
            names.remove(username);
            return names.isEmpty() ? null : names;
        });
    }

    /**
     * @param userId   an id.
     * @param username a name.
     * @return whether that name's release is owed for that id.
     */
    public boolean owesRelease(final long userId, final String username)
    {
        final Set<String> names = owedReleases.get(userId);
        return names != null && names.contains(username);
    }

    /**
     * @param userId an id whose registration was given up: no account may be registered for it any more.
     */
    public void voidId(final long userId)
    {
        voided.add(userId);
    }

    /**
     * @param userId an id.
     * @return whether its registration was given up ({@link #voidId}).
     */
    public boolean isVoided(final long userId)
    {
        return voided.contains(userId);
    }

    /**
     * @return the names owed back to their owners, by the id they were claimed for (a live view; any thread).
     */
    public java.util.Map<Long, Set<String>> owedReleases()
    {
        return Collections.unmodifiableMap(owedReleases);
    }

    /**
     * @param account account to add (its name reserved or being replayed).
     */
    public void put(final Account account)
    {
        byName.put(key(account.username()), account.id());
        byId.put(account.id(), account);
    }

    /**
     * @param id user id.
     * @return the account or null.
     */
    public Account get(final long id)
    {
        return byId.get(id);
    }

    /**
     * @param username name.
     * @return the account or null.
     */
    public Account byUsername(final String username)
    {
        final Long id = byName.get(key(username));
        return id == null ? null : byId.get(id);
    }

    /**
     * @param userId    user.
     * @param tokenHash hex SHA-256 of the token secret.
     */
    public void addToken(final long userId, final String tokenHash)
    {
        tokens.compute(userId, (k, held) ->
        {
            if (held == null)
            {
                return new String[] {tokenHash};
            }
            for (final String h : held)
            {
                if (h.equals(tokenHash))
                {
                    return held;
                }
            }
            final int keep = Math.min(held.length, MAX_TOKENS - 1);
            final String[] more = new String[keep + 1];
            System.arraycopy(held, held.length - keep, more, 0, keep);
            more[keep] = tokenHash;
            return more;
        });
    }

    /**
     * @param userId user whose every token stops working (a bot's token reset).
     */
    public void revokeTokens(final long userId)
    {
        tokens.remove(userId);
    }

    /**
     * @param userId    user.
     * @param tokenHash hex SHA-256 of a presented token secret.
     * @return whether that token was issued to the user.
     */
    public boolean hasToken(final long userId, final String tokenHash)
    {
        final String[] held = tokens.get(userId);
        if (held != null)
        {
            for (int i = held.length - 1; i >= 0; i--) // the newest first: the one a client uses most likely
            {
                if (held[i].equals(tokenHash))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @param userId  user.
     * @param guildId guild joined.
     */
    public void addGuild(final long userId, final long guildId)
    {
        guildsByUser.compute(userId, (k, set) -> with(set, guildId));
    }

    /**
     * @param userId  user.
     * @param guildId guild left.
     */
    public void removeGuild(final long userId, final long guildId)
    {
        guildsByUser.computeIfPresent(userId, (k, set) -> without(set, guildId));
    }

    /**
     * A guild was deleted whose members are not known here (another node owned it): every user's guild list forgets
     * it. Visits every user: rare (a guild's deletion, applied once per node).
     *
     * @param guildId the guild.
     */
    public void forgetGuild(final long guildId)
    {
        for (final Long userId : guildsByUser.keySet())
        {
            guildsByUser.computeIfPresent(userId, (k, set) -> without(set, guildId));
        }
        for (final Long userId : temporaryByUser.keySet())
        {
            temporaryByUser.computeIfPresent(userId, (k, set) -> without(set, guildId));
        }
    }

    /**
     * @param userId    user.
     * @param guildId   a guild the user is a temporary member of.
     * @param temporary true: temporary from now on; false: not any more (a role given, or gone).
     */
    public void temporary(final long userId, final long guildId, final boolean temporary)
    {
        if (temporary)
        {
            temporaryByUser.compute(userId, (k, set) -> with(set, guildId));
            return;
        }
        temporaryByUser.computeIfPresent(userId, (k, set) -> without(set, guildId));
    }

    /**
     * @param userId user.
     * @return the guilds the user is a temporary member of (removed from them when their last session ends; read at
     *         once: a snapshot or a live view).
     */
    public Set<Long> temporaryGuildsOf(final long userId)
    {
        final Set<Long> set = temporaryByUser.get(userId);
        return set == null ? Collections.emptySet() : Collections.unmodifiableSet(set);
    }

    /**
     * @param userId user.
     * @return the guilds the user belongs to (read at once: a snapshot while small, a live view past {@link #SMALL}).
     */
    public Set<Long> guildsOf(final long userId)
    {
        final Set<Long> set = guildsByUser.get(userId);
        return set == null ? Collections.emptySet() : Collections.unmodifiableSet(set);
    }

    /**
     * @return registered accounts.
     */
    public int size()
    {
        return byId.size();
    }

    /**
     * @return the lowest registered user id — the first account, since user ids are snowflakes that sort by
     * creation time — or -1 if there is none. Scans every account: control plane only (the admin check caches it).
     */
    public long lowestUserId()
    {
        long min = Long.MAX_VALUE;
        for (final Long id : byId.keySet())
        {
            min = Math.min(min, id);
        }
        return min == Long.MAX_VALUE ? -1 : min;
    }

    /**
     * In a map's {@code compute}: the set with {@code value} added.
     *
     * @param set   the set, or null.
     * @param value the element.
     * @return a small immutable set, or the concurrent one it grew into (changed in place).
     */
    @SuppressWarnings("unchecked")
    static <T> Set<T> with(final Set<T> set, final T value)
    {
        if (set == null)
        {
            return Set.of(value);
        }
        if (set instanceof ConcurrentHashMap.KeySetView<?, ?>)
        {
            set.add(value);
            return set;
        }
        if (set.contains(value))
        {
            return set;
        }
        if (set.size() < SMALL)
        {
            final Object[] more = set.toArray(new Object[set.size() + 1]);
            more[more.length - 1] = value;
            return (Set<T>)Set.of(more);
        }
        final Set<T> big = ConcurrentHashMap.newKeySet();
        big.addAll(set);
        big.add(value);
        return big;
    }

    /**
     * In a map's {@code compute}: the set without {@code value}.
     *
     * @param set   the set.
     * @param value the element.
     * @return the set without it, or null (the map drops the entry) once empty.
     */
    @SuppressWarnings("unchecked")
    static <T> Set<T> without(final Set<T> set, final T value)
    {
        if (set instanceof ConcurrentHashMap.KeySetView<?, ?>)
        {
            set.remove(value);
            return set.isEmpty() ? null : set;
        }
        if (!set.contains(value))
        {
            return set;
        }
        if (set.size() == 1)
        {
            return null;
        }
        final Object[] fewer = new Object[set.size() - 1];
        int i = 0;
        for (final T e : set)
        {
            if (!e.equals(value))
            {
                fewer[i++] = e;
            }
        }
        return (Set<T>)Set.of(fewer);
    }

    private static String key(final String username)
    {
        return username.toLowerCase(Locale.ROOT);
    }
}
