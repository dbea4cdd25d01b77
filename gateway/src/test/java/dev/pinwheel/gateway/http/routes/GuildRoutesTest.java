package dev.pinwheel.gateway.http.routes;

import static dev.pinwheel.gateway.http.routes.RouteFixture.assertError;
import static dev.pinwheel.gateway.http.routes.RouteFixture.assertFormError;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.http.routes.RouteFixture.Response;

/**
 * {@code POST /guilds} and {@code GET /guilds/{guild}} ({@link GuildRoutes}) over the real owner
 * ({@link RouteFixture}): the name's limits, an unknown or malformed guild id.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuildRoutesTest
{
    private RouteFixture routes;

    @BeforeEach
    void start() throws Exception
    {
        routes = new RouteFixture();
    }

    @AfterEach
    void stop()
    {
        routes.close();
    }

    @Test
    void aGuildNameIsTwoToAHundredCharactersTrimmed() throws Exception
    {
        assertFormError(routes.call("POST", "guilds", BOB, "{\"name\":\" x \"}"), "name");
        assertFormError(routes.call("POST", "guilds", BOB, "{\"name\":\"" + "n".repeat(101) + "\"}"), "name");
        assertFormError(routes.call("POST", "guilds", BOB, "{\"name\":42}"), "name");
        assertFormError(routes.call("POST", "guilds", BOB, null), "name");
        final Response created = routes.call("POST", "guilds", BOB, "{\"name\":\"  bob's place  \"}");
        assertEquals(201, created.status(), String.valueOf(created.body()));
        assertEquals("bob's place", created.body().path("name").asText());
        assertEquals("general", created.body().path("channels").get(0).path("name").asText());
    }

    @Test
    void aGuildIsReadByItsMembersOnly() throws Exception
    {
        final Response g = routes.call("GET", "guilds/" + GUILD + "?with_counts=true", ALICE, null);
        assertEquals(200, g.status());
        assertEquals(1, g.body().path("approximate_member_count").asInt());
        assertError(routes.call("GET", "guilds/" + GUILD, BOB, null), 403, 50001);
        assertError(routes.call("GET", "guilds/abc", ALICE, null), 404, 10004);
        assertError(routes.call("GET", "guilds/123456", ALICE, null), 404, 10004);
    }
}
