package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.GUILDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Op 14, the lazy member list, over raw sockets (no library sends it; Discord's own client does): a subscriber gets
 * SYNC for its range (groups online/offline with their headers and counts, members by name), then DELETE/INSERT when
 * a member comes online and UPDATE when one changes status within the group — and the list the subscriber builds by
 * applying those ops equals a fresh SYNC; a member who joins is inserted in place. A channel hidden from some members has its own list (not "everyone") of
 * those who see it. Lazy guilds: above the configured size, PRESENCE_UPDATE and TYPING_START go only to sessions that
 * subscribed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GatewayLazyMemberListTest
{
    private static final int GUILD_PRESENCES = 1 << 8;
    private static final long VIEW_CHANNEL = 1 << 10;
    private static final int TYPING = 1 << 11;

    private static String op14(final String guildId, final String channelId, final int from, final int to)
    {
        return "{\"op\":14,\"d\":{\"guild_id\":\"" + guildId + "\",\"typing\":true,\"activities\":true,"
            + "\"threads\":true,\"channels\":{\"" + channelId + "\":[[" + from + "," + to + "]]}}}";
    }

    private static JsonNode listUpdate(final GatewayTestClient c)
    {
        return c.nextDispatch("GUILD_MEMBER_LIST_UPDATE").path("d");
    }

    private static JsonNode presenceOf(final GatewayTestClient c, final String userId)
    {
        return c.next(n -> "PRESENCE_UPDATE".equals(n.path("t").asText())
            && userId.equals(n.path("d").path("user").path("id").asText()), "PRESENCE_UPDATE of " + userId);
    }

    private static void sleepQuietly(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A row as the test compares it: "group:online:2" or "member:ID:status". */
    private static String row(final JsonNode item)
    {
        if (item.has("group"))
        {
            return "group:" + item.path("group").path("id").asText() + ":" + item.path("group").path("count").asInt();
        }
        final JsonNode m = item.path("member");
        return "member:" + m.path("user").path("id").asText() + ":" + m.path("presence").path("status").asText();
    }

    /** Applies a GUILD_MEMBER_LIST_UPDATE's ops to a client-side copy of the rows, as Discord's client does. */
    private static void apply(final List<String> rows, final JsonNode update)
    {
        for (final JsonNode op : update.path("ops"))
        {
            switch (op.path("op").asText())
            {
                case "SYNC" ->
                {
                    final int from = op.path("range").get(0).asInt();
                    int i = from;
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
                case "INVALIDATE" ->
                {
                    // rows outside what we look at: nothing to drop in this test
                }
                default -> throw new AssertionError("unknown op " + op);
            }
        }
    }

    /** Group headers only keep their id: counts in headers are refreshed by SYNC, the groups array carries them. */
    private static List<String> withoutHeaderCounts(final List<String> rows)
    {
        return rows.stream().map(r -> r.startsWith("group:") ? r.substring(0, r.lastIndexOf(':')) : r).toList();
    }

    @Test
    void syncThenOpsAsMembersComeOnline()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User owner = node.register("list-a-owner");
            final TestNode.User m1 = node.register("list-b-member");
            final TestNode.User m2 = node.register("list-c-member");
            final JsonNode g = node.createGuild(owner, "lazy list guild");
            final String guildId = g.path("id").asText();
            final String channelId = g.path("channels").get(0).path("id").asText();
            node.join(owner, channelId, m1);
            node.join(owner, channelId, m2);

            try (GatewayTestClient s = GatewayTestClient.json(node.gatewayUrl());
                GatewayTestClient c1 = GatewayTestClient.json(node.gatewayUrl());
                GatewayTestClient c2 = GatewayTestClient.json(node.gatewayUrl()))
            {
                s.identifyAndAwait(owner.token(), GUILDS | GUILD_PRESENCES, 1);
                // the session's own presence reaches the guild's owner through the user's owner: ask until it shows
                // (the presence may also arrive as DELETE/INSERT ops on a list subscribed before it: those are
                // skipped, and only a SYNC that answers a subscription and shows the owner online ends the wait)
                JsonNode sync = null;
                boolean awaitingSync = false;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (sync == null && System.nanoTime() < deadline)
                {
                    if (!awaitingSync)
                    {
                        s.send(op14(guildId, channelId, 0, 99));
                        awaitingSync = true;
                    }
                    final JsonNode update = listUpdate(s);
                    if (!"SYNC".equals(update.path("ops").path(0).path("op").asText()))
                    {
                        continue;
                    }
                    awaitingSync = false;
                    if (update.path("online_count").asInt() > 0)
                    {
                        sync = update;
                    }
                    else
                    {
                        sleepQuietly(20);
                    }
                }
                assertNotNull(sync, "no SYNC showed the owner online within 30 s");
                assertEquals("everyone", sync.path("id").asText(), sync.toString());
                assertEquals(3, sync.path("member_count").asInt());
                assertEquals(1, sync.path("online_count").asInt());
                assertEquals("SYNC", sync.path("ops").get(0).path("op").asText());
                final List<String> rows = new ArrayList<>();
                apply(rows, sync);
                assertEquals(List.of("group:online:1", "member:" + owner.id() + ":online", "group:offline:2",
                    "member:" + m1.id() + ":offline", "member:" + m2.id() + ":offline"), rows);

                // m1 comes online: it leaves the offline group and joins the online one, after the owner by name
                c1.identifyAndAwait(m1.token(), GUILDS, 1);
                final JsonNode online = listUpdate(s);
                final List<String> kinds = new ArrayList<>();
                online.path("ops").forEach(op -> kinds.add(op.path("op").asText()));
                assertEquals(List.of("DELETE", "INSERT"), kinds, online.toString());
                apply(rows, online);
                assertEquals(List.of("group:online", "member:" + owner.id() + ":online",
                    "member:" + m1.id() + ":online", "group:offline", "member:" + m2.id() + ":offline"),
                    withoutHeaderCounts(rows));
                assertEquals(2, online.path("online_count").asInt());

                // a status change within the group: UPDATE in place
                c1.send("{\"op\":3,\"d\":{\"status\":\"dnd\",\"since\":null,\"activities\":[],\"afk\":false}}");
                final JsonNode dnd = listUpdate(s);
                assertEquals("UPDATE", dnd.path("ops").get(0).path("op").asText(), dnd.toString());
                assertEquals(2, dnd.path("ops").get(0).path("index").asInt());
                apply(rows, dnd);

                // m1 goes away: back to offline, the ops keep the copy right
                c1.sendClose(1000, "bye");
                apply(rows, listUpdate(s));
                s.send(op14(guildId, channelId, 0, 99));
                final List<String> fresh = new ArrayList<>();
                apply(fresh, listUpdate(s));
                assertEquals(fresh, rows, "the ops applied in order give the list a new SYNC gives");
                assertEquals(List.of("group:online:1", "member:" + owner.id() + ":online", "group:offline:2",
                    "member:" + m1.id() + ":offline", "member:" + m2.id() + ":offline"), fresh);

                // a member who joins is inserted in place (offline, by name), and the copy stays right
                final TestNode.User m3 = node.register("list-bb-member");
                node.join(owner, channelId, m3);
                final JsonNode joined = s.next(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())
                    && n.path("d").path("ops").get(0).path("op").asText().equals("INSERT"), "the join's INSERT")
                    .path("d");
                assertEquals(4, joined.path("member_count").asInt(), joined.toString());
                apply(rows, joined);
                s.send(op14(guildId, channelId, 0, 99));
                final List<String> afterJoin = new ArrayList<>();
                apply(afterJoin, listUpdate(s));
                assertEquals(withoutHeaderCounts(afterJoin), withoutHeaderCounts(rows),
                    "INSERT put the new member where a SYNC has it");
                assertEquals("member:" + m3.id() + ":offline", rows.get(4), rows.toString());

                // a channel m1 may not see has a list of its own
                final String hidden = node.ok("POST", "guilds/" + guildId + "/channels", owner.token(),
                    "{\"name\":\"hidden\",\"type\":0,\"permission_overwrites\":[{\"id\":\"" + guildId
                        + "\",\"type\":0,\"deny\":\"" + VIEW_CHANNEL + "\"},{\"id\":\"" + m2.id()
                        + "\",\"type\":1,\"allow\":\"" + VIEW_CHANNEL + "\"}]}").path("id").asText();
                s.send(op14(guildId, hidden, 0, 99));
                // (the new channel changed the guild: the list it looked at is synced again first)
                final JsonNode restricted = s.next(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())
                    && !"everyone".equals(n.path("d").path("id").asText()), "the hidden channel's list").path("d");
                assertNotEquals("everyone", restricted.path("id").asText(), restricted.toString());
                assertEquals(2, restricted.path("member_count").asInt(), "the owner and m2: " + restricted);
                final List<String> hiddenRows = new ArrayList<>();
                apply(hiddenRows, restricted);
                assertFalse(hiddenRows.contains("member:" + m1.id() + ":offline"), hiddenRows.toString());

                // m3 (who may not see the hidden channel: its coming online does not touch that list) looks at the
                // channel everyone sees meanwhile: the guild has two lists open
                c2.identifyAndAwait(m3.token(), GUILDS, 1);
                c2.send(op14(guildId, channelId, 0, 99));
                assertEquals("everyone", c2.next(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())
                    && "SYNC".equals(n.path("d").path("ops").path(0).path("op").asText()), "m3's SYNC")
                    .path("d").path("id").asText());

                // a role the hidden channel lets in; the changed guild syncs the list again at the next op 14
                final String staff = node.ok("POST", "guilds/" + guildId + "/roles", owner.token(),
                    "{\"name\":\"staff\"}").path("id").asText();
                node.ok("PUT", "channels/" + hidden + "/permissions/" + staff, owner.token(),
                    "{\"type\":0,\"allow\":\"" + VIEW_CHANNEL + "\"}");
                s.send(op14(guildId, hidden, 0, 99));
                // (the rebuild's INVALIDATE + SYNC first, then the answer to this op 14: a SYNC alone)
                final JsonNode resynced = s.next(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())
                    && "SYNC".equals(n.path("d").path("ops").path(0).path("op").asText()), "the hidden list's SYNC")
                    .path("d");
                final String hiddenId = resynced.path("id").asText();
                hiddenRows.clear();
                apply(hiddenRows, resynced);
                // m1 gets the role: inserted in place in the hidden list, whose id stays (no rebuild, no SYNC; before,
                // a guild with two lists open was rebuilt and synced again on every member's change)
                node.ok("PUT", "guilds/" + guildId + "/members/" + m1.id() + "/roles/" + staff, owner.token(), null);
                final JsonNode inserted = s.next(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())
                    && hiddenId.equals(n.path("d").path("id").asText()), "m1 in the hidden list").path("d");
                final List<String> insertOps = new ArrayList<>();
                inserted.path("ops").forEach(op -> insertOps.add(op.path("op").asText()));
                assertTrue(insertOps.contains("INSERT") && !insertOps.contains("SYNC"), inserted.toString());
                assertEquals(3, inserted.path("member_count").asInt(), inserted.toString());
                apply(hiddenRows, inserted);
                assertTrue(hiddenRows.contains("member:" + m1.id() + ":offline"), hiddenRows.toString());
                s.send(op14(guildId, hidden, 0, 99));
                final List<String> hiddenFresh = new ArrayList<>();
                apply(hiddenFresh, s.next(n -> "GUILD_MEMBER_LIST_UPDATE".equals(n.path("t").asText())
                    && "SYNC".equals(n.path("d").path("ops").path(0).path("op").asText()), "a fresh SYNC")
                    .path("d"));
                assertEquals(withoutHeaderCounts(hiddenFresh), withoutHeaderCounts(hiddenRows),
                    "the INSERT put m1 where a SYNC has it");

                // bad ranges close with 4002
                s.send("{\"op\":14,\"d\":{\"guild_id\":\"" + guildId + "\",\"channels\":{\"" + channelId
                    + "\":[[0,500]]}}}");
                assertEquals(4002, s.awaitClose().code());
            }
        }
    }

    @Test
    void lazyGuildSendsPresenceOnlyToSubscribers()
    {
        try (TestNode node = new TestNode(2, null, c -> c.lazyGuildMembers(2)))
        {
            final TestNode.User owner = node.register("lazy-owner");
            final TestNode.User looker = node.register("lazy-looker");
            final TestNode.User bystander = node.register("lazy-bystander");
            final TestNode.User mover = node.register("lazy-mover");
            final JsonNode g = node.createGuild(owner, "lazy guild");
            final String guildId = g.path("id").asText();
            final String channelId = g.path("channels").get(0).path("id").asText();
            node.join(owner, channelId, looker);
            node.join(owner, channelId, bystander);
            node.join(owner, channelId, mover);
            try (GatewayTestClient look = GatewayTestClient.json(node.gatewayUrl());
                GatewayTestClient by = GatewayTestClient.json(node.gatewayUrl());
                GatewayTestClient move = GatewayTestClient.json(node.gatewayUrl()))
            {
                look.identifyAndAwait(looker.token(), GUILDS | GUILD_PRESENCES | TYPING, 1);
                by.identifyAndAwait(bystander.token(), GUILDS | GUILD_PRESENCES | TYPING, 1);
                look.send(op14(guildId, channelId, 0, 99));
                listUpdate(look);
                move.identifyAndAwait(mover.token(), GUILDS, 1);
                assertEquals("online", presenceOf(look, mover.id()).path("d").path("status").asText());
                move.send("{\"op\":3,\"d\":{\"status\":\"idle\",\"since\":null,\"activities\":[],\"afk\":false}}");
                assertEquals("idle", presenceOf(look, mover.id()).path("d").path("status").asText());
                node.ok("POST", "channels/" + channelId + "/typing", mover.token(), null);
                assertEquals(mover.id(), look.nextDispatch("TYPING_START").path("d").path("user_id").asText());
                node.ok("POST", "guilds/" + guildId + "/channels", owner.token(), "{\"name\":\"later\",\"type\":0}");
                final List<JsonNode> bySaw = by.until("CHANNEL_CREATE");
                assertFalse(bySaw.stream().anyMatch(n -> "PRESENCE_UPDATE".equals(n.path("t").asText())
                    && mover.id().equals(n.path("d").path("user").path("id").asText())),
                    "a lazy guild's presences go to subscribers only: " + bySaw);
                assertFalse(bySaw.stream().anyMatch(n -> "TYPING_START".equals(n.path("t").asText())),
                    "and its typing: " + bySaw);
                assertTrue(look.until("CHANNEL_CREATE").size() >= 1);
            }
        }
    }
}
