package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * {@code pinwheel migrate --data DIR --to-cassandra HOST:PORT}: an embedded node's data (accounts, a guild, messages
 * with an edit, a delete and pins, a DM) copied into Cassandra, verified, copied again (idempotent: same counts, still
 * OK), then served by a node on Cassandra exactly as the embedded node served it.
 */
@Tag("cassandra")
@Tag("external")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MigrateToCassandraTest
{
    @Test
    void copiesAnEmbeddedDataDirectoryIdempotentlyAndANodeOnCassandraServesIt() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-migrate");
        final Path data = dir.resolve("data");
        final String keyspace = SharedCassandra.keyspace("migrated");
        try
        {
            final RestClient.User alice;
            final String channel;
            final String dm;
            final JsonNode history;
            final JsonNode pins;
            final JsonNode dmHistory;
            try (ServerProcess node = ServerProcess.start(data, 2, "os", dir.resolve("embedded.log"), 180))
            {
                final RestClient rest = new RestClient(node.restBase());
                final JsonNode human = rest.ok("POST", "auth/register", null, "{\"username\":\"migrate-alice\","
                    + "\"password\":\"password-migrate-alice\",\"bot\":false}"); // a DM takes a human
                alice = new RestClient.User(human.get("user").get("id").asText(), human.get("token").asText());
                final RestClient.User bob = rest.register("migrate-bob");
                channel = rest.ok("POST", "guilds", alice.token(), "{\"name\":\"migrated\"}").get("channels").get(0)
                    .get("id").asText();
                rest.join(alice, channel, bob); // a DM needs a guild in common
                final List<String> ids = new ArrayList<>();
                for (int i = 0; i < 150; i++)
                {
                    ids.add(rest.ok("POST", "channels/" + channel + "/messages", alice.token(),
                        "{\"content\":\"m" + i + "\"}").get("id").asText());
                }
                rest.ok("PATCH", "channels/" + channel + "/messages/" + ids.get(3), alice.token(),
                    "{\"content\":\"edited\"}");
                rest.call("DELETE", "channels/" + channel + "/messages/" + ids.get(4), alice.token(), null);
                rest.call("PUT", "channels/" + channel + "/pins/" + ids.get(7), alice.token(), null);
                rest.call("PUT", "channels/" + channel + "/pins/" + ids.get(100), alice.token(), null);
                dm = rest.ok("POST", "users/@me/channels", alice.token(), "{\"recipient_id\":\"" + bob.id() + "\"}")
                    .get("id").asText();
                rest.ok("POST", "channels/" + dm + "/messages", alice.token(), "{\"content\":\"psst\"}");
                history = rest.ok("GET", "channels/" + channel + "/messages?limit=100", alice.token(), null);
                pins = rest.ok("GET", "channels/" + channel + "/pins", alice.token(), null);
                dmHistory = rest.ok("GET", "channels/" + dm + "/messages", alice.token(), null);
                assertEquals(2, pins.size());
                node.stop();
            }
            final String cp = SharedCassandra.contactPoint();
            final String first = ServerProcess.runCli(180, "migrate", "--data", data.toString(), "--to-cassandra", cp,
                "--keyspace", keyspace);
            System.out.println(first);
            assertTrue(first.contains("verify: OK"), first);
            assertTrue(first.matches("(?s).*messages\\s+source\\s+150\\s+cassandra\\s+150.*"), first);
            assertTrue(first.matches("(?s).*pins\\s+source\\s+2\\s+cassandra\\s+2.*"), first);
            final String second = ServerProcess.runCli(180, "migrate", "--data", data.toString(), "--to-cassandra",
                cp, "--keyspace", keyspace);
            assertTrue(second.contains("verify: OK"), second);
            assertTrue(second.matches("(?s).*messages\\s+source\\s+150\\s+cassandra\\s+150.*"), "idempotent:\n"
                + second);
            try (ServerProcess node = ServerProcess.start(dir.resolve("data-cassandra"), 2, "os",
                dir.resolve("cassandra.log"), 180, SharedCassandra.serverOptions(cp, keyspace)))
            {
                final RestClient rest = new RestClient(node.restBase());
                final RestClient.Response login = rest.call("POST", "auth/login", null,
                    "{\"username\":\"migrate-alice\",\"password\":\"password-migrate-alice\"}");
                assertEquals(200, login.status(), login.raw());
                assertEquals(history, rest.ok("GET", "channels/" + channel + "/messages?limit=100", alice.token(),
                    null));
                assertEquals(pins, rest.ok("GET", "channels/" + channel + "/pins", alice.token(), null));
                assertEquals(dmHistory, rest.ok("GET", "channels/" + dm + "/messages", alice.token(), null));
                node.stop();
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
