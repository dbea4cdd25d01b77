package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.directory.Application;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;

/**
 * Applications and OAuth2 bot authorization. On the <b>owner of the application's id</b>: a person creates an
 * application, which owns a bot user of the same id and its token ({@code USER_REGISTERED}, {@code TOKEN_ISSUED},
 * {@code APPLICATION_PUT}); the owner resets the token ({@code TOKENS_REVOKED}, then the new {@code TOKEN_ISSUED}; the
 * bot's live connections close with 4004). On the <b>guild's owner</b>: a guild manager (MANAGE_GUILD) adds a bot
 * with a role holding the permissions asked for (none above the manager's own), journaled like a join through an
 * invite; the bot's sessions receive GUILD_CREATE without identifying again, the others GUILD_MEMBER_ADD. Reads each
 * command in the order {@link ApplicationProxy} wrote it; answers only through {@link Reply}. Owner shard only.
 */
public final class ApplicationService
{
    /** Where Discord's client goes after authorizing. */
    private static final String AUTHORIZED = "https://discord.com/oauth2/authorized";

    private final NodeState node;
    private final MemberJoins joins;

    /**
     * @param node  the node's accounts and directory.
     * @param joins told when the bot joins a guild (its sessions subscribe) or when its tokens are revoked.
     */
    public ApplicationService(final NodeState node, final MemberJoins joins)
    {
        this.node = node;
        this.joins = joins;
    }

