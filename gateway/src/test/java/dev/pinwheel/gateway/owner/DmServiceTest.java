package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.MessagingFixture.ALICE;
import static dev.pinwheel.gateway.owner.MessagingFixture.BOB;
import static dev.pinwheel.gateway.owner.MessagingFixture.CAROL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.gateway.codec.Json;

/**
 * Direct messages as typed commands ({@link DmProxy} to {@link DmService}): opening on the pair's owner gives one
 * channel whichever user opens it — also a channel opened before pairs were routed by their long key; messages on
 * the channel's owner reach both users, in order; only the two users get in; only the author edits or deletes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DmServiceTest
{
    private MessagingFixture f;

    @BeforeEach
    void start() throws Exception
    {
        f = new MessagingFixture();
    }

    @AfterEach
    void stop()
    {
        f.close();
    }

    private long open(final long correlation, final int from, final long me, final long them) throws Exception
    {
        final MessagingFixture.Answer a = f.askFrom(from, correlation, s -> new DmProxy(s).open(correlation, me, them));
        assertEquals(200, a.status(), a.body());
        assertEquals(1, a.json().path("type").asInt());
        assertEquals(Json.id(them), a.json().path("recipients").get(0).path("id").asText(), "the other one");
        return Long.parseLong(a.json().path("id").asText());
    }

    @Test
    void thePairKeyIsTheSameWhicheverUserComesFirst()
    {
        assertEquals(DmProxy.pairKey(ALICE, BOB), DmProxy.pairKey(BOB, ALICE));
        final Set<Long> keys = new HashSet<>();
        for (long a = 1; a <= 40; a++)
        {
            for (long b = a + 1; b <= 40; b++)
            {
                assertTrue(keys.add(DmProxy.pairKey(a, b)), "pairs of small ids do not collide");
            }
        }
        assertNotEquals(DmProxy.pairKey(1, 2), DmProxy.pairKey(2, 3));
    }

    @Test
    void openingTwiceFromAnywhereGivesOneChannel() throws Exception
    {
        final long first = open(1, f.origin, ALICE, BOB);
        assertEquals(first, open(2, f.owner, BOB, ALICE));
        assertEquals(first, open(3, f.origin, ALICE, BOB));
        final int pairOwner = f.group.ownerOf(DmProxy.pairKey(ALICE, BOB));
        assertEquals(1, f.stores[pairOwner].states.stream().filter(t -> t == StateRecords.DM_CREATED).count(),
            "journaled once, on the pair's owner");
        assertEquals(3, f.group.shard(pairOwner).commandCount(OwnerCommands.DM_OPEN));
    }

    @Test
    void aChannelOpenedOnAnotherShardBeforeIsFoundByItsPair() throws Exception
    {
        // a data directory written while pairs were routed by String.hashCode: the channel was created elsewhere
        final int elsewhere = 1 - f.group.ownerOf(DmProxy.pairKey(ALICE, CAROL));
        final long[] old = new long[1];
        f.onShard(elsewhere, s ->
        {
            old[0] = s.ids().next();
            StateLog.commit(s, f.node, StateRecords.DM_CREATED, StateRecords.dmCreated(old[0], CAROL, ALICE));
        });
        assertEquals(old[0], open(1, f.origin, ALICE, CAROL));
        assertEquals(old[0], open(2, f.owner, CAROL, ALICE));
        assertEquals(1, f.stores[0].states.size() + f.stores[1].states.size() - guildRecords(),
            "no second channel");
    }

    /** State records the fixture's guild wrote. */
    private long guildRecords()
    {
        return f.stores[f.owner].states.stream().filter(t -> t != StateRecords.DM_CREATED).count();
    }

    @Test
    void messagesReachBothUsersAndOnlyTheyGetIn() throws Exception
    {
        final long channel = open(1, f.origin, ALICE, BOB);
        final MessagingFixture.Answer posted = f.ask(2, s -> new DmProxy(s).post(2, ALICE, channel, "héllo", false, "n",
            "[{\"type\":\"rich\",\"title\":\"t\"}]"));
        assertEquals(200, posted.status(), posted.body());
        assertEquals("héllo", posted.json().path("content").asText());
        assertEquals("n", posted.json().path("nonce").asText());
        assertEquals("t", posted.json().path("embeds").get(0).path("title").asText());
        final long id = Long.parseLong(posted.json().path("id").asText());
        final Set<Long> to = new HashSet<>();
        for (int i = 0; i < 2; i++)
        {
            final MessagingFixture.Delivered d = f.delivery();
            assertEquals("MESSAGE_CREATE", d.event().type());
            assertEquals(f.group.ownerOf(channel), d.fromShard(), "sent by the channel's owner");
            assertTrue(new String(d.event().data(), StandardCharsets.UTF_8).contains("héllo"));
            to.add(d.userId());
        }
        assertEquals(Set.of(ALICE, BOB), to);

        final MessagingFixture.Answer got = f.ask(3, s -> new DmProxy(s).get(3, BOB, channel, id));
        assertEquals("héllo", got.json().path("content").asText());
        final JsonNode page = f.ask(4, s -> new DmProxy(s).history(4, BOB, channel, HistoryQuery.LATEST, 0, 50))
            .json();
        assertEquals(1, page.size());
        final JsonNode dm = f.ask(5, s -> new DmProxy(s).channel(5, BOB, channel)).json();
        assertEquals(Json.id(id), dm.path("last_message_id").asText());
        assertEquals(Json.id(ALICE), dm.path("recipients").get(0).path("id").asText());

        assertEquals(10003, f.ask(6, s -> new DmProxy(s).get(6, CAROL, channel, id)).code(), "not one of the two");
        assertEquals(10003, f.ask(7, s -> new DmProxy(s).post(7, CAROL, channel, "x", false, null, null)).code());
        assertEquals(50005, f.ask(8, s -> new DmProxy(s).edit(8, BOB, channel, id, "mine now")).code());
        assertEquals(50003, f.ask(9, s -> new DmProxy(s).delete(9, BOB, channel, id)).code());
        assertEquals(10008, f.ask(10, s -> new DmProxy(s).get(10, BOB, channel, id + 1)).code());

        final MessagingFixture.Answer edited = f.ask(11, s -> new DmProxy(s).edit(11, ALICE, channel, id, "changed"));
        assertEquals("changed", edited.json().path("content").asText());
        assertEquals("MESSAGE_UPDATE", f.delivery().event().type());
        f.delivery();
        assertEquals(204, f.ask(12, s -> new DmProxy(s).delete(12, ALICE, channel, id)).status());
        assertEquals("MESSAGE_DELETE", f.delivery().event().type());
    }

    @Test
    void anEditCannotLeaveAMessageEmpty() throws Exception
    {
        final long channel = open(1, f.origin, ALICE, BOB);
        final long plain = Long.parseLong(f.ask(2, s -> new DmProxy(s).post(2, ALICE, channel, "text", false, null,
            null)).json().path("id").asText());
        final MessagingFixture.Answer empty = f.ask(3, s -> new DmProxy(s).edit(3, ALICE, channel, plain, " "));
        assertEquals(400, empty.status());
        assertEquals(50006, empty.code());
        final long embed = Long.parseLong(f.ask(4, s -> new DmProxy(s).post(4, ALICE, channel, "text", false, null,
            "[{\"type\":\"rich\",\"title\":\"t\"}]")).json().path("id").asText());
        assertEquals(200, f.ask(5, s -> new DmProxy(s).edit(5, ALICE, channel, embed, "")).status(),
            "the embed is left");
    }
}
