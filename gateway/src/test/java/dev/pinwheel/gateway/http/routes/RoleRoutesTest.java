package dev.pinwheel.gateway.http.routes;

import static dev.pinwheel.gateway.http.routes.RouteFixture.assertError;
import static dev.pinwheel.gateway.http.routes.RouteFixture.assertFormError;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.gateway.http.routes.RouteFixture.Response;

/**
 * The role routes ({@link RoleRoutes}) over the real owner ({@link RouteFixture}): a role body's name, permissions
 * (a decimal string or a number, unknown bits dropped) and colour; a malformed role id before the body.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoleRoutesTest
{
    private RouteFixture routes;
    private String roles;

    @BeforeEach
    void start() throws Exception
    {
        routes = new RouteFixture();
        roles = "guilds/" + GUILD + "/roles";
    }

    @AfterEach
    void stop()
    {
        routes.close();
    }

    private Response create(final String body) throws InterruptedException
    {
        return routes.call("POST", roles, ALICE, body);
    }

    @Test
    void aRoleBodyIsChecked() throws Exception
    {
        assertError(create("[]"), 400, 50035);
        assertFormError(create("{\"name\":\"\"}"), "name");
        assertFormError(create("{\"name\":\"" + "n".repeat(101) + "\"}"), "name");
        assertFormError(create("{\"permissions\":\"abc\"}"), "permissions");
        assertFormError(create("{\"permissions\":-1}"), "permissions");
        assertFormError(create("{\"color\":16777216}"), "color");
        assertFormError(create("{\"color\":\"red\"}"), "color");
        assertEquals(1, routes.call("GET", roles, ALICE, null).body().size(), "nothing created");

        final Response plain = create(null);
        assertEquals(200, plain.status(), String.valueOf(plain.body()));
        assertEquals("new role", plain.body().path("name").asText());
        final Response given = create("{\"name\":\" mods \",\"permissions\":\"" + (Permissions.MANAGE_ROLES | 1L << 60)
            + "\",\"color\":255}");
        assertEquals("mods", given.body().path("name").asText());
        assertEquals(Long.toString(Permissions.MANAGE_ROLES), given.body().path("permissions").asText(),
            "unknown bits dropped");
        assertEquals(255, given.body().path("color").asInt());
        assertEquals("8", create("{\"permissions\":8}").body().path("permissions").asText(), "a number is fine");
    }

    @Test
    void aRoleIdIsCheckedBeforeTheBody() throws Exception
    {
        assertError(routes.call("PATCH", roles + "/abc", ALICE, "{\"color\":-1}"), 404, 10011);
        assertError(routes.call("DELETE", roles + "/abc", ALICE, null), 404, 10011);
        assertError(routes.call("PATCH", "guilds/abc/roles/abc", ALICE, null), 404, 10004);
        final String id = create("{\"name\":\"x\"}").body().path("id").asText();
        assertFormError(routes.call("PATCH", roles + "/" + id, ALICE, "{\"color\":-1}"), "color");
        assertEquals("y", routes.call("PATCH", roles + "/" + id, ALICE, "{\"name\":\"y\"}").body().path("name")
            .asText());
        assertEquals(204, routes.call("DELETE", roles + "/" + id, ALICE, null).status());
        assertError(routes.call("DELETE", roles + "/" + GUILD, ALICE, null), 400, 50028);
    }
}
