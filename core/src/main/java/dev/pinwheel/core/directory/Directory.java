package dev.pinwheel.core.directory;

import java.util.concurrent.ConcurrentHashMap;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Node-wide lookups that let any shard route a request to the owner of the state it touches:
 * channel → guild, invite code → invite, guild → summary (name, owner) for guild lists, application → its command
 * lists, user pair → direct-message channel. Written by the owner shard when the thing is created (and during
 * recovery), read by every shard.
 * <p>
 * Keys are longs. The lookups read on every request (channel → guild, guild summaries, DM channel → users) are
 * concurrent hash maps (lock-free reads); the ones read rarely (application commands, the DM channel of a pair) are
 * two-level Agrona primitive maps — (application, guild) and (lower user id, higher user id): exact, no key built
 * per call — each behind its own lock.
 */
public final class Directory
{
    /**
     * Whether this node is still learning the records other nodes keep (a cluster node on the shared store, before
     * its first handover load read them): what is unknown here may exist ({@link #learning(boolean)}).
     */
    private volatile boolean learning;

    /**
     * @param value whether this node is still learning the node-wide records other nodes keep. Any thread.
     */
    public void learning(final boolean value)
    {
        learning = value;
    }

    /**
     * @return whether an unknown account, channel or pair may yet exist (this node is still learning them). Any
     *         thread.
     */
    public boolean learning()
    {
        return learning;
    }

    /**
     * What any shard may know about a guild without asking its owner.
     *
     * @param id      guild id.
     * @param name    name.
     * @param ownerId owner user id.
     */
    public record GuildSummary(long id, String name, long ownerId)
    {
    }

    private final ConcurrentHashMap<Long, Long> channelGuild = new ConcurrentHashMap<>();
    /** Invite code → the invite and the order it was first put in (lists are oldest first, even within a millisecond). */
    private final ConcurrentHashMap<String, Placed> invites = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong invitesPut = new java.util.concurrent.atomic.AtomicLong();

    /** Guild → the codes of its invites (a guild's list and count without a pass over every invite of the node). */
    private final ConcurrentHashMap<Long, java.util.Set<String>> guildInvites = new ConcurrentHashMap<>();

    private record Placed(Invite invite, long order)
    {
    }
    private final ConcurrentHashMap<Long, GuildSummary> guilds = new ConcurrentHashMap<>();
    /** Guild → icon hash, for the guilds that have one (a user's guild list shows it on every node). */
    private final ConcurrentHashMap<Long, String> guildIcons = new ConcurrentHashMap<>();
    /** Application commands: application → guild (0 = global) → JSON array text; written by the app's owner shard. */
    private final Long2ObjectHashMap<Long2ObjectHashMap<String>> commands = new Long2ObjectHashMap<>();
    /** Direct-message channels: channel → its two users. */
    private final ConcurrentHashMap<Long, long[]> dmUsers = new ConcurrentHashMap<>();
    /** Webhook → its guild (where an unauthenticated webhook request goes) and channel, set and read as one. */
    private final ConcurrentHashMap<Long, WebhookPlace> webhooks = new ConcurrentHashMap<>();
    /** Direct-message channels by pair: lower user id → higher user id → channel (0: none). */
    private final Long2ObjectHashMap<Long2LongHashMap> dmByPair = new Long2ObjectHashMap<>();

    /**
     * @param channelId channel.
     * @param guildId   its guild.
     */
    public void putChannel(final long channelId, final long guildId)
    {
        channelGuild.put(channelId, guildId);
    }

    /**
     * @param channelId a deleted channel.
     */
    public void removeChannel(final long channelId)
    {
        channelGuild.remove(channelId);
        // its webhooks go with it, as on Discord (before, their tokens kept working and the guild kept listing them)
        webhooks.values().removeIf(w -> w.channelId() == channelId);
    }

    /**
     * @param webhookId a webhook.
     * @param guildId   its guild (0 removes it).
     * @param channelId its channel.
     */
    public void webhookGuild(final long webhookId, final long guildId, final long channelId)
    {
        if (guildId == 0)
        {
            webhooks.remove(webhookId);
        }
        else
        {
            webhooks.put(webhookId, new WebhookPlace(guildId, channelId));
        }
    }

