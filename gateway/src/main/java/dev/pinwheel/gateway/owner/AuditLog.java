package dev.pinwheel.gateway.owner;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.guild.AuditEntry;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;

/**
 * The audit logs of the guilds a shard owns: the owner services {@link #record} what moderators and managers do
 * (with the request's {@code X-Audit-Log-Reason}), journaled (AUDIT_ENTRY, the newest {@link Guild#AUDIT_LOG_KEPT}
 * kept per guild) and announced as GUILD_AUDIT_LOG_ENTRY_CREATE to the members who may read the log (VIEW_AUDIT_LOG,
 * with GUILD_MODERATION); {@link #list} answers {@code GET /guilds/{g}/audit-logs}. Owner shard only.
 */
public final class AuditLog
{
    /** Discord's audit log event types used here. */
    public static final int GUILD_UPDATE = 1;
    public static final int CHANNEL_CREATE = 10;
    public static final int CHANNEL_UPDATE = 11;
    public static final int CHANNEL_DELETE = 12;
    public static final int CHANNEL_OVERWRITE_CREATE = 13;
    public static final int CHANNEL_OVERWRITE_UPDATE = 14;
    public static final int CHANNEL_OVERWRITE_DELETE = 15;
    public static final int MEMBER_KICK = 20;
    public static final int MEMBER_BAN_ADD = 22;
    public static final int MEMBER_BAN_REMOVE = 23;
    public static final int MEMBER_UPDATE = 24;
    public static final int MEMBER_ROLE_UPDATE = 25;
    public static final int MEMBER_MOVE = 26;
    public static final int MEMBER_DISCONNECT = 27;
    public static final int ROLE_CREATE = 30;
    public static final int ROLE_UPDATE = 31;
    public static final int ROLE_DELETE = 32;
    public static final int INVITE_CREATE = 40;
    public static final int INVITE_DELETE = 42;
    public static final int MESSAGE_DELETE = 72;
    public static final int MESSAGE_BULK_DELETE = 73;
    public static final int MESSAGE_PIN = 74;
    public static final int MESSAGE_UNPIN = 75;

    private final NodeState node;

    /**
     * @param node the node's directories (state records apply to them; accounts for the users of a page).
     */
    public AuditLog(final NodeState node)
    {
        this.node = node;
    }

    /**
     * Records an entry: journaled now, announced after the commit. Call after the change itself was committed.
     *
     * @param owner      this shard.
     * @param g          the guild.
     * @param reply      the request (who acted, and why: {@link Reply#reason}).
     * @param actionType what ({@code MEMBER_KICK}...).
     * @param targetId   on what or whom (0: nothing).
     * @param changes    Discord's {@code changes} ({@code [{key, old_value, new_value}]}), or null.
     */
    public void record(final Shard owner, final Guild g, final Reply reply, final int actionType, final long targetId,
        final ArrayNode changes)
    {
        record(owner, g, reply, actionType, targetId, changes, null);
    }

    /**
     * @param owner      this shard.
     * @param g          the guild.
     * @param reply      the request.
     * @param actionType what.
     * @param targetId   on what or whom (0: nothing).
     * @param changes    Discord's {@code changes}, or null.
     * @param options    Discord's {@code options} (e.g. {@code {channel_id, count}}), or null.
     */
    public void record(final Shard owner, final Guild g, final Reply reply, final int actionType, final long targetId,
        final ArrayNode changes, final ObjectNode options)
    {
        final AuditEntry e = new AuditEntry(owner.ids().next(), reply.userId(), targetId, actionType, reply.reason(),
            changes == null || changes.isEmpty() ? null : Json.text(changes),
            options == null ? null : Json.text(options));
        StateLog.commit(owner, node, StateRecords.AUDIT_ENTRY, StateRecords.auditEntry(g.id(), e));
        final ObjectNode d = entry(e);
        d.put("guild_id", Json.id(g.id()));
        final byte[] data = Json.bytes(d);
        owner.afterCommit(() -> Audience.publish(owner, g, Permissions.VIEW_AUDIT_LOG, "GUILD_AUDIT_LOG_ENTRY_CREATE",
            data, Intents.GUILD_MODERATION));
    }

