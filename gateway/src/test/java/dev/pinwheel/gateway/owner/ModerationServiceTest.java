package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerCommands.KEEP;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;
import dev.pinwheel.gateway.owner.OwnerFixture.Joined;

/**
 * {@link ModerationProxy} to {@link ModerationService} across two shard threads ({@link OwnerFixture}): kick and leave
 * with Discord's hierarchy, bans with their recent messages, bulk bans, a banned user's invite join refused, timeouts
 * (through {@link MemberService}) taking everything but reading, and the audit log those actions leave.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModerationServiceTest
{
    /** A moderator: KICK_MEMBERS, BAN_MEMBERS, MODERATE_MEMBERS, VIEW_AUDIT_LOG at position 2. */
    private static final long MOD = 601;
    /** A role above the moderator. */
    private static final long HIGH = 602;
    private static final long DAVE = 1004;

    private OwnerFixture fx;

    @BeforeEach
    void start() throws Exception
    {
        fx = new OwnerFixture();
        fx.node.accounts().put(new Account(DAVE, "dave", "x", false));
        fx.member(BOB);
        fx.member(CAROL);
        fx.member(DAVE);
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(MOD, "mod", Permissions.KICK_MEMBERS
            | Permissions.BAN_MEMBERS | Permissions.MODERATE_MEMBERS | Permissions.VIEW_AUDIT_LOG, 2, 0)));
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(HIGH, "high", 0, 3, 0)));
        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, CAROL, new long[] {MOD}));
        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, DAVE, new long[] {HIGH}));
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    private Answer remove(final long correlation, final long by, final long member, final boolean leave)
        throws InterruptedException
    {
        return fx.ask(correlation, ModerationProxy::new, p -> p.remove(correlation, by, "spam", GUILD, member, leave));
    }

    private Answer ban(final long correlation, final long by, final long[] users, final int seconds,
        final boolean bulk) throws InterruptedException
    {
        return fx.ask(correlation, ModerationProxy::new, p -> p.ban(correlation, by, "raid", GUILD, users, seconds,
            bulk));
    }

    private boolean member(final long userId) throws InterruptedException
    {
        final boolean[] is = new boolean[1];
        fx.onShard(fx.owner, s -> is[0] = s.guilds().get(GUILD).member(userId) != null);
        return is[0];
    }

    @Test
    void kickFollowsTheHierarchyAndTellsTheGuildAndTheUser() throws Exception
    {
        assertEquals(50013, remove(1, BOB, CAROL, false).code(), "bob has no KICK_MEMBERS");
        assertEquals(50013, remove(2, CAROL, DAVE, false).code(), "dave's role is above carol's");
        assertEquals(50013, remove(3, CAROL, ALICE, false).code(), "nobody kicks the owner");
        assertEquals(10007, remove(4, ALICE, 4242, false).code());
        fx.noEvent();

        assertEquals(204, remove(5, CAROL, BOB, false).status());
        final JsonNode removed = fx.event("GUILD_MEMBER_REMOVE");
        assertEquals(String.valueOf(BOB), removed.path("user").path("id").asText());
        assertEquals(String.valueOf(GUILD), removed.path("guild_id").asText());
        final JsonNode entry = fx.auditEvent();
        assertEquals(AuditLog.MEMBER_KICK, entry.path("action_type").asInt());
        assertEquals("spam", entry.path("reason").asText());
        assertEquals(String.valueOf(CAROL), entry.path("user_id").asText());
        assertEquals(new Joined(BOB, GUILD), fx.leaves.poll(10, TimeUnit.SECONDS), "bob's sessions drop the guild");
        assertFalse(member(BOB));
        assertFalse(fx.node.accounts().guildsOf(BOB).contains(GUILD), "READY no longer lists it");
        assertTrue(fx.stores[fx.owner].stateRecords.contains(StateRecords.MEMBER_REMOVED));

        final Answer log = fx.ask(6, ModerationProxy::new, p -> p.auditLog(6, CAROL, GUILD, 0, AuditLog.MEMBER_KICK,
            0, 0, 50));
        assertEquals(200, log.status());
        assertEquals(1, log.json().path("audit_log_entries").size());
        assertEquals(String.valueOf(BOB), log.json().path("audit_log_entries").get(0).path("target_id").asText());
        assertEquals(403, fx.ask(7, ModerationProxy::new, p -> p.auditLog(7, DAVE, GUILD, 0, 0, 0, 0, 50)).status(),
            "dave lacks VIEW_AUDIT_LOG");
    }

    @Test
    void membersLeaveButTheOwnerCannot() throws Exception
    {
        assertEquals(50055, remove(1, ALICE, ALICE, true).code());
        assertEquals(204, remove(2, BOB, BOB, true).status());
        fx.event("GUILD_MEMBER_REMOVE");
        assertEquals(new Joined(BOB, GUILD), fx.leaves.poll(10, TimeUnit.SECONDS));
        assertEquals(10004, remove(3, BOB, BOB, true).code(), "no member any more");
        fx.noEvent(); // a leave is no audit log entry
    }

    @Test
    void aBanRemovesTheMemberAndTheirRecentMessagesAndRefusesTheirInvite() throws Exception
    {
        final long old = dev.pinwheel.core.ids.SnowflakeIds.fromTimestamp(System.currentTimeMillis() - 7_200_000L);
        final long[] recent = new long[2];
        fx.onShard(fx.owner, s ->
        {
            s.store().appendMessage(new StoredMessage(old, fx.channel, GUILD, BOB, "old", 0, 0, false, false));
            recent[0] = s.ids().next();
            s.store().appendMessage(new StoredMessage(recent[0], fx.channel, GUILD, BOB, "spam", 0, 0, false, false));
            s.store().appendMessage(new StoredMessage(s.ids().next(), fx.channel, GUILD, ALICE, "mine", 0, 0, false,
                false));
            recent[1] = s.ids().next();
            s.store().appendMessage(new StoredMessage(recent[1], fx.channel, GUILD, BOB, "spam", 0, 0, false, false));
        });
        assertEquals(50013, ban(1, CAROL, new long[] {DAVE}, 0, false).code(), "dave is above carol");
        assertEquals(10013, ban(2, CAROL, new long[] {4242}, 0, false).code(), "no such user");

        assertEquals(204, ban(3, CAROL, new long[] {BOB}, 3600, false).status());
        fx.event("GUILD_MEMBER_REMOVE");
        final JsonNode bulk = fx.event("MESSAGE_DELETE_BULK");
        assertEquals(2, bulk.path("ids").size(), "bob's two messages of the last hour, not the older one: " + bulk);
        assertEquals(String.valueOf(BOB), fx.event("GUILD_BAN_ADD").path("user").path("id").asText());
        assertEquals(AuditLog.MEMBER_BAN_ADD, fx.auditEvent().path("action_type").asInt());
        assertEquals(new Joined(BOB, GUILD), fx.leaves.poll(10, TimeUnit.SECONDS));
        assertNull(fx.stores[fx.owner].message(fx.channel, recent[0]));
        assertEquals("old", fx.stores[fx.owner].message(fx.channel, old).content());

        final Answer got = fx.ask(4, ModerationProxy::new, p -> p.get(4, CAROL, GUILD, BOB));
        assertEquals("raid", got.json().path("reason").asText());
        assertEquals(10026, fx.ask(5, ModerationProxy::new, p -> p.get(5, CAROL, GUILD, DAVE)).code());
        assertEquals(1, fx.ask(6, ModerationProxy::new, p -> p.list(6, CAROL, GUILD, 1000, 0, 0)).json().size());
        assertEquals(50013, fx.ask(7, ModerationProxy::new, p -> p.list(7, DAVE, GUILD, 1000, 0, 0)).code());

        final Answer invite = fx.ask(8, InviteProxy::new, p -> p.create(8, ALICE, GUILD, fx.channel, 0, 0, false,
            null));
        final String code = invite.json().path("code").asText();
        fx.event("INVITE_CREATE");
        assertEquals(40007, fx.ask(9, InviteProxy::new, p -> p.join(9, BOB, GUILD, code)).code());

        assertEquals(204, fx.ask(10, ModerationProxy::new, p -> p.unban(10, CAROL, null, GUILD, BOB)).status());
        assertEquals(String.valueOf(BOB), fx.event("GUILD_BAN_REMOVE").path("user").path("id").asText());
        assertEquals(10026, fx.ask(11, ModerationProxy::new, p -> p.unban(11, CAROL, null, GUILD, BOB)).code());
        assertEquals(200, fx.ask(12, InviteProxy::new, p -> p.join(12, BOB, GUILD, code)).status(), "unbanned");
    }

    @Test
    void aBulkBanReportsWhoWasBannedAndWhoNot() throws Exception
    {
        assertEquals(50013, ban(3, CAROL, new long[] {BOB}, 0, true).code(), "carol lacks MANAGE_GUILD");
        // a bulk ban also needs MANAGE_GUILD: alice (the owner) does it
        final Answer a = ban(1, ALICE, new long[] {BOB, CAROL, ALICE, 4242}, 0, true);
        assertEquals(200, a.status());
        assertEquals("[\"" + BOB + "\",\"" + CAROL + "\"]", a.json().path("banned_users").toString());
        assertEquals("[\"" + ALICE + "\",\"4242\"]", a.json().path("failed_users").toString());
        assertEquals(500000, ban(2, ALICE, new long[] {BOB}, 0, true).code(), "already banned: nobody banned");
    }

    @Test
    void aTimedOutMemberReadsButCannotPostOrReact() throws Exception
    {
        final long until = System.currentTimeMillis() + 600_000;
        assertEquals(50013, timeout(1, BOB, CAROL, until).code(), "bob lacks MODERATE_MEMBERS");
        assertEquals(50013, timeout(2, CAROL, DAVE, until).code(), "dave is above carol");
        final Answer done = timeout(3, CAROL, BOB, until);
        assertEquals(200, done.status());
        assertTrue(done.json().path("communication_disabled_until").isTextual(), done.body());
        final JsonNode entry = fx.auditEvent();
        assertEquals(AuditLog.MEMBER_UPDATE, entry.path("action_type").asInt());
        assertEquals("communication_disabled_until", entry.path("changes").get(0).path("key").asText());
        fx.event("GUILD_MEMBER_UPDATE");

        assertEquals(50013, post(4, BOB).code(), "a timed-out member cannot post");
        assertEquals(200, fx.ask(5, MessageProxy::new, p -> p.history(5, BOB, GUILD, fx.channel,
            dev.pinwheel.core.store.HistoryQuery.LATEST, 0, 50)).status(),
            "but still reads");
        final long posted = post(6, ALICE).json().path("id").asLong();
        fx.event("MESSAGE_CREATE");
        assertEquals(50013, fx.ask(7, ReactionProxy::new, p -> p.add(7, BOB, GUILD, fx.channel, posted, "👍"))
            .code(), "nor react");

        assertEquals(200, timeout(8, CAROL, BOB, 0).status(), "lifted");
        assertEquals(200, post(9, BOB).status());
        assertTrue(fx.stores[fx.owner].stateRecords.contains(StateRecords.MEMBER_TIMEOUT_SET));
    }

    @Test
    void auditEntriesReachThoseWhoMayReadTheLogNow() throws Exception
    {
        final LinkedBlockingQueue<Dispatch> bob = fx.watch(BOB);
        final LinkedBlockingQueue<Dispatch> carol = fx.watch(CAROL);
        final LinkedBlockingQueue<Dispatch> dave = fx.watch(DAVE);
        final long until = System.currentTimeMillis() + 600_000;
        assertEquals(200, timeout(1, ALICE, BOB, until).status());
        fx.auditEvent(); // the owner's
        afterOwnersSends();
        assertEquals(0, auditEntries(bob));
        assertEquals(1, auditEntries(carol), "the moderator role holds VIEW_AUDIT_LOG");
        assertEquals(0, auditEntries(dave));

        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, DAVE, new long[] {HIGH, MOD}));
        assertEquals(200, timeout(2, ALICE, CAROL, until).status());
        fx.auditEvent();
        afterOwnersSends();
        assertEquals(0, auditEntries(bob));
        assertEquals(0, auditEntries(carol), "a timed-out moderator may not read the log");
        assertEquals(1, auditEntries(dave), "dave has the moderator role now");

        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(HIGH, "high",
            Permissions.VIEW_AUDIT_LOG, 3, 0)));
        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, DAVE, new long[] {}));
        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, BOB, new long[] {HIGH}));
        assertEquals(200, timeout(3, ALICE, BOB, 0).status());
        fx.auditEvent();
        afterOwnersSends();
        assertEquals(1, auditEntries(bob), "bob's timeout is lifted, and his new role was given the permission");
        assertEquals(0, auditEntries(carol), "still timed out");
        assertEquals(0, auditEntries(dave), "dave has no role left");
    }

    /** Waits until everything the owner shard sent the origin shard so far has arrived there. */
    private void afterOwnersSends() throws InterruptedException
    {
        final CountDownLatch arrived = new CountDownLatch(1);
        fx.onShard(fx.owner, s -> s.send(fx.origin, o -> arrived.countDown()));
        assertTrue(arrived.await(10, TimeUnit.SECONDS));
    }

    private static int auditEntries(final LinkedBlockingQueue<Dispatch> events)
    {
        int n = 0;
        for (Dispatch d = events.poll(); d != null; d = events.poll())
        {
            n += "GUILD_AUDIT_LOG_ENTRY_CREATE".equals(d.type()) ? 1 : 0;
        }
        return n;
    }

    private Answer timeout(final long correlation, final long by, final long member, final long until)
        throws InterruptedException
    {
        return fx.ask(correlation, MemberProxy::new, p -> p.edit(correlation, by, GUILD, member, KEEP, KEEP, KEEP, null,
            null, until, null));
    }

    private Answer post(final long correlation, final long by) throws InterruptedException
    {
        return fx.ask(correlation, MessageProxy::new, p -> p.post(correlation, by, GUILD, fx.channel, "hi", false, 0,
            null, null, 0, 0, false));
    }
}
