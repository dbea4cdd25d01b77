package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
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
        final Answer created = fx.ask(1, InviteProxy::new, p -> p.create(1, ALICE, GUILD, fx.channel, 3600, 5));
        assertEquals(200, created.status(), created.body());
        final String code = created.json().path("code").asText();
        assertEquals(10, code.length());
        assertEquals(5, created.json().path("max_uses").asInt());
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
        assertEquals(5, fx.stores[fx.owner].stateRecords.size(), "one MEMBER_ADDED");
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
        final Answer created = fx.ask(3, InviteProxy::new, p -> p.create(3, ALICE, GUILD, fx.channel, 0, 0));
        final String code = created.json().path("code").asText();
        assertTrue(created.json().path("expires_at").isNull(), "max_age 0 never expires");
        assertEquals(10006, fx.ask(4, InviteProxy::new, p -> p.get(4, BOB, GUILD + 1, code)).code(),
            "an invite is read on its own guild's owner");
        assertEquals(50001, fx.ask(5, InviteProxy::new, p -> p.create(5, BOB, GUILD, fx.channel, 0, 0)).code());
        fx.noEvent();
    }
}
