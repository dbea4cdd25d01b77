package dev.pinwheel.gateway.owner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;

/**
 * Op 8 REQUEST_GUILD_MEMBERS on the guild's owner ({@link OwnerCommands#REQUEST_MEMBERS} from
 * {@link MemberListProxy}): the members of the given user ids (ids that are no member go to {@code not_found}), or
 * those whose username or nickname starts with the query (case-insensitive; an empty query matches everyone), at most
 * {@code limit} (0: all for the empty query; a non-empty query returns at most 100, as on Discord), sorted by user id.
 * Answered to the session's shard ({@link OwnerCommands#MEMBER_CHUNKS}) as GUILD_MEMBERS_CHUNK dispatches of up to
 * 1,000 members each ({@code chunk_index}/{@code chunk_count}), at least one even when nothing matched. A caller who
 * is not a member of the guild gets no answer. Shard thread only.
 */
public final class MemberListService
{
    /** Discord sends at most 1,000 members per GUILD_MEMBERS_CHUNK. */
    private static final int MEMBERS_PER_CHUNK = 1000;

    private final Accounts accounts;
    private final SessionProxy sessions;
    private PresenceService presenceService;

    /**
     * @param accounts the node's accounts (usernames to match, member bodies).
     * @param sessions this shard's way to the sessions of every shard.
     */
    public MemberListService(final Accounts accounts, final SessionProxy sessions)
    {
        this.accounts = accounts;
        this.sessions = sessions;
    }

    /**
     * @param service this shard's presences (the chunks' {@code presences}).
     * @return this.
     */
    public MemberListService presences(final PresenceService service)
    {
        this.presenceService = service;
        return this;
    }

    /**
     * {@link OwnerCommands#REQUEST_MEMBERS}: origin shard, session id, guild, user, user ids, query, limit, presences,
     * nonce.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void requestMembers(final Shard owner, final CommandReader command)
    {
        final int from = command.getInt();
        final String sessionId = command.getString();
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final long[] userIds = command.getLongs();
        final String query = command.getString();
        final int limit = command.getInt();
        final boolean presences = command.getBoolean();
        final String nonce = command.getString();

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
            final String prefix = query.toLowerCase(Locale.ROOT);
            final int max = !prefix.isEmpty() ? (limit == 0 ? 100 : Math.min(limit, 100))
                : limit == 0 ? Integer.MAX_VALUE : limit;
            g.members().stream().filter(m -> prefix.isEmpty() || MemberService.startsWith(accounts, m, prefix))
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
                members.add(Entities.member(m, accounts, true));
            }
            d.put("chunk_index", i);
            d.put("chunk_count", count);
            if (userIds != null && i == 0)
            {
                d.set("not_found", notFound);
            }
            if (presences)
            {
                // offline members have no presence object, as on Discord
                final ArrayNode list = d.putArray("presences");
                for (final Member m : found.subList(i * MEMBERS_PER_CHUNK,
                    Math.min(found.size(), (i + 1) * MEMBERS_PER_CHUNK)))
                {
                    final dev.pinwheel.gateway.codec.PresenceFields p = presenceService == null ? null
                        : presenceService.presenceIn(guildId, m.userId());
                    if (p != null)
                    {
                        list.add(PresenceService.presence(m.userId(), p));
                    }
                }
            }
            if (nonce != null)
            {
                d.put("nonce", nonce);
            }
            chunks.add(new Dispatch("GUILD_MEMBERS_CHUNK", Json.bytes(d), null, 0, guildId, 0, userId));
        }
        sessions.memberChunks(from, sessionId, chunks);
    }
}
