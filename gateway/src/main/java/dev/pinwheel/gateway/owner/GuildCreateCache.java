package dev.pinwheel.gateway.owner;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongUnaryOperator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.agrona.collections.Long2ObjectHashMap;

import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;

/**
 * The part of a large guild's GUILD_CREATE that its sessions get alike — the guild, its roles, the channels a session
 * may see with their newest message ids ({@link Entities#guildCreateShared}) — encoded once per guild state and
 * visibility, and each session's own fields (join time, member count, its member or the members, presences, voice
 * states) spliced after it. Before, each session's whole GUILD_CREATE was built as a tree and encoded on the guild's
 * owner, once per session of a reconnect storm: 43 / 73 µs and 75 / 133 KB of garbage for a guild of 10 / 50 channels
 * and 30 roles, against 3.1 / 4.3 µs and 16 / 27 KB spliced ({@code GuildCreateBenchmark}).
 * <p>
 * An encoding is used again only while the guild's {@link Guild#snapshotVersion}, the session's visible channels, their
 * newest message ids and the large flag are those it was made for (checked on every use, so nothing it shows can be
 * stale). Up to {@link #ENTRIES} encodings per guild (the visibilities seen last), guilds from {@link #FROM_MEMBERS}
 * members on (a small guild's few sessions are encoded as before), at most {@link #MAX_BYTES} of them in all. Owner
 * shard only (public for {@code GuildCreateBenchmark}).
 */
public final class GuildCreateCache
{
    /** Guilds with fewer members are encoded per session. */
    static final int FROM_MEMBERS = 100;
    /** Encodings kept per guild (different visibilities, large flags). */
    static final int ENTRIES = 8;
    /** Guilds with encodings kept at most; past it all are dropped. */
    static final int GUILDS = 4_096;
    /** Bytes of encodings a shard keeps at most; past it all are dropped (a large guild's part is 5–50 KB). */
    static final long MAX_BYTES = 32L << 20;

    /** One encoding and what it was made for. */
    private record Entry(long version, boolean large, long[] channels, long[] lastIds, byte[] open)
    {
        boolean matches(final long v, final boolean l, final long[] ids, final long[] last)
        {
            return version == v && large == l && Arrays.equals(channels, ids) && Arrays.equals(lastIds, last);
        }
    }

    private final Long2ObjectHashMap<Entry[]> byGuild = new Long2ObjectHashMap<>();
    private final long maxBytes;
    private long bytes;
    private long encoded;
    private long reused;

    /** A shard's cache, at most {@link #MAX_BYTES} of encodings. */
    public GuildCreateCache()
    {
        this(MAX_BYTES);
    }

    /**
     * @param maxBytes bytes of encodings kept at most (tests make it small).
     */
    GuildCreateCache(final long maxBytes)
    {
        this.maxBytes = maxBytes;
    }

    /**
     * @param g              the guild.
     * @param large          whether it is large for the session.
     * @param visible        the channels the session may see, in the guild's order.
     * @param lastMessageIds each channel's newest message id.
     * @param own            the session's own fields (joined_at, member_count, members, presences, voice_states).
     * @return the GUILD_CREATE's {@code d}.
     */
    public byte[] encode(final Guild g, final boolean large, final List<GuildChannel> visible,
        final LongUnaryOperator lastMessageIds, final ObjectNode own)
    {
        final long[] ids = new long[visible.size()];
        final long[] last = new long[ids.length];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = visible.get(i).id();
            last[i] = lastMessageIds.applyAsLong(ids[i]);
        }
        final long version = g.snapshotVersion();
        Entry[] entries = byGuild.get(g.id());
        Entry hit = null;
        int free = -1;
        if (entries != null)
        {
            for (int i = 0; i < entries.length && hit == null; i++)
            {
                final Entry e = entries[i];
                if (e != null && e.matches(version, large, ids, last))
                {
                    hit = e;
                }
                else if (e == null || e.version != version)
                {
                    bytes -= e == null ? 0 : e.open.length;
                    entries[i] = null; // another state of the guild: never used again
                    free = free < 0 ? i : free;
                }
            }
        }
        if (hit == null)
        {
            final ObjectNode shared = Entities.guildCreateShared(g, large, visible, id ->
            {
                for (int i = 0; i < ids.length; i++)
                {
                    if (ids[i] == id)
                    {
                        return last[i];
                    }
                }
                return lastMessageIds.applyAsLong(id);
            });
            shared.remove("presences"); // the session's own
            shared.remove("voice_states");
            final byte[] whole = Json.bytes(shared);
            hit = new Entry(version, large, ids, last, Arrays.copyOf(whole, whole.length - 1));
            if (bytes + hit.open.length > maxBytes || entries == null && byGuild.size() >= GUILDS)
            {
                byGuild.clear(); // every shared part is encoded again on its next use
                bytes = 0;
                entries = null;
                free = -1;
            }
            if (entries == null)
            {
                entries = new Entry[ENTRIES];
                byGuild.put(g.id(), entries);
            }
            final int slot = free >= 0 ? free : (int)(encoded % ENTRIES);
            bytes += hit.open.length - (entries[slot] == null ? 0 : entries[slot].open.length);
            entries[slot] = hit;
            encoded++;
        }
        else
        {
            reused++;
        }
        final byte[] mine = Json.bytes(own);
        final byte[] out = new byte[hit.open.length + mine.length];
        System.arraycopy(hit.open, 0, out, 0, hit.open.length);
        out[hit.open.length] = ',';
        System.arraycopy(mine, 1, out, hit.open.length + 1, mine.length - 1);
        return out;
    }

    /** @return bytes of encodings kept now. */
    long bytes()
    {
        return bytes;
    }

    /** @return shared parts encoded so far. */
    public long encoded()
    {
        return encoded;
    }

    /** @return GUILD_CREATEs that used a shared part encoded before. */
    public long reused()
    {
        return reused;
    }
}
