package dev.pinwheel.core.fanout;

import org.agrona.collections.Long2LongHashMap;

/**
 * A session's guild id → its index in that guild's {@link SessionIndex} list. Most sessions are in one guild on their
 * shard, so the first entry lives in two fields and a hash map is made only for a second guild (issue 14: an idle
 * session's footprint — Agrona's smallest {@link Long2LongHashMap} is 216 bytes). Keys are guild ids (never 0, never
 * negative); slots are non-negative {@code int}s. {@link SessionEndpoint} extends it, so the fields are the session's
 * own (a separate object was 32 B more per session). Confined to the shard thread, like the session.
 */
abstract class GuildSlots
{
    /** What {@link #get} and {@link #remove} answer for a guild that is not here. */
    static final long MISSING = -1;

    private long firstGuild;
    private int firstSlot = (int)MISSING;
    /** Every entry but the inline one; null until a session is in two guilds at once. */
    private Long2LongHashMap more;

    /**
     * @param guildId a guild.
     * @return whether it is here.
     */
    final boolean hasGuildSlot(final long guildId)
    {
        return firstSlot != MISSING && firstGuild == guildId || more != null && more.containsKey(guildId);
    }

    /**
     * @param guildId a guild.
     * @return its slot, or {@link #MISSING}.
     */
    final long guildSlot(final long guildId)
    {
        if (firstSlot != MISSING && firstGuild == guildId)
        {
            return firstSlot;
        }
        return more == null ? MISSING : more.get(guildId);
    }

    /**
     * Sets a guild's slot (adds it, or moves it).
     *
     * @param guildId a guild.
     * @param slot    its slot (≥ 0).
     */
    final void putGuildSlot(final long guildId, final long slot)
    {
        if (firstSlot != MISSING && firstGuild == guildId || firstSlot == MISSING && !inMoreSlots(guildId))
        {
            firstGuild = guildId;
            firstSlot = (int)slot;
            return;
        }
        if (more == null)
        {
            more = new Long2LongHashMap(MISSING);
        }
        more.put(guildId, slot);
    }

    /**
     * @param guildId a guild.
     * @return its slot before it was removed, or {@link #MISSING}.
     */
    final long removeGuildSlot(final long guildId)
    {
        if (firstSlot != MISSING && firstGuild == guildId)
        {
            final long slot = firstSlot;
            firstSlot = (int)MISSING;
            firstGuild = 0;
            return slot;
        }
        if (more == null)
        {
            return MISSING;
        }
        final long slot = more.remove(guildId);
        if (more.isEmpty())
        {
            more = null;
        }
        return slot;
    }

    /**
     * @return entries.
     */
    final int guildSlotCount()
    {
        return (firstSlot != MISSING ? 1 : 0) + (more == null ? 0 : more.size());
    }

    /**
     * @return the guild ids (a copy).
     */
    final long[] guildSlotKeys()
    {
        final long[] ids = new long[guildSlotCount()];
        int i = 0;
        if (firstSlot != MISSING)
        {
            ids[i++] = firstGuild;
        }
        if (more != null)
        {
            for (final Long2LongHashMap.KeyIterator it = more.keySet().iterator(); it.hasNext(); )
            {
                ids[i++] = it.nextValue();
            }
        }
        return ids;
    }

    private boolean inMoreSlots(final long guildId)
    {
        return more != null && more.containsKey(guildId);
    }
}
