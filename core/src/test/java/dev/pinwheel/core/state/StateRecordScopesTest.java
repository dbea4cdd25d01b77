package dev.pinwheel.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.guild.AuditEntry;
import dev.pinwheel.core.guild.GuildSettings;

/**
 * Every state record has a scope (a store that keeps state as per-scope logs — Cassandra — replays a guild's log on
 * whichever shard owns the guild): the records of a guild are in the guild's scope, and no record type is left
 * without one (a type added later without a scope fails here, not on a Cassandra node at its first write).
 */
class StateRecordScopesTest
{
    private static final long GUILD = 1_234_567_890_123L;
    private static final long USER = 42;

    @Test
    void everyRecordOfAGuildIsInTheGuildsScope()
    {
        final Map<Integer, byte[]> ofGuild = new TreeMap<>();
        ofGuild.put(StateRecords.MEMBER_REMOVED, StateRecords.memberRemoved(GUILD, USER));
        ofGuild.put(StateRecords.BAN_ADDED, StateRecords.banAdded(GUILD, USER, "spam"));
        ofGuild.put(StateRecords.BAN_REMOVED, StateRecords.banRemoved(GUILD, USER));
        ofGuild.put(StateRecords.MEMBER_TIMEOUT_SET, StateRecords.memberTimeoutSet(GUILD, USER, 1_000L));
        ofGuild.put(StateRecords.AUDIT_ENTRY, StateRecords.auditEntry(GUILD,
            new AuditEntry(7, USER, USER + 1, 20, "why", null, null)));
        ofGuild.put(StateRecords.INVITE_USED, StateRecords.inviteCode(GUILD, "abc"));
        ofGuild.put(StateRecords.INVITE_DELETED, StateRecords.inviteCode(GUILD, "abc"));
        ofGuild.put(StateRecords.GUILD_UPDATED, StateRecords.guildUpdated(GUILD, "renamed", USER,
            GuildSettings.DEFAULT));
        ofGuild.put(StateRecords.GUILD_DELETED, StateRecords.guildDeleted(GUILD));
        ofGuild.put(StateRecords.WEBHOOK_PUT, StateRecords.webhookPut(new dev.pinwheel.core.guild.Webhook(77, GUILD,
            99, "hook", null, "ab", USER)));
        ofGuild.put(StateRecords.WEBHOOK_DELETED, StateRecords.webhookDeleted(GUILD, 77));
        ofGuild.put(StateRecords.ATTACHMENTS_BOUND, StateRecords.attachmentsBound(GUILD, 99, 100, new long[] {7, 8}));
        ofGuild.put(StateRecords.ATTACHMENTS_UNBOUND, StateRecords.attachmentsUnbound(GUILD, new long[] {7}));
        ofGuild.put(StateRecords.GUILD_ICON_SET, StateRecords.guildIconSet(GUILD, "0123456789abcdef0123456789abcdef"));
        ofGuild.put(StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, USER, 0));
        ofGuild.put(StateRecords.CHANNEL_DELETED, StateRecords.channelDeleted(GUILD, 99));
        ofGuild.put(StateRecords.ROLE_DELETED, StateRecords.roleDeleted(GUILD, 5));
        ofGuild.put(StateRecords.ROLE_HOIST_SET, StateRecords.roleHoistSet(GUILD, 5, true));
        ofGuild.put(StateRecords.INVITE_CREATED, StateRecords.inviteCreated(
            new Invite("abc", GUILD, 99, USER, 0, 0, 0, false)));
        for (final Map.Entry<Integer, byte[]> e : ofGuild.entrySet())
        {
            assertEquals(GUILD, StateRecords.scopeOf(e.getKey(), e.getValue()), "record type " + e.getKey());
        }
    }

    @Test
    void anAvatarIsInItsUsersScope()
    {
        assertEquals(USER, StateRecords.scopeOf(StateRecords.USER_AVATAR_SET, StateRecords.userAvatarSet(USER, null)));
    }

    @Test
    void noRecordTypeIsWithoutAScope() throws IllegalAccessException
    {
        final byte[] longs = new byte[256]; // long fields first: zeros decode as id 0, strings as ""
        int types = 0;
        for (final Field f : StateRecords.class.getFields())
        {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers()))
            {
                final int type = f.getInt(null);
                types++;
                try
                {
                    StateRecords.scopeOf(type, longs);
                }
                catch (final IllegalArgumentException ex)
                {
                    assertTrue(!ex.getMessage().startsWith("unknown state record type"),
                        f.getName() + " (" + type + ") has no scope: " + ex.getMessage());
                }
            }
        }
        assertTrue(types >= 22, "record types found: " + types);
    }
}
