package dev.pinwheel.gateway.owner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.session.Intents;
import dev.pinwheel.gateway.session.ShardGateway;

/**
 * The guild owner's operations that are not behind typed commands yet: a session's subscription to a guild and its
 * member requests (gateway op 8), the announcement of a new member to the sessions, and pins. The REST operations
 * on guilds, channels, invites, members and roles are services ({@link GuildService}, {@link ChannelService},
 * {@link InviteService}, {@link MemberService}, {@link RoleService}). Every method MUST run on the owner shard's
 * thread (they are sent there as tasks).
 */
public final class GuildOps
{
    /** Discord sends at most 1,000 members per GUILD_MEMBERS_CHUNK. */
    private static final int MEMBERS_PER_CHUNK = 1000;

    private GuildOps()
    {
    }

    private static Guild guildOrError(final Shard owner, final long guildId, final long userId, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g == null)
        {
            ex.error(owner, 404, 10004, "Unknown Guild");
            return null;
        }
        if (g.member(userId) == null)
        {
            ex.error(owner, 403, 50001, "Missing Access");
            return null;
        }
        return g;
    }

    private static GuildChannel channelOrError(final Shard owner, final Guild g, final long channelId,
        final RestExchange ex)
    {
        final GuildChannel c = g.channel(channelId);
        if (c == null)
        {
            ex.error(owner, 404, 10003, "Unknown Channel");
        }
        return c;
    }

    /**
     * Resolves a channel of a guild this shard owns for a caller who must hold {@code needed} there, answering
     * the error itself (unknown guild/channel, missing access or permissions).
     *
     * @return the channel, or null when an error was sent.
     */
    static GuildChannel channelWith(final Shard owner, final long guildId, final long channelId,
        final long needed, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        final GuildChannel c = g == null ? null : channelOrError(owner, g, channelId, ex);
        if (c != null && !Permissions.has(Permissions.of(g, ex.userId()), needed))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return null;
        }
        return c;
    }

    /**
     * A session on shard {@code from} wants a guild's events: mark the shard interested and send the
     * session its GUILD_CREATE, on the same FIFO path as the guild's later events.
     */
    public static void subscribe(final Shard owner, final GatewayContext ctx, final long guildId, final int from,
        final String sessionId, final long userId, final int largeThreshold)
    {
        final Guild g = owner.guilds().get(guildId);
        final Dispatch snapshot;
        if (g == null || g.member(userId) == null)
        {
            snapshot = null;
        }
        else
        {
            g.addInterest(from);
            final ObjectNode d = Entities.guildCreate(g, ctx.node().accounts(), userId, largeThreshold,
                owner.store()::lastMessageId);
            d.set("voice_states", VoiceOps.guildCreateStates(ctx, owner, guildId));
            snapshot = new Dispatch("GUILD_CREATE", Json.bytes(d), null, Intents.GUILDS, guildId, 0, userId);
        }
        owner.send(from, s -> ShardGateway.of(s).onSnapshot(sessionId, guildId, snapshot));
    }

    /**
     * Shard {@code from} has no session subscribed to the guild any more.
     */
    public static void unsubscribe(final Shard owner, final long guildId, final int from)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g != null)
        {
            g.removeInterest(from);
        }
    }

    /**
     * A user became a member of a guild (created it, accepted an invite): every shard subscribes that user's sessions
     * to it ({@link MemberJoins} of the guild and invite services). Owner shard, after the commit.
     *
     * @param owner   the guild's owner shard.
     * @param userId  the new member.
     * @param guildId the guild.
     */
    public static void announceJoin(final Shard owner, final long userId, final long guildId)
    {
        for (int t = 0; t < owner.group().shardCount(); t++)
        {
            owner.send(t, s -> ShardGateway.of(s).onUserJoined(userId, guildId));
        }
    }

    /**
     * Op 8 REQUEST_GUILD_MEMBERS on the owner: the members of {@code userIds} (ids that are no member go to
     * {@code not_found}), or those whose username or nickname starts with {@code query} (case-insensitive; an
     * empty query matches everyone), at most {@code limit} (0: all for the empty query; a non-empty query
     * returns at most 100, as on Discord), sorted by user id. Sent back to the session's shard as
     * GUILD_MEMBERS_CHUNK dispatches of up to 1,000 members each ({@code chunk_index}/{@code chunk_count}), at
     * least one even when nothing matched. A caller who is not a member of the guild gets no answer.
     */
    public static void requestMembers(final Shard owner, final GatewayContext ctx, final long guildId, final int from,
        final String sessionId, final long userId, final long[] userIds, final String query, final int limit,
        final boolean presences, final String nonce)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g == null || g.member(userId) == null)
        {
            return;
        }
        final List<Member> found = new ArrayList<>();
        final ArrayNode notFound = Json.array();
        if (userIds != null)
        {
            Arrays.stream(userIds).distinct().sorted().forEach(id ->
            {
                final Member m = g.member(id);
                if (m == null)
                {
                    notFound.add(Json.id(id));
                }
                else
                {
                    found.add(m);
                }
            });
        }
        else
        {
            final Accounts accounts = ctx.node().accounts();
            final String prefix = query.toLowerCase(Locale.ROOT);
            final int max = !prefix.isEmpty() ? (limit == 0 ? 100 : Math.min(limit, 100))
                : limit == 0 ? Integer.MAX_VALUE : limit;
            g.members().stream().filter(m -> prefix.isEmpty() || matches(accounts, m, prefix))
                .sorted(Comparator.comparingLong(Member::userId)).limit(max).forEach(found::add);
        }
        final int count = Math.max(1, (found.size() + MEMBERS_PER_CHUNK - 1) / MEMBERS_PER_CHUNK);
        final List<Dispatch> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final ObjectNode d = Json.object();
            d.put("guild_id", Json.id(guildId));
            final ArrayNode members = d.putArray("members");
            for (final Member m : found.subList(i * MEMBERS_PER_CHUNK,
                Math.min(found.size(), (i + 1) * MEMBERS_PER_CHUNK)))
            {
                members.add(Entities.member(m, ctx.node().accounts(), true));
            }
            d.put("chunk_index", i);
            d.put("chunk_count", count);
            if (userIds != null && i == 0)
            {
                d.set("not_found", notFound);
            }
            if (presences)
            {
                // Pinwheel has no presence system: every member is offline, and offline members have no presence.
                d.putArray("presences");
            }
            if (nonce != null)
            {
                d.put("nonce", nonce);
            }
            chunks.add(new Dispatch("GUILD_MEMBERS_CHUNK", Json.bytes(d), null, 0, guildId, 0, userId));
        }
        owner.send(from, s -> ShardGateway.of(s).onMemberChunks(sessionId, chunks));
    }

    /** Whether the member's username or nickname starts with {@code lowerPrefix} (lower case), ignoring case. */
    private static boolean matches(final Accounts accounts, final Member m, final String lowerPrefix)
    {
        final dev.pinwheel.core.directory.Account a = accounts.get(m.userId());
        return (a != null && a.username().toLowerCase(Locale.ROOT).startsWith(lowerPrefix))
            || (m.nick() != null && m.nick().toLowerCase(Locale.ROOT).startsWith(lowerPrefix));
    }
}
