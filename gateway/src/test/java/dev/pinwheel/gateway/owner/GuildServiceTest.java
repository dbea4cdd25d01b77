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
}
