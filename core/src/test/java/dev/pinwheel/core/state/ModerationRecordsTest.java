package dev.pinwheel.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.guild.AuditEntry;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.GuildSettings;
import dev.pinwheel.core.guild.GuildTable;
import dev.pinwheel.core.guild.Permissions;

/**
 * The moderation state records replay into the same state the live path built: removals, bans, timeouts, invite uses
 * and deletes, audit entries, guild updates and deletion (what a restart rebuilds from the journal).
 */
class ModerationRecordsTest
{
    private static final long GUILD = 7;
    private static final long OWNER = 1;
    private static final long BOB = 2;
    private static final long CHANNEL = 70;

    @Test
    void moderationRecordsReplay()
    {
        final GuildTable guilds = new GuildTable();
        final NodeState node = NodeState.create();
        node.accounts().put(new Account(BOB, "bob", "x", false));
        StateRecords.apply(StateRecords.GUILD_CREATED, StateRecords.guildCreated(GUILD, "g", OWNER,
            Permissions.EVERYONE_DEFAULT), guilds, node);
        StateRecords.apply(StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(new GuildChannel(CHANNEL, GUILD,
            GuildChannel.TEXT, "general", 0, null, 0, 0, 0)), guilds, node);
        for (final long u : new long[] {OWNER, BOB})
        {
            StateRecords.apply(StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, u, 0), guilds, node);
        }
        final Guild g = guilds.get(GUILD);

        StateRecords.apply(StateRecords.MEMBER_TIMEOUT_SET, StateRecords.memberTimeoutSet(GUILD, BOB, Long.MAX_VALUE),
            guilds, node);
        assertTrue(g.member(BOB).timedOut(System.currentTimeMillis()));
        assertEquals(Permissions.TIMED_OUT & Permissions.EVERYONE_DEFAULT, Permissions.of(g, BOB),
            "a timed-out member keeps only reading");
        StateRecords.apply(StateRecords.BAN_ADDED, StateRecords.banAdded(GUILD, BOB, "raid"), guilds, node);
        StateRecords.apply(StateRecords.MEMBER_REMOVED, StateRecords.memberRemoved(GUILD, BOB), guilds, node);
        assertNull(g.member(BOB));
        assertFalse(node.accounts().guildsOf(BOB).contains(GUILD));
        assertEquals("raid", g.ban(BOB).reason());
        StateRecords.apply(StateRecords.BAN_ADDED, StateRecords.banAdded(GUILD, 3, null), guilds, node);
        assertNull(g.ban(3).reason());
        StateRecords.apply(StateRecords.BAN_REMOVED, StateRecords.banRemoved(GUILD, 3), guilds, node);
        assertNull(g.ban(3));

        StateRecords.apply(StateRecords.INVITE_CREATED, StateRecords.inviteCreated(new Invite("abc", GUILD, CHANNEL,
            OWNER, 0, 0, 2, true)), guilds, node);
        assertTrue(node.directory().invite("abc").temporary());
        StateRecords.apply(StateRecords.INVITE_USED, StateRecords.inviteCode(GUILD, "abc"), guilds, node);
        assertEquals(1, g.inviteUses("abc"));
        StateRecords.apply(StateRecords.INVITE_DELETED, StateRecords.inviteCode(GUILD, "abc"), guilds, node);
        assertNull(node.directory().invite("abc"));

        StateRecords.apply(StateRecords.AUDIT_ENTRY, StateRecords.auditEntry(GUILD, new AuditEntry(99, OWNER, BOB, 22,
            "raid", "[{\"key\":\"x\"}]", null)), guilds, node);
        final AuditEntry e = g.auditLogNewestFirst().next();
        assertEquals("raid", e.reason());
        assertEquals("[{\"key\":\"x\"}]", e.changes());
        assertNull(e.options());

        StateRecords.apply(StateRecords.GUILD_UPDATED, StateRecords.guildUpdated(GUILD, "renamed", BOB,
            new GuildSettings("about", CHANNEL, 0, 900, 2, 1, 0)), guilds, node);
        assertEquals("renamed", g.name());
        assertEquals(BOB, g.ownerId());
        assertEquals("about", g.settings().description());
        assertEquals(900, g.settings().afkTimeoutSeconds());
        assertEquals("renamed", node.directory().guild(GUILD).name());