    /**
     * @param webhookId a webhook.
     * @return the channel it posts to, or 0 if there is no such webhook.
     */
    public long channelOfWebhook(final long webhookId)
    {
        final WebhookPlace w = webhooks.get(webhookId);
        return w == null ? 0 : w.channelId();
    }

    /**
     * @param webhookId a webhook.
     * @return its guild (the owner to ask), or 0 if there is no such webhook.
     */
    public long guildOfWebhook(final long webhookId)
    {
        final WebhookPlace w = webhooks.get(webhookId);
        return w == null ? 0 : w.guildId();
    }

    /**
     * @param channelId channel.
     * @return its guild id, or 0 if unknown.
     */
    public long guildOfChannel(final long channelId)
    {
        final Long g = channelGuild.get(channelId);
        return g == null ? 0 : g;
    }

    /**
     * @param invite invite to add.
     */
    public void putInvite(final Invite invite)
    {
        invites.compute(invite.code(), (code, old) -> new Placed(invite,
            old != null ? old.order() : invitesPut.incrementAndGet()));
        guildInvites.compute(invite.guildId(), (g, codes) ->
        {
            final java.util.Set<String> set = codes != null ? codes : ConcurrentHashMap.newKeySet();
            set.add(invite.code()); // inside compute: a removal emptying the set cannot drop it meanwhile
            return set;
        });
    }

    /**
     * @param code an invite code to forget (deleted, used up).
     */
    public void removeInvite(final String code)
    {
        final Placed p = invites.remove(code);
        if (p != null)
        {
            guildInvites.computeIfPresent(p.invite().guildId(), (g, codes) ->
            {
                codes.remove(code);
                return codes.isEmpty() ? null : codes;
            });
        }
    }

    /**
     * @param guildId a guild.
     * @return its invites, oldest first (a snapshot; control plane and owner reads).
     */
    public java.util.List<Invite> invitesOf(final long guildId)
    {
        final java.util.Set<String> codes = guildInvites.get(guildId);
        if (codes == null)
        {
            return java.util.List.of();
        }
        return codes.stream().map(invites::get).filter(p -> p != null && p.invite().guildId() == guildId)
            .sorted(java.util.Comparator.comparingLong(Placed::order)).map(Placed::invite).toList();
    }

    /**
     * @param guildId a guild.
     * @return how many invites it has, expired ones included until they are deleted.
     */
    public int inviteCount(final long guildId)
    {
        final java.util.Set<String> codes = guildInvites.get(guildId);
        return codes == null ? 0 : codes.size();
    }

    /**
     * @param code invite code.
     * @return the invite or null.
     */
    public Invite invite(final String code)
    {
        final Placed p = invites.get(code);
        return p == null ? null : p.invite();
    }

    /**
     * @param summary guild summary to add or replace.
     */
    public void putGuild(final GuildSummary summary)
    {
        guilds.put(summary.id(), summary);
    }

    /**
     * Forgets a deleted guild: its summary, its channels, its invites and its webhooks.
     *
     * @param guildId the guild.
     */
    public void removeGuild(final long guildId)
    {
        guilds.remove(guildId);
        guildIcons.remove(guildId);
        channelGuild.values().removeIf(g -> g == guildId);
        invites.values().removeIf(p -> p.invite().guildId() == guildId);
        guildInvites.remove(guildId);
        webhooks.values().removeIf(w -> w.guildId() == guildId);
    }

    /**
     * @param guildId a guild.
     * @param hash    its icon's hash, or null for none.
     */
    public void guildIcon(final long guildId, final String hash)
    {
        if (hash == null)
        {
            guildIcons.remove(guildId);
        }
        else
        {
            guildIcons.put(guildId, hash);
        }
    }

    /**
     * @param guildId a guild.
     * @return its icon's hash, or null for none.
     */
    public String guildIcon(final long guildId)
    {
        return guildIcons.get(guildId);
    }

    /**
     * @param guildId guild.
     * @return summary or null.
     */
    public GuildSummary guild(final long guildId)
    {
        return guilds.get(guildId);
    }

    /**
     * @return number of guilds on the node.
     */
    public int guildCount()
    {
        return guilds.size();
    }