    /**
     * {@link OwnerCommands#AUDIT_LOG}: guild, user filter (0: any), action type (0: any), before (0: none), after
     * (0: none), limit 1-100. VIEW_AUDIT_LOG. Newest first (oldest first with only {@code after}), with the users
     * named.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long userFilter = command.getLong();
        final int typeFilter = command.getInt();
        final long before = command.getLong();
        final long after = command.getLong();
        final int limit = command.getInt();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.VIEW_AUDIT_LOG, reply);
        if (g == null)
        {
            return;
        }
        final java.util.ArrayList<AuditEntry> page = new java.util.ArrayList<>();
        for (final Iterator<AuditEntry> it = g.auditLogNewestFirst(); it.hasNext();)
        {
            final AuditEntry e = it.next();
            if ((userFilter == 0 || e.userId() == userFilter) && (typeFilter == 0 || e.actionType() == typeFilter)
                && (before == 0 || e.id() < before) && e.id() > after)
            {
                page.add(e);
            }
        }
        final java.util.List<AuditEntry> chosen = before == 0 && after != 0
            ? page.subList(Math.max(0, page.size() - limit), page.size()).reversed()
            : page.subList(0, Math.min(limit, page.size()));
        final ObjectNode body = Json.object();
        final ArrayNode entries = body.putArray("audit_log_entries");
        final Set<Long> users = new LinkedHashSet<>();
        for (final AuditEntry e : chosen)
        {
            entries.add(entry(e));
            users.add(e.userId());
            if (e.targetId() != 0 && node.accounts().get(e.targetId()) != null)
            {
                users.add(e.targetId());
            }
        }
        final ArrayNode u = body.putArray("users");
        for (final long id : users)
        {
            u.add(Entities.user(node.accounts().get(id), id));
        }
        for (final String empty : new String[] {"integrations", "webhooks", "guild_scheduled_events", "threads",
            "application_commands", "auto_moderation_rules"})
        {
            body.putArray(empty);
        }
        reply.ok(200, body);
    }

    private static ObjectNode entry(final AuditEntry e)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(e.id()));
        o.put("user_id", Json.id(e.userId()));
        if (e.targetId() == 0)
        {
            o.putNull("target_id");
        }
        else
        {
            o.put("target_id", Json.id(e.targetId()));
        }
        o.put("action_type", e.actionType());
        if (e.reason() != null)
        {
            o.put("reason", e.reason());
        }
        if (e.changes() != null)
        {
            o.set("changes", Json.parse(e.changes()));
        }
        if (e.options() != null)
        {
            o.set("options", Json.parse(e.options()));
        }
        return o;
    }

    /**
     * @param before an entity as JSON before the change (null: created).
     * @param after  the same after it (null: deleted).
     * @param keys   the fields to compare.
     * @return the changed fields as Discord's {@code changes}.
     */
    public static ArrayNode diff(final JsonNode before, final JsonNode after, final String... keys)
    {
        final ArrayNode changes = Json.array();
        for (final String key : keys)
        {
            final JsonNode b = before == null ? null : before.get(key);
            final JsonNode a = after == null ? null : after.get(key);
            if (b == null ? a != null && !a.isNull() : !b.equals(a))
            {
                change(changes, key, b, a);
            }
        }
        return changes;
    }

    /**
     * @param changes where the change goes.
     * @param key     the field.
     * @param before  its old value (null: none).
     * @param after   its new value (null: none).
     * @return {@code changes}.
     */
    public static ArrayNode change(final ArrayNode changes, final String key, final JsonNode before,
        final JsonNode after)
    {
        final ObjectNode c = changes.addObject();
        c.put("key", key);
        if (before != null && !before.isNull())
        {
            c.set("old_value", before);
        }
        if (after != null && !after.isNull())
        {
            c.set("new_value", after);
        }
        return changes;
    }
}
