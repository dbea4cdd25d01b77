package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerCommands.KEEP;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * {@link MemberProxy} to {@link MemberService} across two shard threads ({@link OwnerFixture}): read, list, search;
 * an edit's nickname, roles and voice (server mute, move, disconnect through {@link GuildVoice}) with their
 * permissions; giving and taking a role within Discord's hierarchy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemberServiceTest
{
    private static final long LOW = 501;
    private static final long MOD = 502;
    private static final long HIGH = 503;

    private OwnerFixture fx;
    private long lounge;
    private long hall;

    @BeforeEach
    void start() throws Exception
    {
        fx = new OwnerFixture();
        fx.member(CAROL);
        lounge = 9001;
        hall = 9002;
        for (final long id : new long[] {lounge, hall})
        {
            fx.commit(StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(new GuildChannel(id, GUILD,
                GuildChannel.VOICE, "voice " + id, 1, null, 64000, 0, 0)));
        }
        // positions: low 1 < mod 2 (may manage roles) < high 3
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(LOW, "low", 0, 1, 0)));
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(MOD, "mod", Permissions.MANAGE_ROLES, 2,
            0)));
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(HIGH, "high", 0, 3, 0)));
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    /** Connects CAROL to a voice channel (on the owner shard, as op 4 would). */
    private void carolInVoice(final long channelId) throws InterruptedException
    {
        fx.onShard(fx.owner, s ->
        {
            final VoiceStates.VoiceState vs = fx.voice.states.getOrCreate(GUILD, CAROL);
            vs.channelId = channelId;
            vs.sessionId = "carol-session";
        });
    }

    private Answer edit(final long correlation, final long by, final long member, final int mute, final int deaf,
        final long moveTo, final String nick, final long[] roles) throws InterruptedException
    {
        return fx.ask(correlation, MemberProxy::new, p -> p.edit(correlation, by, GUILD, member, mute, deaf, moveTo,
            nick, roles, KEEP, null));
    }

    @Test
    void membersAreReadListedAndSearched() throws Exception
    {
        final Answer carol = fx.ask(1, MemberProxy::new, p -> p.get(1, ALICE, GUILD, CAROL));
        assertEquals(200, carol.status());
        assertEquals("Carol", carol.json().path("user").path("username").asText());
        assertEquals(10007, fx.ask(2, MemberProxy::new, p -> p.get(2, ALICE, GUILD, BOB)).code());
        assertEquals(50001, fx.ask(3, MemberProxy::new, p -> p.get(3, BOB, GUILD, ALICE)).code());

        final Answer first = fx.ask(4, MemberProxy::new, p -> p.list(4, CAROL, GUILD, 1, 0));
        assertEquals(1, first.json().size());
        assertEquals(Long.toString(ALICE), first.json().get(0).path("user").path("id").asText());
        final Answer next = fx.ask(5, MemberProxy::new, p -> p.list(5, CAROL, GUILD, 1000, ALICE));
        assertEquals(1, next.json().size());
        assertEquals(Long.toString(CAROL), next.json().get(0).path("user").path("id").asText());

        final Answer found = fx.ask(6, MemberProxy::new, p -> p.search(6, ALICE, GUILD, "cAr", 10));
        assertEquals(1, found.json().size(), "case-insensitive prefix of the username: " + found.body());
        assertEquals(0, fx.ask(7, MemberProxy::new, p -> p.search(7, ALICE, GUILD, "bob", 10)).json().size());
    }

    @Test
    void nicknamesAreJournaledAndAnnouncedWithTheirPermissions() throws Exception
    {
        final Answer own = edit(1, CAROL, CAROL, KEEP, KEEP, KEEP, "c", null);
        assertEquals(200, own.status(), own.body());
        assertEquals("c", own.json().path("nick").asText());
        final JsonNode update = fx.event("GUILD_MEMBER_UPDATE");
        assertEquals(Long.toString(GUILD), update.path("guild_id").asText());
        assertEquals("c", update.path("nick").asText());
        final java.util.List<Integer> records = fx.stores[fx.owner].stateRecords;
        assertEquals(java.util.List.of(StateRecords.MEMBER_NICK_CHANGED, StateRecords.AUDIT_ENTRY),
            records.subList(records.size() - 2, records.size()), "the change, then its audit log entry");

        final Answer others = edit(2, CAROL, ALICE, KEEP, KEEP, KEEP, "boss", null);
        assertEquals(403, others.status(), "another's nickname needs MANAGE_NICKNAMES");
        assertEquals(50013, others.code());
        final Answer cleared = edit(3, ALICE, CAROL, KEEP, KEEP, KEEP, "", null);
        assertTrue(cleared.json().path("nick").isNull(), cleared.body());
        fx.event("GUILD_MEMBER_UPDATE");
    }

    @Test
    void voiceChangesNeedAConnectedMemberAndGoThroughTheVoice() throws Exception
    {
        final Answer absent = edit(1, ALICE, CAROL, 1, KEEP, KEEP, null, null);
        assertEquals(400, absent.status());
        assertEquals(40032, absent.code());
        final Answer denied = edit(2, CAROL, CAROL, 1, KEEP, KEEP, null, null);
        assertEquals(50013, denied.code(), "server mute needs MUTE_MEMBERS");

        carolInVoice(lounge);
        final Answer muted = edit(3, ALICE, CAROL, 1, KEEP, KEEP, null, null);
        assertEquals(200, muted.status(), muted.body());
        assertTrue(muted.json().path("mute").asBoolean());
        assertEquals("mute " + CAROL + " true false", fx.voice.changes.poll(10, TimeUnit.SECONDS));
        fx.event("GUILD_MEMBER_UPDATE");

        assertEquals(10003, edit(4, ALICE, CAROL, KEEP, KEEP, 12345, null, null).code());
        assertEquals(50024, edit(5, ALICE, CAROL, KEEP, KEEP, fx.channel, null, null).code());
        assertEquals(200, edit(6, ALICE, CAROL, KEEP, KEEP, hall, null, null).status());
        assertEquals("move " + CAROL + " " + hall, fx.voice.changes.poll(10, TimeUnit.SECONDS));
        fx.event("GUILD_MEMBER_UPDATE");
        assertEquals(200, edit(7, ALICE, CAROL, KEEP, KEEP, hall, null, null).status(), "already there");
        assertNull(fx.voice.changes.poll(), "a move to the channel one is in is none");
        fx.event("GUILD_MEMBER_UPDATE");
        assertEquals(200, edit(8, ALICE, CAROL, KEEP, KEEP, 0, null, null).status());
        assertEquals("move " + CAROL + " 0", fx.voice.changes.poll(10, TimeUnit.SECONDS), "a disconnect");
    }

    @Test
    void rolesAreGivenAndTakenWithinTheHierarchy() throws Exception
    {
        assertEquals(204, fx.ask(1, MemberProxy::new, p -> p.role(1, ALICE, GUILD, CAROL, MOD, true, null)).status());
        final JsonNode update = fx.event("GUILD_MEMBER_UPDATE");
        assertEquals(Long.toString(MOD), update.path("roles").get(0).asText());
        assertEquals(204, fx.ask(2, MemberProxy::new, p -> p.role(2, ALICE, GUILD, CAROL, MOD, true, null)).status());
        fx.noEvent();

        // CAROL (mod, position 2) may manage roles below hers only
        assertEquals(204, fx.ask(3, MemberProxy::new, p -> p.role(3, CAROL, GUILD, CAROL, LOW, true, null)).status());
        fx.event("GUILD_MEMBER_UPDATE");
        assertEquals(50013, fx.ask(4, MemberProxy::new, p -> p.role(4, CAROL, GUILD, CAROL, HIGH, true, null)).code());
        assertEquals(50013, fx.ask(5, MemberProxy::new, p -> p.role(5, CAROL, GUILD, CAROL, MOD, false, null)).code(),
            "not one's own highest role either");
        assertEquals(50028, fx.ask(6, MemberProxy::new, p -> p.role(6, ALICE, GUILD, CAROL, GUILD, true, null)).code());
        assertEquals(10011, fx.ask(7, MemberProxy::new, p -> p.role(7, ALICE, GUILD, CAROL, 999, true, null)).code());
        assertEquals(10007, fx.ask(8, MemberProxy::new, p -> p.role(8, ALICE, GUILD, BOB, LOW, true, null)).code());

        assertEquals(204, fx.ask(9, MemberProxy::new, p -> p.role(9, ALICE, GUILD, CAROL, LOW, false, null)).status());
        assertEquals(1, fx.event("GUILD_MEMBER_UPDATE").path("roles").size());
        assertEquals(2, fx.group.shard(fx.owner).commandCount(OwnerCommands.MEMBER_ROLE_REMOVE));
    }

    @Test
    void anEditSetsTheWholeRoleSet() throws Exception
    {
        final Answer set = edit(1, ALICE, CAROL, KEEP, KEEP, KEEP, null, new long[] {LOW, HIGH, GUILD, LOW});
        assertEquals(200, set.status(), set.body());
        assertEquals(2, set.json().path("roles").size(), "@everyone ignored, duplicates dropped: " + set.body());
        fx.event("GUILD_MEMBER_UPDATE");
        assertEquals(10011, edit(2, ALICE, CAROL, KEEP, KEEP, KEEP, null, new long[] {LOW, 999}).code());
        assertEquals(50013, edit(3, CAROL, CAROL, KEEP, KEEP, KEEP, null, new long[] {}).code(),
            "roles need MANAGE_ROLES");
        final Answer none = edit(4, ALICE, CAROL, KEEP, KEEP, KEEP, null, new long[] {});
        assertEquals(0, none.json().path("roles").size());
        fx.event("GUILD_MEMBER_UPDATE");
    }
}
