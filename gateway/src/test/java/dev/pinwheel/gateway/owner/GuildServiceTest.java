package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * {@link GuildProxy} to {@link GuildService} across two shard threads ({@link OwnerFixture}): a created guild is
 * journaled, answered 201 with its {@code general} channel and announced as a join; reading a guild needs membership.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuildServiceTest
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

    /** @return a guild id the owner shard (not the origin) owns: the command crosses shards. */
    private long newGuildOnTheOwner()
    {
        long id = GUILD + 1;
        while (fx.group.ownerOf(id) != fx.owner)
        {
            id++;
        }
        return id;
    }

    @Test
    void aCreatedGuildIsJournaledAnswered201AndAnnouncedAsAJoin() throws Exception
    {
        final long id = newGuildOnTheOwner();
        final Answer created = fx.ask(1, GuildProxy::new, p -> p.create(1, BOB, id, "bob's place"));
        assertEquals(201, created.status(), created.body());
        final JsonNode g = created.json();
        assertEquals(Long.toString(id), g.path("id").asText());
        assertEquals("bob's place", g.path("name").asText());
        assertEquals(Long.toString(BOB), g.path("owner_id").asText());
        assertEquals("general", g.path("channels").get(0).path("name").asText());
        assertEquals(new OwnerFixture.Joined(BOB, id), fx.joins.poll(10, TimeUnit.SECONDS));
        assertEquals(List.of(StateRecords.GUILD_CREATED, StateRecords.CHANNEL_CREATED, StateRecords.MEMBER_ADDED),
            fx.stores[fx.owner].stateRecords.subList(3, 6), "after the fixture's own three records");
        assertEquals(1, fx.group.shard(fx.owner).commandCount(OwnerCommands.GUILD_CREATE));

        final Answer read = fx.ask(2, GuildProxy::new, p -> p.get(2, BOB, id, true));
        assertEquals(200, read.status());
        assertEquals(1, read.json().path("approximate_member_count").asInt());
        assertFalse(fx.ask(3, GuildProxy::new, p -> p.get(3, BOB, id, false)).json()
            .has("approximate_member_count"));
    }

    @Test
    void readingAGuildNeedsMembership() throws Exception
    {
        assertEquals(200, fx.ask(1, GuildProxy::new, p -> p.get(1, ALICE, GUILD, false)).status());
        final Answer stranger = fx.ask(2, GuildProxy::new, p -> p.get(2, BOB, GUILD, false));
        assertEquals(403, stranger.status());
        assertEquals(50001, stranger.code());
        final Answer unknown = fx.ask(3, GuildProxy::new, p -> p.get(3, ALICE, newGuildOnTheOwner(), false));
        assertEquals(404, unknown.status());
        assertEquals(10004, unknown.code());
    }

    @Test
    void aRefusedCreateIsAnswered507AndAnnouncesNothing() throws Exception
    {
        final long id = newGuildOnTheOwner();
        fx.stores[fx.owner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "full");
        final Answer refused = fx.ask(1, GuildProxy::new, p -> p.create(1, BOB, id, "nope"));
        assertEquals(507, refused.status());
        final boolean[] exists = new boolean[1];
        fx.onShard(fx.owner, s -> exists[0] = s.guilds().get(id) != null);
        assertFalse(exists[0], "nothing applied");
        assertNull(fx.joins.poll());
        assertEquals(3, fx.stores[fx.owner].stateRecords.size(), "nothing journaled");
    }

    private static final int[] KEEP_LEVELS = {OwnerCommands.KEEP, OwnerCommands.KEEP, OwnerCommands.KEEP,
        OwnerCommands.KEEP};

    private Answer edit(final long correlation, final long by, final String name, final long newOwner,
        final long system, final int[] levels) throws InterruptedException
    {
        return fx.ask(correlation, GuildProxy::new, p -> p.edit(correlation, by, "tidy", OwnerFixture.GUILD, name,
            name != null, name == null ? null : name + " desc", newOwner, system, OwnerCommands.KEEP, levels));
    }

    @Test
    void aGuildIsEditedByItsManagersAndAnnounced() throws Exception
    {
        fx.member(OwnerFixture.BOB);
        assertEquals(50013, edit(1, OwnerFixture.BOB, "Bob's now", OwnerCommands.KEEP, OwnerCommands.KEEP,
            KEEP_LEVELS).code(), "bob lacks MANAGE_GUILD");
        assertEquals(10003, edit(2, OwnerFixture.ALICE, null, OwnerCommands.KEEP, 4242, KEEP_LEVELS).code());
        final Answer edited = edit(3, OwnerFixture.ALICE, "Renamed", OwnerCommands.KEEP, fx.channel,
            new int[] {900, 2, 1, OwnerCommands.KEEP});
        assertEquals(200, edited.status(), edited.body());
        assertEquals("Renamed", edited.json().path("name").asText());
        assertEquals("Renamed desc", edited.json().path("description").asText());
        assertEquals(Long.toString(fx.channel), edited.json().path("system_channel_id").asText());
        assertEquals(900, edited.json().path("afk_timeout").asInt());
        assertEquals(2, edited.json().path("verification_level").asInt());
        final JsonNode update = fx.event("GUILD_UPDATE");
        assertEquals("Renamed", update.path("name").asText());
        assertEquals(Long.toString(OwnerFixture.GUILD), update.path("id").asText());
        final JsonNode entry = fx.auditEvent();
        assertEquals(AuditLog.GUILD_UPDATE, entry.path("action_type").asInt());
        assertEquals("tidy", entry.path("reason").asText());
        assertEquals("name", entry.path("changes").get(0).path("key").asText());
        assertEquals("guild", entry.path("changes").get(0).path("old_value").asText());
        assertEquals("Renamed", fx.node.directory().guild(OwnerFixture.GUILD).name(), "the directory follows");
    }

    @Test
    void onlyTheOwnerTransfersOwnershipOrDeletesTheGuild() throws Exception
    {
        fx.member(OwnerFixture.BOB);
        fx.member(OwnerFixture.CAROL);
        // carol may manage the guild but is not its owner
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(OwnerFixture.GUILD, new dev.pinwheel.core.guild.Role(
            700, "managers", dev.pinwheel.core.guild.Permissions.MANAGE_GUILD, 1, 0)));
        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(OwnerFixture.GUILD, OwnerFixture.CAROL,
            new long[] {700}));
        assertEquals(50013, edit(1, OwnerFixture.CAROL, null, OwnerFixture.CAROL, OwnerCommands.KEEP, KEEP_LEVELS)
            .code());
        assertEquals(10007, edit(2, OwnerFixture.ALICE, null, 4242, OwnerCommands.KEEP, KEEP_LEVELS).code());
        final Answer moved = edit(3, OwnerFixture.ALICE, null, OwnerFixture.BOB, OwnerCommands.KEEP, KEEP_LEVELS);
        assertEquals(Long.toString(OwnerFixture.BOB), moved.json().path("owner_id").asText());
        fx.event("GUILD_UPDATE");
        assertEquals(OwnerFixture.BOB, fx.node.directory().guild(OwnerFixture.GUILD).ownerId());

        assertEquals(50013, fx.ask(4, GuildProxy::new, p -> p.delete(4, OwnerFixture.ALICE, OwnerFixture.GUILD))
            .code(), "alice is no owner any more");
        assertEquals(204, fx.ask(5, GuildProxy::new, p -> p.delete(5, OwnerFixture.BOB, OwnerFixture.GUILD))
            .status());
        final java.util.Set<Long> left = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++)
        {
            left.add(fx.leaves.poll(10, TimeUnit.SECONDS).userId());
        }
        assertEquals(java.util.Set.of(OwnerFixture.ALICE, OwnerFixture.BOB, OwnerFixture.CAROL), left,
            "every member's sessions drop it");
        assertNull(fx.node.directory().guild(OwnerFixture.GUILD));
        assertEquals(0, fx.node.directory().guildOfChannel(fx.channel));
        assertFalse(fx.node.accounts().guildsOf(OwnerFixture.ALICE).contains(OwnerFixture.GUILD));
        assertEquals(10004, fx.ask(6, GuildProxy::new, p -> p.get(6, OwnerFixture.BOB, OwnerFixture.GUILD, false))
            .code());
    }
}
