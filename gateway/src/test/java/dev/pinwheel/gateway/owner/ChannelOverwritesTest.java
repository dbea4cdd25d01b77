package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.guild.Overwrite;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * Channel permission overwrites through {@link ChannelProxy} and {@link ChannelService} ({@link OwnerFixture}): who may
 * set them, what they do to reading and posting (50001 for a channel one cannot see), the channel's viewers that its
 * events go to, and the journaled channel carrying them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelOverwritesTest
{
    private static final long MOD = 801;

    private OwnerFixture fx;

    @BeforeEach
    void start() throws Exception
    {
        fx = new OwnerFixture();
        fx.member(BOB);
        fx.member(CAROL);
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(MOD, "mod", Permissions.MANAGE_ROLES, 1,
            0)));
        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, CAROL, new long[] {MOD}));
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    private Answer put(final long correlation, final long by, final long target, final int type, final long allow,
        final long deny) throws InterruptedException
    {
        return fx.ask(correlation, ChannelProxy::new, p -> p.overwrite(correlation, by, "private", GUILD, fx.channel,
            target, type, allow, deny, false));
    }

    private Answer history(final long correlation, final long by) throws InterruptedException
    {
        return fx.ask(correlation, MessageProxy::new, p -> p.history(correlation, by, GUILD, fx.channel,
            HistoryQuery.LATEST, 0, 50));
    }

    private LongHashSet viewers() throws InterruptedException
    {
        final LongHashSet[] v = new LongHashSet[1];
        fx.onShard(fx.owner, s -> v[0] = s.guilds().get(GUILD).viewers(s.guilds().get(GUILD).channel(fx.channel)));
        return v[0];
    }

    @Test
    void hidingAChannelFromEveryoneAndShowingItToOneMember() throws Exception
    {
        assertEquals(50013, put(1, BOB, GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL).code(),
            "bob lacks MANAGE_ROLES");
        assertEquals(50013, put(2, CAROL, GUILD, Overwrite.ROLE, Permissions.ADMINISTRATOR, 0).code(),
            "carol cannot allow what she does not hold");
        assertEquals(10011, put(3, ALICE, 4242, Overwrite.ROLE, 0, 0).code());
        assertNull(viewers(), "everyone sees it");

        assertEquals(204, put(4, CAROL, GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL).status());
        final JsonNode update = fx.event("CHANNEL_UPDATE");
        assertEquals(Long.toString(Permissions.VIEW_CHANNEL), update.path("permission_overwrites").get(0)
            .path("deny").asText());
        final JsonNode entry = fx.auditEvent();
        assertEquals(AuditLog.CHANNEL_OVERWRITE_CREATE, entry.path("action_type").asInt());
        assertEquals("private", entry.path("reason").asText());
        assertEquals(LongHashSet.class, viewers().getClass());
        assertEquals(1, viewers().size(), "only the owner now");
        assertEquals(50001, history(5, BOB).code(), "a channel bob cannot see");
        assertEquals(50001, fx.ask(6, MessageProxy::new, p -> p.post(6, BOB, GUILD, fx.channel, "hi", false, 0, null,
            null, 0, 0, false)).code());
        assertEquals(200, history(7, ALICE).status());

        assertEquals(204, put(8, ALICE, BOB, Overwrite.MEMBER, Permissions.VIEW_CHANNEL, 0).status());
        fx.event("CHANNEL_UPDATE");
        assertEquals(2, viewers().size());
        assertEquals(200, history(9, BOB).status(), "bob's own overwrite shows it to him");
        assertEquals(50001, history(10, CAROL).code());

        final Answer removed = fx.ask(11, ChannelProxy::new, p -> p.overwrite(11, ALICE, null, GUILD, fx.channel,
            GUILD, 0, 0, 0, true));
        assertEquals(204, removed.status());
        fx.event("CHANNEL_UPDATE");
        assertNull(viewers(), "everyone again");
        assertEquals(200, history(12, CAROL).status());
        assertEquals(10009, fx.ask(13, ChannelProxy::new, p -> p.overwrite(13, ALICE, null, GUILD, fx.channel,
            GUILD, 0, 0, 0, true)).code());
        final Overwrite[] kept = new Overwrite[1];
        fx.onShard(fx.owner, s -> kept[0] = s.guilds().get(GUILD).channel(fx.channel).overwrites()[0]);
        assertEquals(new Overwrite(BOB, Overwrite.MEMBER, Permissions.VIEW_CHANNEL, 0), kept[0]);
    }

    @Test
    void aChannelCreatedPrivateIsSeenOnlyByItsViewers() throws Exception
    {
        final Answer created = fx.ask(1, ChannelProxy::new, p -> p.create(1, ALICE, null, GUILD, "staff", 0, null, 0,
            0, 0, new long[] {GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL, MOD, Overwrite.ROLE,
                Permissions.VIEW_CHANNEL, 0}));
        assertEquals(201, created.status(), created.body());
        assertEquals(2, created.json().path("permission_overwrites").size());
        fx.event("CHANNEL_CREATE");
        final long staff = created.json().path("id").asLong();
        assertEquals(50001, fx.ask(2, ChannelProxy::new, p -> p.get(2, BOB, GUILD, staff)).code());
        assertEquals(200, fx.ask(3, ChannelProxy::new, p -> p.get(3, CAROL, GUILD, staff)).status());
        assertEquals(1, fx.ask(4, ChannelProxy::new, p -> p.list(4, BOB, GUILD)).json().size(), "bob lists general");
        assertEquals(2, fx.ask(5, ChannelProxy::new, p -> p.list(5, CAROL, GUILD)).json().size());
    }

    @Test
    void whoGainsOrLosesAChannelIsToldAndSeesOnlyItsEvents() throws Exception
    {
        final java.util.concurrent.LinkedBlockingQueue<dev.pinwheel.core.fanout.Dispatch> bob = fx.watch(BOB);
        final java.util.concurrent.LinkedBlockingQueue<dev.pinwheel.core.fanout.Dispatch> carol = fx.watch(CAROL);
        // hidden from everyone but the mod role
        assertEquals(204, put(1, ALICE, GUILD, Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL).status());
        assertEquals(204, put(2, ALICE, MOD, Overwrite.ROLE, Permissions.VIEW_CHANNEL, 0).status());
        assertEquals("CHANNEL_DELETE", bob.poll(10, TimeUnit.SECONDS).type(), "bob lost it");
        assertEquals("CHANNEL_DELETE", carol.poll(10, TimeUnit.SECONDS).type(), "carol lost it with everyone");
        assertEquals("CHANNEL_CREATE", carol.poll(10, TimeUnit.SECONDS).type(), "and gained it with her role");
        assertEquals("CHANNEL_UPDATE", carol.poll(10, TimeUnit.SECONDS).type());
        assertEquals(200, fx.ask(3, MessageProxy::new, p -> p.post(3, ALICE, GUILD, fx.channel, "for mods", false, 0,
            null, null, 0, 0, false)).status());
        assertEquals("MESSAGE_CREATE", carol.poll(10, TimeUnit.SECONDS).type());
        // bob gets the mod role: he gains the channel
        assertEquals(204, fx.ask(4, MemberProxy::new, p -> p.role(4, ALICE, GUILD, BOB, MOD, true, null)).status());
        assertEquals("CHANNEL_CREATE", bob.poll(10, TimeUnit.SECONDS).type());
        assertEquals("GUILD_MEMBER_UPDATE", bob.poll(10, TimeUnit.SECONDS).type());
        assertNull(bob.poll(), "bob saw nothing of the channel while he could not see it (the message came before)");
        // the role loses its allow: both lose the channel
        assertEquals(204, fx.ask(5, ChannelProxy::new, p -> p.overwrite(5, ALICE, null, GUILD, fx.channel, MOD, 0, 0,
            0, true)).status());
        assertEquals("CHANNEL_DELETE", bob.poll(10, TimeUnit.SECONDS).type());
    }
}
