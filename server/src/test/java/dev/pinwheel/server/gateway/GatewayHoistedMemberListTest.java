package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.GUILDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.server.TestNode;

/**
 * Op 14 with hoisted roles, over raw sockets as Discord's client speaks it: online members are grouped by their
 * highest hoisted role ({@code hoist: true}), then "online", then "offline", each group with its count and a header
 * row; giving or taking a hoisted role moves the member (DELETE/INSERT, or UPDATE when its row stays), lowering the
 * role regroups everyone (INVALIDATE + SYNC), and the rows a client keeps by applying the ops equal a fresh SYNC.
 * A list update goes only to the subscribers whose ranges it touches. A session's own user is in the
 * {@code presences} of its small guilds' GUILD_CREATE, with the status it identified with. The hoist flag is
 * journaled and survives a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayHoistedMemberListTest
{
    private static final int GUILD_PRESENCES = 1 << 8;

    private static String op14(final String guildId, final String channelId, final int from, final int to)
    {
        return "{\"op\":14,\"d\":{\"guild_id\":\"" + guildId + "\",\"typing\":true,\"activities\":true,"
            + "\"threads\":true,\"channels\":{\"" + channelId + "\":[[" + from + "," + to + "]]}}}";
    }

    private static JsonNode listUpdate(final GatewayTestClient c)
    {
        return c.nextDispatch("GUILD_MEMBER_LIST_UPDATE").path("d");
    }

    /**
     * The SYNC answering an op 14: the list updates before it (a presence reaching the list meanwhile: an UPDATE,
     * INSERT or DELETE against the previous SYNC) are skipped, at most 50 of them.
     */
    private static JsonNode syncUpdate(final GatewayTestClient c)
    {
        for (int i = 0; i < 50; i++)
        {
            final JsonNode d = listUpdate(c);
            if ("SYNC".equals(d.path("ops").path(0).path("op").asText()))
            {
                return d;
            }
        }
        throw new AssertionError("no SYNC among 50 GUILD_MEMBER_LIST_UPDATEs");
    }

    private static String row(final JsonNode item)
    {
        if (item.has("group"))
        {
            return "group:" + item.path("group").path("id").asText() + ":" + item.path("group").path("count").asInt();
        }
        final JsonNode m = item.path("member");
        return "member:" + m.path("user").path("id").asText() + ":" + m.path("presence").path("status").asText();
    }

    private static void apply(final List<String> rows, final JsonNode update)
    {
        for (final JsonNode op : update.path("ops"))
        {
            switch (op.path("op").asText())
            {
                case "SYNC" ->
                {
                    int i = op.path("range").get(0).asInt();
                    for (final JsonNode item : op.path("items"))
                    {
                        while (rows.size() <= i)
                        {
                            rows.add(null);
                        }
                        rows.set(i++, row(item));
                    }
                    while (rows.size() > i)
                    {
                        rows.remove(rows.size() - 1);
                    }
                }
                case "INSERT" -> rows.add(op.path("index").asInt(), row(op.path("item")));
                case "DELETE" -> rows.remove(op.path("index").asInt());
                case "UPDATE" -> rows.set(op.path("index").asInt(), row(op.path("item")));
                case "INVALIDATE" -> rows.clear();
                default -> throw new AssertionError("unknown op " + op);
            }
        }
    }

    private static List<String> kinds(final JsonNode update)
    {
        final List<String> kinds = new ArrayList<>();
        update.path("ops").forEach(op -> kinds.add(op.path("op").asText()));
        return kinds;
    }

    private static List<String> groups(final JsonNode update)
    {
        final List<String> groups = new ArrayList<>();
        update.path("groups").forEach(g -> groups.add(g.path("id").asText() + ":" + g.path("count").asInt()));
        return groups;
    }

    private static List<String> withoutHeaderCounts(final List<String> rows)
    {
        return rows.stream().map(r -> r.startsWith("group:") ? r.substring(0, r.lastIndexOf(':')) : r).toList();
    }

    /** A fresh SYNC of rows 0-99: what applying the ops must have given. */
    private static List<String> fresh(final GatewayTestClient s, final String guildId, final String channelId)
    {
        s.send(op14(guildId, channelId, 0, 99));
        final List<String> rows = new ArrayList<>();
        apply(rows, listUpdate(s));
        return rows;
    }

    private static boolean presenceListed(final JsonNode guildCreate, final String userId, final String status)
    {
        for (final JsonNode p : guildCreate.path("d").path("presences"))
        {
            if (userId.equals(p.path("user").path("id").asText()) && status.equals(p.path("status").asText()))
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void membersAreGroupedByTheirHighestHoistedRole()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User owner = node.register("hoist-a-owner");
            final TestNode.User m1 = node.register("hoist-b-member");
            final TestNode.User m2 = node.register("hoist-c-member");
            final JsonNode g = node.createGuild(owner, "hoisted list guild");
            final String guildId = g.path("id").asText();
            final String channelId = g.path("channels").get(0).path("id").asText();
            node.join(owner, channelId, m1);
            node.join(owner, channelId, m2);

            final JsonNode role = node.ok("POST", "guilds/" + guildId + "/roles", owner.token(),
                "{\"name\":\"mods\",\"hoist\":true}");
            assertTrue(role.path("hoist").asBoolean(), role.toString());
            final String roleId = role.path("id").asText();
            final TestNode.Response bad = node.call("POST", "guilds/" + guildId + "/roles", owner.token(),
                "{\"name\":\"x\",\"hoist\":\"yes\"}");
            assertEquals(400, bad.status());
            assertEquals(50035, bad.body().path("code").asInt(), bad.body().toString());
            node.ok("PUT", "guilds/" + guildId + "/members/" + m1.id() + "/roles/" + roleId, owner.token(), null);

            try (GatewayTestClient s = GatewayTestClient.json(node.gatewayUrl());
                GatewayTestClient c1 = GatewayTestClient.json(node.gatewayUrl());
                GatewayTestClient c2 = GatewayTestClient.json(node.gatewayUrl()))
            {
                s.identify(owner.token(), GUILDS | GUILD_PRESENCES);
                s.nextDispatch("READY");
                final JsonNode ownCreate = s.nextDispatch("GUILD_CREATE");
                assertTrue(presenceListed(ownCreate, owner.id(), "online"),
                    "a session's own user is in its small guild's presences: " + ownCreate.path("d").path("presences"));
                // also in the GUILD_CREATE of a guild the session's user just made (the presence's own way to the new
                // guild's owner, through the user's owner, races the session's subscription)
                for (int i = 0; i < 4; i++)
                {
                    final String made = node.createGuild(owner, "made " + i).path("id").asText();
                    final JsonNode create = s.next(n -> "GUILD_CREATE".equals(n.path("t").asText())
                        && made.equals(n.path("d").path("id").asText()), "GUILD_CREATE of " + made);
                    assertTrue(presenceListed(create, owner.id(), "online"),
                        "own presence in a new guild's GUILD_CREATE: " + create.path("d").path("presences"));
                }
                final ObjectNode dnd = GatewayTestClient.identifyPayload(m1.token(), GUILDS | GUILD_PRESENCES);
                ((ObjectNode)dnd.path("d")).putObject("presence").put("status", "dnd").putNull("since")
                    .put("afk", false).putArray("activities");
                c1.send(dnd);
                c1.nextDispatch("READY");
                final JsonNode m1Create = c1.nextDispatch("GUILD_CREATE");
                assertTrue(presenceListed(m1Create, m1.id(), "dnd"),
                    "with the status it identified with: " + m1Create.path("d").path("presences"));

                // the presences reach the guild's owner through the users' owners: ask until both show
                JsonNode sync = null;
                for (int attempt = 0; attempt < 100 && (sync == null || sync.path("online_count").asInt() < 2);
                    attempt++)
                {
                    s.send(op14(guildId, channelId, 0, 99));
                    sync = syncUpdate(s); // one SYNC per op 14; a presence update may come between them
                }
                assertEquals(List.of(roleId + ":1", "online:1", "offline:1"), groups(sync), sync.toString());
                assertEquals(2, sync.path("online_count").asInt());
                final List<String> rows = new ArrayList<>();
                apply(rows, sync);
                assertEquals(List.of("group:" + roleId + ":1", "member:" + m1.id() + ":dnd", "group:online:1",
                    "member:" + owner.id() + ":online", "group:offline:1", "member:" + m2.id() + ":offline"), rows);

                // an offline member gets the hoisted role: it stays among the offline (one UPDATE in place)
                node.ok("PUT", "guilds/" + guildId + "/members/" + m2.id() + "/roles/" + roleId, owner.token(), null);
                final JsonNode stays = listUpdate(s);
                assertEquals(List.of("UPDATE"), kinds(stays), stays.toString());
                assertEquals(5, stays.path("ops").get(0).path("index").asInt());
                apply(rows, stays);

                // ... and comes online: into the role's group, the offline group (now empty) loses its header
                c2.identifyAndAwait(m2.token(), GUILDS, 1);
                final JsonNode online = listUpdate(s);
                assertEquals(List.of("DELETE", "DELETE", "INSERT"), kinds(online), online.toString());
                assertEquals(List.of(roleId + ":2", "online:1"), groups(online));
                apply(rows, online);
                assertEquals(List.of("group:" + roleId, "member:" + m1.id() + ":dnd", "member:" + m2.id() + ":online",
                    "group:online", "member:" + owner.id() + ":online"), withoutHeaderCounts(rows));
                assertEquals(withoutHeaderCounts(fresh(s, guildId, channelId)), withoutHeaderCounts(rows));

                // m1 loses the role: out of its group into "online", after the owner by name
                node.ok("DELETE", "guilds/" + guildId + "/members/" + m1.id() + "/roles/" + roleId, owner.token(),
                    null);
                final JsonNode lost = listUpdate(s);
                assertEquals(List.of("DELETE", "INSERT"), kinds(lost), lost.toString());
                apply(rows, lost);
                final List<String> afterLoss = fresh(s, guildId, channelId);
                assertEquals(withoutHeaderCounts(afterLoss), withoutHeaderCounts(rows));
                assertEquals(List.of("group:" + roleId + ":1", "member:" + m2.id() + ":online", "group:online:2",
                    "member:" + owner.id() + ":online", "member:" + m1.id() + ":dnd"), afterLoss);

                // only subscribers whose ranges a change touches hear of it: c2 looks at rows 100-199
                c2.send(op14(guildId, channelId, 100, 199));
                final JsonNode far = listUpdate(c2);
                assertEquals("SYNC", far.path("ops").get(0).path("op").asText(), far.toString());
                c1.send("{\"op\":3,\"d\":{\"status\":\"idle\",\"since\":null,\"activities\":[],\"afk\":false}}");
                final JsonNode idle = listUpdate(s);
                assertEquals(List.of("UPDATE"), kinds(idle), idle.toString());
                assertEquals(4, idle.path("ops").get(0).path("index").asInt());
                apply(rows, idle);
                node.ok("POST", "guilds/" + guildId + "/channels", owner.token(), "{\"name\":\"marker\",\"type\":0}");
                final List<JsonNode> c2Saw = c2.until("CHANNEL_CREATE");
                assertFalse(c2Saw.stream().anyMatch(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())),
                    "row 4 changed, c2 looks at 100-199: " + c2Saw);

                // the role is lowered: everyone regroups (INVALIDATE and a fresh SYNC), no role group any more
                final JsonNode lowered = node.ok("PATCH", "guilds/" + guildId + "/roles/" + roleId, owner.token(),
                    "{\"hoist\":false}");
                assertFalse(lowered.path("hoist").asBoolean(), lowered.toString());
                final JsonNode regrouped = s.next(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())
                    && n.path("d").path("ops").get(0).path("op").asText().equals("INVALIDATE"), "the regroup")
                    .path("d");
                assertEquals(List.of("online:3"), groups(regrouped), regrouped.toString());
                apply(rows, regrouped);
                assertEquals(List.of("group:online:3", "member:" + owner.id() + ":online",
                    "member:" + m1.id() + ":idle", "member:" + m2.id() + ":online"), rows);
                final JsonNode roles = node.ok("GET", "guilds/" + guildId + "/roles", owner.token(), null);
                roles.forEach(r -> assertFalse(r.path("hoist").asBoolean(), roles.toString()));
            }
        }
    }

    @Test
    void hoistSurvivesARestart(@TempDir final Path dir)
    {
        final String guildId;
        final String roleId;
        final TestNode.User owner;
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            owner = node.register("hoist-keeper");
            guildId = node.createGuild(owner, "kept hoist").path("id").asText();
            roleId = node.ok("POST", "guilds/" + guildId + "/roles", owner.token(), "{\"name\":\"shown\"}")
                .path("id").asText();
            final JsonNode hoisted = node.ok("PATCH", "guilds/" + guildId + "/roles/" + roleId, owner.token(),
                "{\"hoist\":true}");
            assertTrue(hoisted.path("hoist").asBoolean(), hoisted.toString());
        }
        try (TestNode node = new TestNode(2, dir, c -> { });
            GatewayTestClient s = GatewayTestClient.json(node.gatewayUrl()))
        {
            final JsonNode roles = node.ok("GET", "guilds/" + guildId + "/roles", owner.token(), null);
            boolean found = false;
            for (final JsonNode r : roles)
            {
                found |= roleId.equals(r.path("id").asText()) && r.path("hoist").asBoolean();
            }
            assertTrue(found, "the hoist was journaled: " + roles);
            s.identify(owner.token(), GUILDS);
            s.nextDispatch("READY");
            final JsonNode create = s.nextDispatch("GUILD_CREATE");
            boolean inCreate = false;
            for (final JsonNode r : create.path("d").path("roles"))
            {
                inCreate |= roleId.equals(r.path("id").asText()) && r.path("hoist").asBoolean();
            }
            assertTrue(inCreate, create.path("d").path("roles").toString());
        }
    }
}