        StateRecords.apply(StateRecords.GUILD_DELETED, StateRecords.guildDeleted(GUILD), guilds, node);
        assertNull(guilds.get(GUILD));
        assertNull(node.directory().guild(GUILD));
        assertEquals(0, node.directory().guildOfChannel(CHANNEL));
        assertFalse(node.accounts().guildsOf(OWNER).contains(GUILD));
    }

    /**
     * On another node than the guild's owner the records are applied to an empty guild table (the link's receiver):
     * the deletion does not know the members there, yet each one's node-wide guild list loses the guild. Before, it kept
     * it: a member's new session there was given the deleted guild in READY.
     */
    @Test
    void aGuildDeletedOnAnotherNodeLeavesEveryMembersGuildList()
    {
        final GuildTable owner = new GuildTable();
        final NodeState ownerNode = NodeState.create();
        final NodeState other = NodeState.create();
        for (final NodeState node : new NodeState[] {ownerNode, other})
        {
            final GuildTable table = node == ownerNode ? owner : new GuildTable();
            StateRecords.apply(StateRecords.GUILD_CREATED, StateRecords.guildCreated(GUILD, "g", OWNER,
                Permissions.EVERYONE_DEFAULT), table, node);
            StateRecords.apply(StateRecords.GUILD_CREATED, StateRecords.guildCreated(GUILD + 1, "kept", OWNER,
                Permissions.EVERYONE_DEFAULT), table, node);
            StateRecords.apply(StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, OWNER, 0), table, node);
            StateRecords.apply(StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, BOB, 0, true), table, node);
            StateRecords.apply(StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD + 1, BOB, 0), table, node);
        }
        assertTrue(other.accounts().guildsOf(BOB).contains(GUILD), "joins reach the other node's guild lists");
        assertTrue(other.accounts().temporaryGuildsOf(BOB).contains(GUILD));

        StateRecords.apply(StateRecords.GUILD_DELETED, StateRecords.guildDeleted(GUILD), new GuildTable(), other);
        assertFalse(other.accounts().guildsOf(OWNER).contains(GUILD));
        assertFalse(other.accounts().guildsOf(BOB).contains(GUILD));
        assertFalse(other.accounts().temporaryGuildsOf(BOB).contains(GUILD));
        assertTrue(other.accounts().guildsOf(BOB).contains(GUILD + 1), "the member's other guild stays");
        assertNull(other.directory().guild(GUILD));
    }

    @Test
    void overwritesTravelWithTheChannelAndOlderRecordsKeepThem()
    {
        final GuildTable guilds = new GuildTable();
        final NodeState node = NodeState.create();
        StateRecords.apply(StateRecords.GUILD_CREATED, StateRecords.guildCreated(GUILD, "g", OWNER,
            Permissions.EVERYONE_DEFAULT), guilds, node);
        final dev.pinwheel.core.guild.Overwrite hide = new dev.pinwheel.core.guild.Overwrite(GUILD,
            dev.pinwheel.core.guild.Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL);
        final GuildChannel c = new GuildChannel(CHANNEL, GUILD, GuildChannel.TEXT, "general", 0, null, 0, 0, 0)
            .withOverwrites(new dev.pinwheel.core.guild.Overwrite[] {hide});
        StateRecords.apply(StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(c), guilds, node);
        assertEquals(hide, guilds.get(GUILD).channel(CHANNEL).overwrite(GUILD));
        // an edit journaled before overwrites existed: the same fields without the overwrite list
        final byte[] full = StateRecords.channelCreated(new GuildChannel(CHANNEL, GUILD, GuildChannel.TEXT, "renamed",
            0, null, 0, 0, 0));
        final byte[] old = java.util.Arrays.copyOf(full, full.length - Integer.BYTES);
        StateRecords.apply(StateRecords.CHANNEL_CREATED, old, guilds, node);
        assertEquals("renamed", guilds.get(GUILD).channel(CHANNEL).name());
        assertEquals(hide, guilds.get(GUILD).channel(CHANNEL).overwrite(GUILD), "kept");
        StateRecords.apply(StateRecords.CHANNEL_CREATED, full, guilds, node);
        assertEquals(0, guilds.get(GUILD).channel(CHANNEL).overwrites().length, "a new record sets the whole list");
    }

    @Test
    void aTemporaryMembershipEndsWithARoleOrTheMembership()
    {
        final GuildTable guilds = new GuildTable();
        final NodeState node = NodeState.create();
        StateRecords.apply(StateRecords.GUILD_CREATED, StateRecords.guildCreated(GUILD, "g", OWNER,
            Permissions.EVERYONE_DEFAULT), guilds, node);
        StateRecords.apply(StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, BOB, 0, true), guilds, node);
        assertTrue(node.accounts().temporaryGuildsOf(BOB).contains(GUILD));
        StateRecords.apply(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new dev.pinwheel.core.guild.Role(9, "r",
            0, 1, 0)), guilds, node);
        StateRecords.apply(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, BOB, new long[] {9}),
            guilds, node);
        assertFalse(node.accounts().temporaryGuildsOf(BOB).contains(GUILD), "a role makes it permanent");
        // a record written before the flag existed: permanent
        final byte[] full = StateRecords.memberAdded(GUILD, 3, 0, true);
        StateRecords.apply(StateRecords.MEMBER_ADDED, java.util.Arrays.copyOf(full, full.length - 1), guilds, node);
        assertFalse(node.accounts().temporaryGuildsOf(3).contains(GUILD));
    }
}
