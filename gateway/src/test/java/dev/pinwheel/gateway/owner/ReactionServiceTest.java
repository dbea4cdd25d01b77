package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.MessagingFixture.ALICE;
import static dev.pinwheel.gateway.owner.MessagingFixture.BOB;
import static dev.pinwheel.gateway.owner.MessagingFixture.CAROL;
import static dev.pinwheel.gateway.owner.MessagingFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;

/**
 * Reactions as typed commands between two shard threads ({@link ReactionProxy} to {@link ReactionService}): each
 * change is a new journaled version of the message that keeps its embeds and reply, reacting twice changes nothing,
 * Discord's permission rules and limits, the users list by id, and a refused write answered 507.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactionServiceTest
{
    private MessagingFixture f;
    private long message;

    @BeforeEach
    void aMessageWithAnEmbed() throws Exception
    {
        f = new MessagingFixture();
        message = Long.parseLong(f.ask(1, s -> new MessageProxy(s).post(1, ALICE, GUILD, f.channel, "hi", false, 0,
            null, "[{\"type\":\"rich\",\"title\":\"t\"}]", 0, 0, false)).json().get("id").asText());
    }

    @AfterEach
    void stop()
    {
        f.close();
    }

    private MessagingFixture.Answer react(final long correlation, final long user, final String emoji)
        throws InterruptedException
    {
        return f.ask(correlation, s -> new ReactionProxy(s).add(correlation, user, GUILD, f.channel, message, emoji));
    }

    private StoredMessage stored()
    {
        return f.ownerStore().message(f.channel, message);
    }

    private JsonNode rendered(final long viewer)
    {
        final com.fasterxml.jackson.databind.node.ObjectNode o = Json.object();
        MessageExtras.render(stored().extra(), o, viewer);
        return o;
    }

    @Test
    void reactionsAreNewVersionsThatKeepTheRestOfTheMessage() throws Exception
    {
        assertEquals(204, react(2, ALICE, "👍").status());
        assertEquals(204, react(3, BOB, "👍").status());
        assertEquals(204, react(4, BOB, "🎉").status());
        final int versions = f.ownerStore().appended.size();
        assertEquals(204, react(5, BOB, "🎉").status(), "twice is fine");
        assertEquals(versions, f.ownerStore().appended.size(), "and changes nothing");

        final JsonNode seen = rendered(BOB);
        assertEquals("t", seen.path("embeds").get(0).path("title").asText(), "the embed stays");
        assertEquals(2, seen.path("reactions").size());
        assertEquals("👍", seen.path("reactions").get(0).path("emoji").path("name").asText(), "first added first");
        assertEquals(2, seen.path("reactions").get(0).path("count").asInt());
        assertTrue(seen.path("reactions").get(1).path("me").asBoolean());
        assertEquals("hi", stored().content());
        assertEquals(0, stored().editedTimestampMillis(), "not an edit");

        final MessagingFixture.Answer users = f.ask(6, s -> new ReactionProxy(s).users(6, BOB, GUILD, f.channel, message,
            "👍", 0, 25));
        assertEquals(200, users.status());
        assertEquals(2, users.json().size());
        assertEquals(Json.id(ALICE), users.json().get(0).path("id").asText(), "by id");
        final MessagingFixture.Answer after = f.ask(7, s -> new ReactionProxy(s).users(7, BOB, GUILD, f.channel, message,
            "👍", ALICE, 25));
        assertEquals(1, after.json().size());
        assertEquals("bob", after.json().get(0).path("username").asText());

        assertEquals(204, f.ask(8, s -> new ReactionProxy(s).remove(8, BOB, GUILD, f.channel, message, "🎉", BOB))
            .status());
        assertEquals(1, rendered(BOB).path("reactions").size(), "an emoji nobody reacts with goes");
        assertEquals(204, f.ask(9, s -> new ReactionProxy(s).clear(9, ALICE, GUILD, f.channel, message, null))
            .status());
        assertTrue(rendered(BOB).path("reactions").isMissingNode());
        assertEquals("t", rendered(BOB).path("embeds").get(0).path("title").asText());
    }

    @Test
    void discordsRulesAreTheOwners() throws Exception
    {
        assertEquals(204, react(2, ALICE, "👍").status());
        final MessagingFixture.Answer others = f.ask(3, s -> new ReactionProxy(s).remove(3, BOB, GUILD, f.channel,
            message, "👍", ALICE));
        assertEquals(403, others.status());
        assertEquals(50013, others.code(), "removing someone else's needs MANAGE_MESSAGES");
        assertEquals(50013, f.ask(4, s -> new ReactionProxy(s).clear(4, BOB, GUILD, f.channel, message, "👍"))
            .code());
        assertEquals(204, f.ask(5, s -> new ReactionProxy(s).remove(5, ALICE, GUILD, f.channel, message, "👍", BOB))
            .status(), "a reaction that is not there: 204");
        assertEquals(50001, react(6, CAROL, "👍").code(), "not a member");
        final MessagingFixture.Answer unknown = f.ask(7, s -> new ReactionProxy(s).add(7, ALICE, GUILD, f.channel,
            message + 1, "👍"));
        assertEquals(404, unknown.status());
        assertEquals(10008, unknown.code());

        final String[] emojis = {"😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘",
            "🥰", "😗", "😙", "🥲", "😚"};
        for (int i = 0; i < emojis.length; i++)
        {
            assertEquals(204, react(100 + i, ALICE, emojis[i]).status());
        }
        final MessagingFixture.Answer full = react(200, BOB, "🙂");
        assertEquals(400, full.status());
        assertEquals(30010, full.code(), "20 emojis at most");
        assertEquals(204, react(201, BOB, "😀").status(), "an emoji already there still takes users");
    }

    @Test
    void aRefusedWriteIsAnswered507AndKeepsTheOldVersion() throws Exception
    {
        f.ownerStore().refuse = new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "full");
        assertEquals(507, react(2, ALICE, "👍").status());
        f.ownerStore().refuse = null;
        assertNull(MessageExtras.parseExtra(stored().extra()).get("reactions"));
        assertEquals(1, f.group.shard(f.owner).commandCount(OwnerCommands.REACTION_ADD));
    }
}