    /**
     * @param applicationId application (a bot's user id).
     * @param guildId       guild, or 0 for global commands.
     * @param json          the whole command list as a JSON array text.
     */
    public void putCommands(final long applicationId, final long guildId, final String json)
    {
        synchronized (commands)
        {
            Long2ObjectHashMap<String> byGuild = commands.get(applicationId);
            if (byGuild == null)
            {
                byGuild = new Long2ObjectHashMap<>();
                commands.put(applicationId, byGuild);
            }
            byGuild.put(guildId, json);
        }
    }

    /**
     * @param applicationId application.
     * @param guildId       guild, or 0 for global commands.
     * @return the command list as a JSON array text ("[]" when none).
     */
    public String commands(final long applicationId, final long guildId)
    {
        synchronized (commands)
        {
            final Long2ObjectHashMap<String> byGuild = commands.get(applicationId);
            final String json = byGuild == null ? null : byGuild.get(guildId);
            return json == null ? "[]" : json;
        }
    }

    /**
     * @return the applications that registered commands (global or in some guild), in no order.
     */
    public long[] applicationsWithCommands()
    {
        synchronized (commands)
        {
            final long[] ids = new long[commands.size()];
            int i = 0;
            for (final Long id : commands.keySet()) // rare (a user opens the command picker): boxing is fine
            {
                ids[i++] = id;
            }
            return ids;
        }
    }

    /**
     * @param channelId a direct-message channel.
     * @param a         one user.
     * @param b         the other.
     */
    public void putDm(final long channelId, final long a, final long b)
    {
        dmUsers.put(channelId, new long[] {a, b});
        final long low = Math.min(a, b);
        synchronized (dmByPair)
        {
            Long2LongHashMap byHigh = dmByPair.get(low);
            if (byHigh == null)
            {
                byHigh = new Long2LongHashMap(0);
                dmByPair.put(low, byHigh);
            }
            byHigh.put(Math.max(a, b), channelId);
        }
    }

    /**
     * @param channelId a channel id.
     * @return its two users if it is a direct-message channel, else null.
     */
    public long[] dmUsers(final long channelId)
    {
        return dmUsers.get(channelId);
    }

    /**
     * @param a a user.
     * @param b another.
     * @return their direct-message channel, or 0.
     */
    public long dmBetween(final long a, final long b)
    {
        synchronized (dmByPair)
        {
            final Long2LongHashMap byHigh = dmByPair.get(Math.min(a, b));
            return byHigh == null ? 0 : byHigh.get(Math.max(a, b));
        }
    }

    /**
     * A pair of users as one long, for routing: the owner of the pair's direct-message state is
     * {@code ownerOf(pairId(a, b))}. The same whichever comes first, well mixed (MurmurHash3's finaliser over the
     * lower and the higher id). Not unique — two 64-bit ids do not fit in one long — so never a lookup key on its own
     * ({@link #dmBetween} looks pairs up exactly).
     *
     * @param a a user.
     * @param b another.
     * @return the pair's routing key.
     */
    public static long pairId(final long a, final long b)
    {
        final long low = Math.min(a, b);
        final long high = Math.max(a, b);
        long h = low * 0x9E37_79B9_7F4A_7C15L ^ Long.rotateLeft(high * 0xC2B2_AE3D_27D4_EB4FL, 31);
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    private final java.util.concurrent.ConcurrentHashMap<Long, Application> applications =
        new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param application an application created or changed (replayed from the journal too).
     */
    public void putApplication(final Application application)
    {
        applications.put(application.id(), application);
    }

    /**
     * @param applicationId an application (its bot's user id).
     * @return the application, or null (a bot registered on its own through {@code /auth/register} has none).
     */
    public Application application(final long applicationId)
    {
        return applications.get(applicationId);
    }

    /**
     * @param ownerId a person.
     * @return the applications they own, oldest first.
     */
    public java.util.List<Application> applicationsOf(final long ownerId)
    {
        return applications.values().stream().filter(a -> a.ownerId() == ownerId)
            .sorted(java.util.Comparator.comparingLong(Application::id)).toList();
    }

    /** Where a webhook posts: its guild and its channel. */
    private record WebhookPlace(long guildId, long channelId)
    {
    }
}
