package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerCommands.KEEP;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * {@link RoleProxy} to {@link RoleService} across two shard threads ({@link OwnerFixture}): a new role sits just
 * above {@code @everyone} and pushes the others up; {@code @everyone} keeps its name and cannot be deleted; nobody
 * grants a permission they lack; a refused write changes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoleServiceTest
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

    private long create(final long correlation, final String name, final long permissions)
        throws InterruptedException
    {
        final Answer a = fx.ask(correlation, RoleProxy::new, p -> p.create(correlation, ALICE, GUILD, name,
            permissions, KEEP));
        assertEquals(200, a.status(), a.body());
        assertEquals(a.json(), fx.event("GUILD_ROLE_CREATE").path("role"));
        return Long.parseLong(a.json().path("id").asText());
    }

    @Test
    void aNewRoleSitsAboveEveryoneAndPushesTheOthersUp() throws Exception
    {
        final long first = create(1, "first", KEEP);
        final long second = create(2, null, Permissions.MANAGE_ROLES);
        final JsonNode roles = fx.ask(3, RoleProxy::new, p -> p.list(3, CAROL, GUILD, 0)).json();
        assertEquals(3, roles.size(), roles.toString());
        assertEquals("@everyone", roles.get(0).path("name").asText());
        assertEquals(Long.toString(GUILD), roles.get(0).path("id").asText());
        assertEquals(Long.toString(second), roles.get(1).path("id").asText());
        assertEquals("new role", roles.get(1).path("name").asText());
        assertEquals(Long.toString(first), roles.get(2).path("id").asText());
        assertEquals(2, roles.get(2).path("position").asInt());
        assertEquals(Long.toString(Permissions.EVERYONE_DEFAULT), roles.get(2).path("permissions").asText(),
            "no permissions given: @everyone's");
        assertEquals(50001, fx.ask(4, RoleProxy::new, p -> p.list(4, BOB, GUILD, 0)).code());
        final JsonNode one = fx.ask(5, RoleProxy::new, p -> p.list(5, CAROL, GUILD, first)).json();
        assertEquals("first", one.path("name").asText(), "GET /guilds/{g}/roles/{r}: the one role");
        assertEquals(2, one.path("position").asInt());
        final Answer unknown = fx.ask(6, RoleProxy::new, p -> p.list(6, CAROL, GUILD, first + 1000));
        assertEquals(404, unknown.status());
        assertEquals(10011, unknown.code());
        assertEquals(50001, fx.ask(7, RoleProxy::new, p -> p.list(7, BOB, GUILD, first)).code(), "members only");
    }

    @Test
    void editsKeepWhatIsNotGivenAndEveryoneItsName() throws Exception
    {
        final long role = create(1, "mods", 0);
        final Answer edited = fx.ask(2, RoleProxy::new, p -> p.edit(2, ALICE, GUILD, role, null, KEEP, 0xFF0000));
        assertEquals(200, edited.status(), edited.body());
        assertEquals("mods", edited.json().path("name").asText());
        assertEquals(0xFF0000, edited.json().path("color").asInt());
        assertEquals(edited.json(), fx.event("GUILD_ROLE_UPDATE").path("role"));
        final Answer everyone = fx.ask(3, RoleProxy::new, p -> p.edit(3, ALICE, GUILD, GUILD, "everybody",
            Permissions.VIEW_CHANNEL, KEEP));
        assertEquals("@everyone", everyone.json().path("name").asText());
        assertEquals(Long.toString(Permissions.VIEW_CHANNEL), everyone.json().path("permissions").asText());
        fx.event("GUILD_ROLE_UPDATE");
        assertEquals(10011, fx.ask(4, RoleProxy::new, p -> p.edit(4, ALICE, GUILD, 999, "x", KEEP, KEEP)).code());
    }

    @Test
    void deletingAndTheHierarchy() throws Exception
    {
        final long role = create(1, "gone soon", 0);
        assertEquals(50028, fx.ask(2, RoleProxy::new, p -> p.delete(2, ALICE, GUILD, GUILD)).code());
        assertEquals(204, fx.ask(3, RoleProxy::new, p -> p.delete(3, ALICE, GUILD, role)).status());
        assertEquals(Long.toString(role), fx.event("GUILD_ROLE_DELETE").path("role_id").asText());
        assertEquals(StateRecords.ROLE_DELETED, fx.stores[fx.owner].stateRecords.get(
            fx.stores[fx.owner].stateRecords.size() - 2), "then its audit log entry");
        fx.auditEvent(); // the creation's
        final com.fasterxml.jackson.databind.JsonNode entry = fx.auditEvent();
        assertEquals(AuditLog.ROLE_DELETE, entry.path("action_type").asInt());
        assertEquals("gone soon", entry.path("changes").get(0).path("old_value").asText());

        assertEquals(50013, fx.ask(4, RoleProxy::new, p -> p.create(4, CAROL, GUILD, "x", KEEP, KEEP)).code(),
            "MANAGE_ROLES");
        fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(600, "mod", Permissions.MANAGE_ROLES,
            1, 0)));
        fx.commit(StateRecords.MEMBER_ROLES_SET, StateRecords.memberRolesSet(GUILD, CAROL, new long[] {600}));
        assertEquals(50013, fx.ask(5, RoleProxy::new, p -> p.create(5, CAROL, GUILD, "admin",
            Permissions.ADMINISTRATOR, KEEP)).code(), "no one grants what they lack");
        assertEquals(200, fx.ask(6, RoleProxy::new, p -> p.create(6, CAROL, GUILD, "helpers",
            Permissions.MANAGE_ROLES, KEEP)).status());
        fx.event("GUILD_ROLE_CREATE");
        assertEquals(50013, fx.ask(7, RoleProxy::new, p -> p.delete(7, CAROL, GUILD, 600)).code(),
            "now at position 2: not below CAROL's highest role");
        fx.noEvent();
    }

    @Test
    void aRefusedWriteChangesNothing() throws Exception
    {
        fx.stores[fx.owner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "full");
        assertEquals(507, fx.ask(1, RoleProxy::new, p -> p.create(1, ALICE, GUILD, "x", KEEP, KEEP)).status());
        fx.stores[fx.owner].refuse = null;
        assertEquals(1, fx.ask(2, RoleProxy::new, p -> p.list(2, ALICE, GUILD, 0)).json().size());
        fx.noEvent();
    }
}
