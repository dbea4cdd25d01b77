package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * {@link InviteProxy} to {@link InviteService} across two shard threads ({@link OwnerFixture}): an invite is
 * journaled and found by its code; anyone may read it; accepting it makes a member once (GUILD_MEMBER_ADD, a join
 * announced); an expired or foreign invite is 10006.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InviteServiceTest
{
    private OwnerFixture fx;

    @BeforeEach
    void start() throws Exception
    {
        fx = new OwnerFixture();
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    @Test
    void anInviteIsCreatedReadAndAcceptedOnce() throws Exception
    {
        final Answer created = fx.ask(1, InviteProxy::new, p -> p.create(1, ALICE, GUILD, fx.channel, 3600, 5, false, null));
        assertEquals(200, created.status(), created.body());
        final String code = created.json().path("code").asText();
        assertEquals(10, code.length());
        assertEquals(5, created.json().path("max_uses").asInt());
        assertEquals(code, fx.event("INVITE_CREATE").path("code").asText(), "to those who may manage channels");
        final Invite stored = fx.node.directory().invite(code);
        assertNotNull(stored, "in the directory, where the routes look");
        assertEquals(fx.channel, stored.channelId());
        assertEquals(StateRecords.INVITE_CREATED, fx.stores[fx.owner].stateRecords.get(3));

        final Answer read = fx.ask(2, InviteProxy::new, p -> p.get(2, BOB, GUILD, code));
        assertEquals(200, read.status(), "anyone may read an invite");
        assertEquals(Long.toString(GUILD), read.json().path("guild").path("id").asText());

        final Answer joined = fx.ask(3, InviteProxy::new, p -> p.join(3, BOB, GUILD, code));
        assertEquals(200, joined.status(), joined.body());
        assertEquals(Long.toString(BOB), joined.json().path("new_member").path("user").path("id").asText());
        final JsonNode add = fx.event("GUILD_MEMBER_ADD");
        assertEquals(Long.toString(GUILD), add.path("guild_id").asText());
        assertEquals(new OwnerFixture.Joined(BOB, GUILD), fx.joins.poll(10, TimeUnit.SECONDS));

        final Answer again = fx.ask(4, InviteProxy::new, p -> p.join(4, BOB, GUILD, code));
        assertEquals(200, again.status(), "a member accepting again is answered the same");
        fx.noEvent();
        assertNull(fx.joins.poll());
        assertEquals(7, fx.stores[fx.owner].stateRecords.size(), "one MEMBER_ADDED and one INVITE_USED (after the "
            + "invite's INVITE_CREATED and AUDIT_ENTRY)");
        assertEquals(1, fx.ask(5, InviteProxy::new, p -> p.get(5, BOB, GUILD, code)).json().path("uses").asInt());
    }

    @Test
    void unknownExpiredAndForeignInvitesAre10006() throws Exception
    {
        assertEquals(10006, fx.ask(1, InviteProxy::new, p -> p.get(1, BOB, GUILD, "no-such-code")).code());
        fx.commit(StateRecords.INVITE_CREATED, StateRecords.inviteCreated(new Invite("old", GUILD, fx.channel, ALICE,
            System.currentTimeMillis() - 10_000, 1, 0)));
        final Answer expired = fx.ask(2, InviteProxy::new, p -> p.join(2, BOB, GUILD, "old"));
        assertEquals(404, expired.status());
        assertEquals(10006, expired.code());
        final Answer created = fx.ask(3, InviteProxy::new, p -> p.create(3, ALICE, GUILD, fx.channel, 0, 0, false, null));
        final String code = created.json().path("code").asText();
        fx.event("INVITE_CREATE");
        assertTrue(created.json().path("expires_at").isNull(), "max_age 0 never expires");
        assertEquals(10006, fx.ask(4, InviteProxy::new, p -> p.get(4, BOB, GUILD + 1, code)).code(),
            "an invite is read on its own guild's owner");
        assertEquals(50001, fx.ask(5, InviteProxy::new, p -> p.create(5, BOB, GUILD, fx.channel, 0, 0, false, null)).code());
        fx.noEvent();
    }

    @Test
    void twoJoinsRacingForTheLastUseOneWins() throws Exception
    {
        fx.node.accounts().put(new dev.pinwheel.core.directory.Account(1004, "dave", "x", false));
        final Answer created = fx.ask(1, InviteProxy::new, p -> p.create(1, ALICE, GUILD, fx.channel, 0, 1, true,
            null));
        assertTrue(created.json().path("temporary").asBoolean());
        final String code = created.json().path("code").asText();
        fx.event("INVITE_CREATE");
        // both sent from the origin before either is answered: the owner applies them one after the other
        final java.util.List<OwnerFixture.Answer> answers = fx.askAll(java.util.List.of(
            s -> new InviteProxy(s).join(2, BOB, GUILD, code), s -> new InviteProxy(s).join(3, CAROL, GUILD, code)));
        assertEquals(java.util.List.of(200, 404), answers.stream().map(OwnerFixture.Answer::status).sorted().toList());
        assertEquals(10006, answers.stream().filter(a -> a.status() == 404).findFirst().orElseThrow().code());
        fx.event("GUILD_MEMBER_ADD");
        assertEquals(code, fx.event("INVITE_DELETE").path("code").asText(), "used up: deleted");
        assertNull(fx.node.directory().invite(code));
        assertEquals(10006, fx.ask(4, InviteProxy::new, p -> p.join(4, 1004, GUILD, code)).code());
    }

    @Test
    void invitesAreListedAndRevoked() throws Exception
    {
        fx.member(BOB);
        final String a = fx.ask(1, InviteProxy::new, p -> p.create(1, ALICE, GUILD, fx.channel, 0, 0, false, null))
            .json().path("code").asText();
        final String b = fx.ask(2, InviteProxy::new, p -> p.create(2, BOB, GUILD, fx.channel, 0, 3, false, null))
            .json().path("code").asText();
        fx.event("INVITE_CREATE");
        fx.event("INVITE_CREATE");
        final Answer list = fx.ask(3, InviteProxy::new, p -> p.list(3, ALICE, GUILD, 0));
        assertEquals(2, list.json().size(), list.body());
        assertEquals(a, list.json().get(0).path("code").asText(), "oldest first");
        assertEquals(3, list.json().get(1).path("max_uses").asInt());
        assertEquals(2, fx.ask(4, InviteProxy::new, p -> p.list(4, ALICE, GUILD, fx.channel)).json().size());
        assertEquals(50013, fx.ask(5, InviteProxy::new, p -> p.list(5, BOB, GUILD, 0)).code(), "needs MANAGE_GUILD");
        assertEquals(50013, fx.ask(6, InviteProxy::new, p -> p.delete(6, BOB, null, GUILD, b)).code(),
            "not even one's own without MANAGE_CHANNELS");
        final Answer revoked = fx.ask(7, InviteProxy::new, p -> p.delete(7, ALICE, "leaked", GUILD, b));
        assertEquals(200, revoked.status());
        assertEquals(b, revoked.json().path("code").asText());
        assertEquals(b, fx.event("INVITE_DELETE").path("code").asText());
        assertEquals(AuditLog.INVITE_CREATE, fx.auditEvent().path("action_type").asInt());
        assertEquals(AuditLog.INVITE_CREATE, fx.auditEvent().path("action_type").asInt());
        final JsonNode revokedEntry = fx.auditEvent();
        assertEquals(AuditLog.INVITE_DELETE, revokedEntry.path("action_type").asInt());
        assertEquals("leaked", revokedEntry.path("reason").asText());
        assertEquals(10006, fx.ask(8, InviteProxy::new, p -> p.join(8, CAROL, GUILD, b)).code());
        assertEquals(10006, fx.ask(9, InviteProxy::new, p -> p.delete(9, ALICE, null, GUILD, b)).code());
        assertEquals(1, fx.ask(10, InviteProxy::new, p -> p.list(10, ALICE, GUILD, 0)).json().size());
    }
}
