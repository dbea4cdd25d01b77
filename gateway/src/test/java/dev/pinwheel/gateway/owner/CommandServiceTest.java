package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.MessagingFixture.ALICE;
import static dev.pinwheel.gateway.owner.MessagingFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.state.StateRecords;

/**
 * The application-command registry as typed commands ({@link CommandProxy} to {@link CommandService}, on the
 * application's owner shard): create or update by name, ids kept across a bulk overwrite, global and guild lists
 * apart, an edit checked as a whole, the 100-command limit, unknown ids.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandServiceTest
{
    private static final long APP = ALICE;
    private static final String PING = "{\"type\":1,\"name\":\"ping\",\"description\":\"Ping!\"}";

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

    private MessagingFixture.Answer upsert(final long correlation, final long guild, final String json)
        throws InterruptedException
    {
        return f.ask(correlation, s -> new CommandProxy(s).upsert(correlation, APP, APP, guild, json));
    }

    @Test
    void commandsAreCreatedUpdatedByNameAndKeepTheirIds() throws Exception
    {
        final MessagingFixture.Answer created = upsert(1, 0, PING);
        assertEquals(201, created.status(), created.body());
        final String id = created.json().path("id").asText();
        assertEquals(Long.toString(APP), created.json().path("application_id").asText());
        final MessagingFixture.Answer updated = upsert(2, 0, PING.replace("Ping!", "Pong?"));
        assertEquals(200, updated.status());
        assertEquals(id, updated.json().path("id").asText(), "same name and type: same command");
        assertNotEquals(created.json().path("version").asText(), updated.json().path("version").asText());
        final int appOwner = f.group.ownerOf(APP);
        assertTrue(f.stores[appOwner].states.contains(StateRecords.COMMANDS_SET), "journaled on the app's owner");

        assertEquals(201, upsert(3, GUILD, PING).status(), "a guild's list is apart from the global one");
        final JsonNode global = f.ask(4, s -> new CommandProxy(s).list(4, APP, APP, 0)).json();
        assertEquals(1, global.size());
        assertEquals("Pong?", global.get(0).path("description").asText());
        assertEquals(Long.toString(GUILD), f.ask(5, s -> new CommandProxy(s).list(5, APP, APP, GUILD)).json().get(0)
            .path("guild_id").asText());

        final MessagingFixture.Answer overwritten = f.ask(6, s -> new CommandProxy(s).overwrite(6, APP, APP, 0, "["
            + PING + ",{\"type\":2,\"name\":\"Inspect\",\"description\":\"\"}]"));
        assertEquals(200, overwritten.status());
        assertEquals(id, overwritten.json().get(0).path("id").asText(), "ping kept its id");
        final long inspect = Long.parseLong(overwritten.json().get(1).path("id").asText());
        assertEquals("Inspect", f.ask(7, s -> new CommandProxy(s).get(7, APP, APP, 0, inspect)).json().path("name")
            .asText());
        assertEquals(204, f.ask(8, s -> new CommandProxy(s).delete(8, APP, APP, 0, inspect)).status());
        final MessagingFixture.Answer gone = f.ask(9, s -> new CommandProxy(s).get(9, APP, APP, 0, inspect));
        assertEquals(404, gone.status());
        assertEquals(10063, gone.code());
    }

    @Test
    void anEditIsCheckedAsAWhole() throws Exception
    {
        final long id = Long.parseLong(upsert(1, 0, PING).json().path("id").asText());
        final MessagingFixture.Answer edited = f.ask(2, s -> new CommandProxy(s).edit(2, APP, APP, 0, id,
            "{\"description\":\"changed\"}"));
        assertEquals(200, edited.status(), edited.body());
        assertEquals("ping", edited.json().path("name").asText());
        assertEquals("changed", edited.json().path("description").asText());
        final MessagingFixture.Answer badName = f.ask(3, s -> new CommandProxy(s).edit(3, APP, APP, 0, id,
            "{\"name\":\"Not Lower\"}"));
        assertEquals(400, badName.status());
        assertEquals(50035, badName.code());
        assertTrue(badName.json().path("errors").has("command"));
        final MessagingFixture.Answer badOption = f.ask(4, s -> new CommandProxy(s).edit(4, APP, APP, 0, id,
            "{\"options\":[{\"type\":3,\"name\":\"x\",\"description\":\"\"}]}"));
        assertEquals(50035, badOption.code());
        assertTrue(badOption.json().path("errors").path("options").has("0"), badOption.body());
        assertEquals(10063, f.ask(5, s -> new CommandProxy(s).edit(5, APP, APP, 0, id + 1, "{}")).code());
    }

    @Test
    void aHundredCommandsAtMost() throws Exception
    {
        final StringBuilder hundred = new StringBuilder("[");
        for (int i = 0; i < 100; i++)
        {
            hundred.append(i == 0 ? "" : ",").append(PING.replace("ping", "c" + i));
        }
        assertEquals(200, f.ask(1, s -> new CommandProxy(s).overwrite(1, APP, APP, 0, hundred + "]")).status());
        final MessagingFixture.Answer full = upsert(2, 0, PING);
        assertEquals(400, full.status());
        assertEquals(30032, full.code());
        assertEquals(200, upsert(3, 0, PING.replace("ping", "c7")).status(), "updating one still works");
    }
}
