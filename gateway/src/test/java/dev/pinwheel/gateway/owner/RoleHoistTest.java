package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerCommands.KEEP;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * A role's {@code hoist} through {@link RoleProxy} to {@link RoleService} ({@link OwnerFixture}: two shard threads):
 * set on create, kept by an edit that does not name it, cleared by one that does; each change one ROLE_HOIST_SET
 * record, in the answer, the event and the role list; an edit that leaves it alone journals none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoleHoistTest
{
    private OwnerFixture fx;

    @BeforeEach
    void start() throws Exception
    {
        fx = new OwnerFixture();
        fx.member(CAROL);
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    private int hoistRecords()
    {
        return (int)fx.stores[fx.owner].stateRecords.stream().filter(t -> t == StateRecords.ROLE_HOIST_SET).count();
    }

    private boolean hoistedOnOwner(final long roleId) throws InterruptedException
    {
        final AtomicBoolean hoisted = new AtomicBoolean();
        fx.onShard(fx.owner, s -> hoisted.set(s.guilds().get(GUILD).hoisted(roleId)));
        return hoisted.get();
    }

    private static JsonNode roleIn(final JsonNode roles, final long roleId)
    {
        for (final JsonNode r : roles)
        {
            if (Long.toString(roleId).equals(r.path("id").asText()))
            {
                return r;
            }
        }
        throw new AssertionError("no role " + roleId + " in " + roles);
    }

    @Test
    void hoistIsSetKeptAndCleared() throws Exception
    {
        final Answer created = fx.ask(1, RoleProxy::new, p -> p.create(1, ALICE, GUILD, "mods", KEEP, KEEP, 1,
            null));
        assertEquals(200, created.status(), created.body());
        assertTrue(created.json().path("hoist").asBoolean(), created.body());
        assertTrue(fx.event("GUILD_ROLE_CREATE").path("role").path("hoist").asBoolean());
        final long role = Long.parseLong(created.json().path("id").asText());
        assertEquals(1, hoistRecords());
        assertTrue(hoistedOnOwner(role));

        final Answer renamed = fx.ask(2, RoleProxy::new, p -> p.edit(2, ALICE, GUILD, role, "moderators", KEEP,
            KEEP, KEEP, null));
        assertTrue(renamed.json().path("hoist").asBoolean(), "an edit without hoist keeps it: " + renamed.body());
        assertEquals(1, hoistRecords(), "and journals no hoist");

        final Answer lowered = fx.ask(3, RoleProxy::new, p -> p.edit(3, ALICE, GUILD, role, null, KEEP, KEEP, 0,
            null));
        assertFalse(lowered.json().path("hoist").asBoolean(), lowered.body());
        assertEquals(2, hoistRecords());
        assertFalse(hoistedOnOwner(role));
        final JsonNode roles = fx.ask(4, RoleProxy::new, p -> p.list(4, CAROL, GUILD, 0)).json();
        assertFalse(roleIn(roles, role).path("hoist").asBoolean(), roles.toString());

        final Answer plain = fx.ask(5, RoleProxy::new, p -> p.create(5, ALICE, GUILD, "plain", KEEP, KEEP));
        assertFalse(plain.json().path("hoist").asBoolean(), plain.body());
        assertEquals(2, hoistRecords(), "a role created without hoist journals none");
    }
}