    /**
     * @param a        an application.
     * @param accounts the node's accounts.
     * @return the application as Discord's API shows it (to its owner or its bot).
     */
    public static ObjectNode json(final Application a, final Accounts accounts)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(a.id()));
        o.put("name", a.name());
        o.putNull("icon");
        o.put("description", a.description());
        o.put("bot_public", true);
        o.put("bot_require_code_grant", false);
        o.put("verify_key", "");
        o.put("summary", ""); // deprecated by Discord, always empty; still required by Discord4J 3.2
        o.put("flags", 0);
        o.set("owner", Entities.user(accounts.get(a.ownerId()), a.ownerId()));
        o.set("bot", Entities.user(accounts.get(a.id()), a.id()));
        o.putNull("team");
        o.putArray("redirect_uris");
        o.putObject("install_params").put("permissions", "0").putArray("scopes").add("bot").add(
            "applications.commands");
        return o;
    }

    /**
     * {@link OwnerCommands#APPLICATION_CREATE}: application id, bot username, name, description, token, token hash
     * (the header's user is the owner).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (201 with the application and, once, its bot's token).
     */
    public void create(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final String botName = command.getString();
        final String name = command.getString();
        final String description = command.getString();
        final String token = command.getString();
        final String tokenHash = command.getString();
        if (node.accounts().isVoided(app))
        {
            // its origin gave it up and its name was given back (NameClaimService#voidId): too late to create
            reply.error(DiscordError.NODE_UNAVAILABLE);
            return;
        }
        final Account bot = new Account(app, botName, "none", true); // no password: a bot never logs in with one
        StateLog.commit(owner, node, StateRecords.USER_REGISTERED, StateRecords.userRegistered(bot));
        StateLog.commit(owner, node, StateRecords.TOKEN_ISSUED, StateRecords.tokenIssued(app, tokenHash));
        final Application a = new Application(app, reply.userId(), name, description);
        StateLog.commit(owner, node, StateRecords.APPLICATION_PUT, StateRecords.applicationPut(a));
        final ObjectNode body = json(a, node.accounts());
        ((ObjectNode)body.get("bot")).put("token", token);
        final byte[] answer = Json.bytes(body);
        owner.afterCommit(() -> reply.ok(201, answer));
    }

    /**
     * A creation failed on this shard: the bot's reserved username is free again unless the account was journaled.
     *
     * @param shard   this shard.
     * @param command the command, after its header.
     */
    public void createFailed(final Shard shard, final CommandReader command)
    {
        final long app = command.getLong();
        final String botName = command.getString();
        if (node.accounts().get(app) == null)
        {
            if (shard.group().clusterLink() != null)
            {
                // in a cluster the name's owner holds the claim: it journals the release (replayed at restart)
                NameReleases.owe(shard, node, botName, app);
            }
            else
            {
                node.accounts().release(botName, app);
            }
        }
    }

    /**
     * {@link OwnerCommands#APPLICATION_TOKEN_RESET}: application, new token, its hash (the header's user asks).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 {@code {token}}, once durable; then the bot's connections close).
     */
    public void resetToken(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final String token = command.getString();
        final String tokenHash = command.getString();
        final Application a = node.directory().application(app);
        if (a == null)
        {
            reply.error(DiscordError.UNKNOWN_APPLICATION);
            return;
        }
        if (a.ownerId() != reply.userId())
        {
            reply.error(DiscordError.MISSING_ACCESS);
            return;
        }
        StateLog.commit(owner, node, StateRecords.TOKENS_REVOKED, StateRecords.tokensRevoked(app));
        StateLog.commit(owner, node, StateRecords.TOKEN_ISSUED, StateRecords.tokenIssued(app, tokenHash));
        final byte[] answer = Json.bytes(Json.object().put("token", token));
        owner.afterCommit(() ->
        {
            reply.ok(200, answer);
            joins.tokensRevoked(owner, app);
        });
    }

    /**
     * {@link OwnerCommands#OAUTH2_BOT_ADD}: guild, bot, permissions (the header's user authorizes).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 {@code {location}}, once durable).
     */
    public void addBot(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long botId = command.getLong();
        final long permissions = command.getLong();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_GUILD, reply);
        if (g == null)
        {
            return;
        }
        final Account bot = node.accounts().get(botId);
        if (bot == null || !bot.bot())
        {
            reply.error(DiscordError.UNKNOWN_APPLICATION);
            return;
        }
        final long mine = Permissions.of(g, reply.userId());
        if ((permissions & ~mine) != 0 && !Permissions.has(mine, Permissions.ADMINISTRATOR))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS); // one grants a bot only what one holds
            return;
        }
        if (g.ban(botId) != null)
        {
            reply.error(DiscordError.USER_BANNED);
            return;
        }
        final byte[] answer = Json.bytes(Json.object().put("location", AUTHORIZED));
        if (g.member(botId) != null)
        {
            reply.ok(200, answer); // already there: authorizing again changes nothing
            return;
        }
        StateLog.commit(owner, node, StateRecords.MEMBER_ADDED, StateRecords.memberAdded(guildId, botId,
            System.currentTimeMillis()));
        Dispatch roleCreate = null;
        if (permissions != 0)
        {
            for (final Role r : g.roles().toArray(new Role[0]))
            {
                if (r.id() != guildId && r.position() >= 1)
                {
                    StateLog.commit(owner, node, StateRecords.ROLE_PUT, StateRecords.rolePut(guildId,
                        r.withPosition(r.position() + 1)));
                }
            }
            final Role role = new Role(owner.ids().next(), bot.username(), permissions, 1, 0, botId); // managed
            StateLog.commit(owner, node, StateRecords.ROLE_PUT, StateRecords.rolePut(guildId, role));
            StateLog.commit(owner, node, StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(guildId, botId,
                new long[] {role.id()}));
            final ObjectNode rd = Json.object();
            rd.put("guild_id", Json.id(guildId));
            rd.set("role", Entities.role(role)); // managed: true, tags.bot_id
            roleCreate = new Dispatch("GUILD_ROLE_CREATE", Json.bytes(rd), null, Intents.GUILDS, guildId, 0, 0);
        }
        final ObjectNode d = Entities.member(g.member(botId), node.accounts(), true);
        d.put("guild_id", Json.id(guildId));
        final Dispatch memberAdd = new Dispatch("GUILD_MEMBER_ADD", Json.bytes(d), null, Intents.GUILD_MEMBERS,
            guildId, 0, 0);
        final Dispatch role = roleCreate;
        owner.afterCommit(() ->
        {
            if (role != null)
            {
                owner.publish(g, role);
            }
            owner.publish(g, memberAdd);
            joins.joined(owner, botId, guildId);
            reply.ok(200, answer);
        });
    }
}
