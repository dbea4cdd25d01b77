package dev.pinwheel.gateway.http.routes;

import static dev.pinwheel.gateway.http.routes.RouteFixture.assertError;
import static dev.pinwheel.gateway.http.routes.RouteFixture.assertFormError;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.http.routes.RouteFixture.Response;

/**
 * The member routes ({@link MemberRoutes}) over the real owner ({@link RouteFixture}): list and search limits, a
 * member edit's fields (each wrong one named), {@code @me} and the older nick route, and the role paths' ids.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemberRoutesTest
{
    private static final long ROLE = 501;

    private RouteFixture routes;
    private String members;
    private String carol;

    @BeforeEach
    void start() throws Exception
    {
        routes = new RouteFixture();
        routes.fx.member(CAROL);
        routes.fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(ROLE, "r", 0, 1, 0)));
        members = "guilds/" + GUILD + "/members";
        carol = members + "/" + CAROL;
    }

    @AfterEach
    void stop()
    {
        routes.close();
    }

    private Response patch(final String path, final long by, final String body) throws InterruptedException
    {
        return routes.call("PATCH", path, by, body);
    }

    @Test
    void listAndSearchAreBounded() throws Exception
    {
        for (final String limit : new String[] {"0", "1001", "abc"})
        {
            assertFormError(routes.call("GET", members + "?limit=" + limit, ALICE, null), "limit");
            assertFormError(routes.call("GET", members + "/search?query=a&limit=" + limit, ALICE, null), "limit");
        }
        assertFormError(routes.call("GET", members + "?after=abc", ALICE, null), "after");
        assertEquals(1, routes.call("GET", members, ALICE, null).body().size(), "one member unless asked for more");
        assertEquals(2, routes.call("GET", members + "?limit=1000", ALICE, null).body().size());

        final Response noQuery = routes.call("GET", members + "/search", ALICE, null);
        assertFormError(noQuery, "query");
        assertEquals("BASE_TYPE_REQUIRED", noQuery.body().path("errors").path("query").path("_errors").get(0)
            .path("code").asText());
        assertFormError(routes.call("GET", members + "/search?query=", ALICE, null), "query");
        assertFormError(routes.call("GET", members + "/search?query=" + "q".repeat(101), ALICE, null), "query");
        final Response found = routes.call("GET", members + "/search?query=CAR&limit=10", ALICE, null);
        assertEquals(1, found.body().size(), String.valueOf(found.body()));
    }

    @Test
    void aMemberIsNamedByIdOrAtMe() throws Exception
    {
        assertEquals(Long.toString(ALICE), routes.call("GET", members + "/@me", ALICE, null).body().path("user")
            .path("id").asText());
        assertEquals("Carol", routes.call("GET", carol, ALICE, null).body().path("user").path("username").asText());
        assertError(routes.call("GET", members + "/nope", ALICE, null), 404, 10013);
        assertError(routes.call("GET", "guilds/abc/members/nope", ALICE, null), 404, 10004);
    }

    @Test
    void anEditNamesTheFieldThatIsWrong() throws Exception
    {
        assertError(patch(carol, ALICE, null), 400, 50035);
        assertError(patch(carol, ALICE, "[1]"), 400, 50035);
        assertFormError(patch(carol, ALICE, "{\"mute\":\"yes\"}"), "mute");
        assertFormError(patch(carol, ALICE, "{\"mute\":null}"), "mute");
        assertFormError(patch(carol, ALICE, "{\"deaf\":1}"), "deaf");
        assertFormError(patch(carol, ALICE, "{\"channel_id\":\"abc\"}"), "channel_id");
        assertFormError(patch(carol, ALICE, "{\"channel_id\":-5}"), "channel_id");
        assertFormError(patch(carol, ALICE, "{\"nick\":\"" + "n".repeat(33) + "\"}"), "nick");
        assertFormError(patch(carol, ALICE, "{\"nick\":5}"), "nick");
        assertFormError(patch(carol, ALICE, "{\"roles\":\"" + ROLE + "\"}"), "roles");
        assertFormError(patch(carol, ALICE, "{\"roles\":[\"" + ROLE + "\",\"abc\"]}"), "roles");
        assertError(patch(carol, ALICE, "{\"mute\":true}"), 400, 40032);
        assertError(patch(carol, ALICE, "{\"channel_id\":null}"), 400, 40032);
        assertError(patch(members + "/nope", ALICE, "{}"), 404, 10013);

        final Response nick = patch(carol, ALICE, "{\"nick\":\"  cc  \",\"roles\":[" + ROLE + "]}");
        assertEquals(200, nick.status(), String.valueOf(nick.body()));
        assertEquals("cc", nick.body().path("nick").asText());
        assertEquals(Long.toString(ROLE), nick.body().path("roles").get(0).asText());
        assertTrue(patch(carol, ALICE, "{\"nick\":null}").body().path("nick").isNull());
    }

    @Test
    void theOlderNickRouteEditsTheCaller() throws Exception
    {
        final Response mine = patch(members + "/@me/nick", CAROL, "{\"nick\":\"me\"}");
        assertEquals(200, mine.status(), String.valueOf(mine.body()));
        assertEquals("me", routes.call("GET", carol, ALICE, null).body().path("nick").asText());
        assertEquals("me2", patch(members + "/@me", CAROL, "{\"nick\":\"me2\"}").body().path("nick").asText());
    }

    @Test
    void roleGrantsNameTheirUserAndRole() throws Exception
    {
        assertError(routes.call("PUT", members + "/nope/roles/" + ROLE, ALICE, null), 404, 10013);
        assertError(routes.call("PUT", carol + "/roles/abc", ALICE, null), 404, 10011);
        assertError(routes.call("PUT", members + "/nope/roles/abc", ALICE, null), 404, 10013);
        assertEquals(204, routes.call("PUT", carol + "/roles/" + ROLE, ALICE, null).status());
        assertEquals(204, routes.call("PUT", members + "/@me/roles/" + ROLE, ALICE, null).status());
        assertEquals(2, routes.call("GET", members + "?limit=10", ALICE, null).body().findValues("roles").stream()
            .filter(r -> r.size() == 1).count(), "both have the role");
        assertEquals(204, routes.call("DELETE", carol + "/roles/" + ROLE, ALICE, null).status());
        assertEquals(0, routes.call("GET", carol, ALICE, null).body().path("roles").size());
    }
}
