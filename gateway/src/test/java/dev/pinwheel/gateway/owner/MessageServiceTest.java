package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * The message operations as typed commands between two real shard threads: the route side's {@link MessageProxy}
 * writes a command, the owner's {@link OwnerCommandAdapter} reads it into {@link MessageService}, and the answer
 * travels back as a {@link OwnerCommands#REPLY} command to the origin shard — recorded here instead of written to a
 * socket ({@link OwnerFixture}). Checks the fields survive the trip, Discord's errors, and that a refused write is
 * answered 507.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageServiceTest
{
    private OwnerFixture fx;
    private long channel;

    @BeforeEach
    void twoShardsAndAGuild() throws Exception
    {
        fx = new OwnerFixture();
        channel = fx.channel;
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    /** Sends from the origin shard, as a route would, and waits for the answer. */
    private Answer ask(final long correlation, final java.util.function.Consumer<MessageProxy> send)
        throws InterruptedException
    {
        return fx.ask(correlation, MessageProxy::new, send);
    }

    @Test
    void aPostCrossesToTheOwnerAndItsAnswerComesBack() throws Exception
    {
        final Answer posted = ask(7, p -> p.post(7, ALICE, GUILD, channel, "héllo ✓", true, 0, "n-1",
            "[{\"title\":\"t\"}]", 0, 0, false));
        assertEquals(200, posted.status(), posted.body());
        final JsonNode m = posted.json();
        assertEquals("héllo ✓", m.get("content").asText());
        assertEquals("n-1", m.get("nonce").asText());
        assertTrue(m.get("tts").asBoolean());
        assertEquals("t", m.get("embeds").get(0).get("title").asText());
        final long id = Long.parseLong(m.get("id").asText());
        assertEquals("héllo ✓", fx.stores[fx.owner].message(channel, id).content(), "journaled on the owner");

        final Answer one = ask(8, p -> p.get(8, ALICE, GUILD, channel, id));
        assertEquals(200, one.status());
        final Answer page = ask(9, p -> p.history(9, ALICE, GUILD, channel, HistoryQuery.LATEST, 0, 50));
        assertEquals(1, page.json().size());
        final Answer edited = ask(10, p -> p.edit(10, ALICE, GUILD, channel, id, "changed", null));
        assertEquals("changed", edited.json().get("content").asText());
        assertEquals(204, ask(11, p -> p.delete(11, ALICE, GUILD, channel, id)).status());
        assertEquals(404, ask(12, p -> p.get(12, ALICE, GUILD, channel, id)).status());
    }

    @Test
    void discordsErrorsAreAnsweredByTheOwner() throws Exception
    {
        final Answer stranger = ask(1, p -> p.post(1, BOB, GUILD, channel, "hi", false, 0, null, null, 0, 0, false));
        assertEquals(403, stranger.status());
        assertEquals(50001, stranger.json().get("code").asInt());
        final Answer noGuild = ask(2, p -> p.post(2, ALICE, GUILD + 1, channel, "hi", false, 0, null, null, 0, 0,
            false));
        assertEquals(404, noGuild.status());
        final Answer noReplyTarget = ask(3, p -> p.post(3, ALICE, GUILD, channel, "hi", false, 0, null, null, 42, 0,
            true));
        assertEquals(400, noReplyTarget.status());
        assertEquals(50035, noReplyTarget.json().get("code").asInt());
        final Answer posted = ask(4, p -> p.post(4, ALICE, GUILD, channel, "mine", false, 0, null, null, 0, 0, false));
        final long id = Long.parseLong(posted.json().get("id").asText());
        final Answer empty = ask(5, p -> p.edit(5, ALICE, GUILD, channel, id, " ", null));
        assertEquals(50006, empty.json().get("code").asInt());
    }

    @Test
    void aRefusedWriteIsAnswered507WithNothingStored() throws Exception
    {
        fx.stores[fx.owner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "full");
        final Answer refused = ask(1, p -> p.post(1, ALICE, GUILD, channel, "hi", false, 0, null, null, 0, 0, false));
        assertEquals(507, refused.status());
        assertTrue(fx.stores[fx.owner].channels.isEmpty());
        fx.stores[fx.owner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.FAULTED, "io");
        final Answer faulted = ask(2, p -> p.post(2, ALICE, GUILD, channel, "hi", false, 0, null, null, 0, 0, false));
        assertEquals(503, faulted.status());
        assertEquals(30, faulted.retryAfter());
        assertEquals(2, fx.group.shard(fx.owner).commandCount(OwnerCommands.MESSAGE_POST));
    }
}
