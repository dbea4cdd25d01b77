package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.guild.GuildAvailableEvent;
import net.dv8tion.jda.api.events.guild.GuildReadyEvent;
import net.dv8tion.jda.api.events.guild.GuildUnavailableEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.session.SessionDisconnectEvent;
import net.dv8tion.jda.api.events.session.SessionRecreateEvent;
import net.dv8tion.jda.api.events.session.SessionResumeEvent;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;
import net.dv8tion.jda.api.utils.cache.CacheFlag;

/**
 * A guild whose owner node is down, seen by real JDA bots on the survivors of a three-node cluster (embedded store,
 * child JVMs): node 1, which owns guild G, is killed with SIGKILL.
 * <ul>
 *   <li>A bot already following G on node 2 gets {@code GuildUnavailableEvent} when node 2 finds node 1 unreachable
 *       (Discord's {@code GUILD_DELETE {unavailable: true}}), and {@code GuildAvailableEvent} on the same session
 *       when node 1 is back: the restarted owner knew nothing of its interest.</li>
 *   <li>A bot that identifies on node 0 while node 1 is dead gets READY with G unavailable
 *       ({@code GUILD_DELETE {unavailable: true}}), and when node 1 is back, on the same session and without
 *       reconnecting, G's GUILD_CREATE ({@code GuildReadyEvent}: JDA's event for a guild of READY that arrives after
 *       it; discord.js emits {@code guildAvailable}).</li>
 *   <li>So does an unmodified discord.js client identifying on node 0 then: G unavailable after ready, then
 *       {@code guildAvailable} on the same session.</li>
 *   <li>All then receive messages posted in G, each after its GUILD_CREATE.</li>
 * </ul>
 */
class ClusterLateGuildsTest
{
    private static final int NODES = 3;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    private LocalCluster cluster;
    private final List<JDA> bots = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException
    {
        for (final JDA jda : bots)
        {
            jda.shutdownNow();
            jda.awaitShutdown(Duration.ofSeconds(10));
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    /**
     * The owner node restarts faster than the survivors' link notices (peerTimeoutMs 60 s here, no consensus): no
     * "unreachable" is ever seen, but the restarted owner forgot which shards follow its guilds. Its new link's
     * catch-up request tells the survivors: their sessions following its guilds get GUILD_DELETE unavailable and
     * GUILD_CREATE again, then the guild's events.
     */
    @Test
    void followersOfAGuildWhoseOwnerRestartedUnnoticedGetItAgain() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=60000",
            "-Dpinwheel.cluster.termLength=1048576", "-Dpinwheel.cluster.consensus=false")).startAll();
        for (int k = 0; k < NODES; k++)
        {
            cluster.node(k).awaitLine("node " + ((k + 1) % NODES) + " connected");
            cluster.node(k).awaitLine("node " + ((k + 2) % NODES) + " connected");
        }
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = rest2.register("bob");
        final String[] g = guildOfNode1(rest0, alice);
        final String guildId = g[0];
        final String channelId = g[1];
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");
        final LinkedBlockingQueue<GenericEvent> bobEvents = new LinkedBlockingQueue<>();
        final JDA bobBot = bot(bob, cluster.port(2), bobEvents);
        assertNotNull(bobBot.getGuildById(guildId));

        cluster.kill(1);
        cluster.start(1);
        cluster.node(1).awaitLine("asked node 2 for its node-wide records");
        next(bobEvents, GuildUnavailableEvent.class, e -> e.getGuild().getId().equals(guildId));
        next(bobEvents, GuildAvailableEvent.class, e -> e.getGuild().getId().equals(guildId));
        assertTrue(!Files.readString(cluster.node(2).log()).contains("node 1 unreachable"),
            "the restart went unnoticed by the link (the case this covers)");
        // node 2's late guilds in its /metrics: bob's G deferred, sent again, healed; nothing waits any more
        final RestClient metrics2 = new RestClient(cluster.node(2).restBase());
        assertTrue(sum(metrics2, alice, "pinwheel_cluster_late_guilds_deferred_total") >= 1, "deferred");
        assertTrue(sum(metrics2, alice, "pinwheel_cluster_late_guilds_retried_total") >= 1, "retried");
        assertTrue(sum(metrics2, alice, "pinwheel_cluster_late_guilds_healed_total") >= 1, "healed");
        assertEquals(0, sum(metrics2, alice, "pinwheel_cluster_late_guilds_dropped_total"), "dropped");
        rest2.ok("POST", "channels/" + channelId + "/messages", alice.token(), "{\"content\":\"after the restart\"}");
        assertEquals("after the restart", next(bobEvents, MessageReceivedEvent.class,
            e -> e.isFromGuild() && e.getAuthor().getId().equals(alice.id())).getMessage().getContentRaw());
        assertNoReconnect(bobEvents, "bob");
    }

    /**
     * @return the sum of a family's samples over its labels (one a shard) in the node's {@code /metrics}, read with
     *         the admin's token (alice: the first account).
     */
    private static long sum(final RestClient rest, final RestClient.User admin, final String family)
        throws IOException
    {
        long total = 0;
        boolean seen = false;
        for (final String line : rest.metrics(admin.token()).split("\n"))
        {
            if (line.startsWith(family + "{") || line.startsWith(family + " "))
            {
                total += (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
                seen = true;
            }
        }
        assertTrue(seen, "no " + family + " in /metrics");
        return total;
    }

    /** @return {guild id, its first channel's id} of a guild alice creates that node 1 owns. */
    private static String[] guildOfNode1(final RestClient rest, final RestClient.User owner) throws IOException
    {
        final JsonNode g = ClusterGuilds.ownedBy(rest, owner.token(),
            RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES), 1, "late");
        return new String[] {g.get("id").asText(), g.get("channels").get(0).get("id").asText()};
    }

    @Test
    void sessionsGetAGuildWhoseOwnerWasDownWhenItComesBackWithoutReconnecting() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=1000",
            "-Dpinwheel.cluster.termLength=1048576")).startAll();
        for (int k = 0; k < NODES; k++)
        {
            cluster.node(k).awaitLine("node " + ((k + 1) % NODES) + " connected");
            cluster.node(k).awaitLine("node " + ((k + 2) % NODES) + " connected");
        }
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = rest2.register("bob");
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "late");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");

        // bob follows G on node 2 before its owner dies
        final LinkedBlockingQueue<GenericEvent> bobEvents = new LinkedBlockingQueue<>();
        final JDA bobBot = bot(bob, cluster.port(2), bobEvents);
        assertNotNull(bobBot.getGuildById(guildId), "bob's JDA on node 2 has the guild of node 1");

        // node 1 dies
        final CompletableFuture<String> down0 = cluster.node(0).lineContaining("node 1 unreachable");
        final CompletableFuture<String> down2 = cluster.node(2).lineContaining("node 1 unreachable");
        cluster.kill(1);
        down0.get(60, TimeUnit.SECONDS);
        down2.get(60, TimeUnit.SECONDS);
        final GuildUnavailableEvent lost = next(bobEvents, GuildUnavailableEvent.class,
            e -> e.getGuild().getId().equals(guildId));
        assertNotNull(lost, "bob's session is told its guild is unavailable when its owner node is unreachable");

        // alice identifies on node 0 while G's owner is dead: READY, G unavailable
        final LinkedBlockingQueue<GenericEvent> aliceEvents = new LinkedBlockingQueue<>();
        final JDA aliceBot = bot(alice, cluster.port(0), aliceEvents);
        assertEquals(null, aliceBot.getGuildById(guildId), "G is unavailable to alice's new session");
        assertEquals(503, rest0.call("POST", "channels/" + channelId + "/messages", alice.token(),
            "{\"content\":\"while node 1 is down\"}").status());

        // and so does an unmodified discord.js client (bob's second session, on node 0)
        final Path flag = dir.resolve("late-js.flag");
        final Path js = dev.pinwheel.server.JsClients.prepare("late.js");
        final CompletableFuture<String> script = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return dev.pinwheel.server.JsClients.run(js, 240, java.util.Map.of(), "node", "late.js",
                    Integer.toString(cluster.port(0)), bob.token(), guildId, channelId, alice.id(), flag.toString());
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        awaitFlag(flag, "waiting", script);

        // node 1 comes back on its data directory: every session gets G, without reconnecting
        final CompletableFuture<String> up0 = cluster.node(0).lineContaining("node 1 connected");
        final CompletableFuture<String> up2 = cluster.node(2).lineContaining("node 1 connected");
        cluster.start(1);
        up0.get(60, TimeUnit.SECONDS);
        up2.get(60, TimeUnit.SECONDS);
        final long back = System.nanoTime();
        // JDA's event for a guild of READY that arrives after READY (discord.js: guildAvailable)
        final GuildReadyEvent aliceGot = next(aliceEvents, GuildReadyEvent.class,
            e -> e.getGuild().getId().equals(guildId));
        final long aliceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
        final GuildAvailableEvent bobGot = next(bobEvents, GuildAvailableEvent.class,
            e -> e.getGuild().getId().equals(guildId));
        System.out.println("ClusterLateGuildsTest: GUILD_CREATE on the waiting session " + aliceMs
            + " ms after the survivor saw node 1 connected");
        assertEquals(channelId, aliceGot.getGuild().getTextChannels().get(0).getId());
        assertNotNull(bobGot.getGuild().getMemberById(bob.id()));
        assertNotNull(aliceBot.getGuildById(guildId));
        assertTrue(!bobBot.isUnavailable(Long.parseLong(guildId)));

        // and then G's messages, on the same sessions
        rest2.ok("POST", "channels/" + channelId + "/messages", bob.token(), "{\"content\":\"from bob, after\"}");
        assertEquals("from bob, after", next(aliceEvents, MessageReceivedEvent.class,
            e -> e.isFromGuild() && e.getGuild().getId().equals(guildId)).getMessage().getContentRaw());
        awaitFlag(flag, "available", script);
        rest0.ok("POST", "channels/" + channelId + "/messages", alice.token(), "{\"content\":\"from alice, after\"}");
        assertEquals("from alice, after", next(bobEvents, MessageReceivedEvent.class,
            e -> e.isFromGuild() && e.getAuthor().getId().equals(alice.id())).getMessage().getContentRaw());
        final String out = script.get(180, TimeUnit.SECONDS);
        assertEquals(List.of("OK unavailable", "OK available", "OK heard from alice, after", "OK same session"),
            out.lines().filter(l -> l.startsWith("OK ")).toList(), out);
        assertNoReconnect(aliceEvents, "alice");
        assertNoReconnect(bobEvents, "bob");
    }

    /** Waits (bounded) until the discord.js script wrote {@code state} to its flag file: its only signal. */
    private static void awaitFlag(final Path flag, final String state, final CompletableFuture<String> script)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(flag) || !state.equals(Files.readString(flag)))
        {
            if (script.isDone())
            {
                throw new AssertionError("discord.js ended before '" + state + "': " + script.handle((out, ex) ->
                    ex != null ? ex.toString() : out).join());
            }
            assertTrue(System.nanoTime() - deadline < 0, "discord.js did not reach '" + state + "' within 120 s");
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private JDA bot(final RestClient.User user, final int port, final LinkedBlockingQueue<GenericEvent> events)
        throws InterruptedException
    {
        final JDA jda = jda(user, port, events::add);
        bots.add(jda);
        jda.awaitReady();
        return jda;
    }

    /**
     * @return a JDA bot (guild messages and their content) on a node's gateway and REST port, being built; the caller
     *         shuts it down.
     */
    static JDA jda(final RestClient.User user, final int port, final EventListener listener)
    {
        return JDABuilder.createDefault(user.token(), EnumSet.of(GatewayIntent.GUILD_MESSAGES,
                GatewayIntent.MESSAGE_CONTENT))
            .disableCache(CacheFlag.VOICE_STATE, CacheFlag.EMOJI, CacheFlag.STICKER, CacheFlag.SCHEDULED_EVENTS)
            .setRestConfig(new RestConfig().setBaseUrl("http://127.0.0.1:" + port + "/api/v10/"))
            .setSessionController(new SessionControllerAdapter()
            {
                @Override
                public String getGateway()
                {
                    return "ws://127.0.0.1:" + port;
                }
            })
            .addEventListeners(listener)
            .build();
    }

    /** The sessions never dropped: no disconnect, resume or new session event in all that the bot received. */
    private static void assertNoReconnect(final LinkedBlockingQueue<GenericEvent> events, final String who)
    {
        for (final GenericEvent e : events)
        {
            assertTrue(!(e instanceof SessionDisconnectEvent) && !(e instanceof SessionResumeEvent)
                && !(e instanceof SessionRecreateEvent), who + "'s session reconnected: " + e);
        }
    }

    /** @return the next event of that type matching, skipping the others (they stay out of the queue). */
    private static <T extends GenericEvent> T next(final LinkedBlockingQueue<GenericEvent> events, final Class<T> type,
        final Predicate<T> match) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        final List<GenericEvent> skipped = new ArrayList<>();
        try
        {
            while (true)
            {
                final GenericEvent e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(e, "no " + type.getSimpleName() + " within 60 s; saw " + skipped);
                if (type.isInstance(e) && match.test(type.cast(e)))
                {
                    return type.cast(e);
                }
                skipped.add(e);
            }
        }
        finally
        {
            // kept for assertNoReconnect (only session events matter there)
            for (final GenericEvent e : skipped)
            {
                if (e instanceof SessionDisconnectEvent || e instanceof SessionResumeEvent
                    || e instanceof SessionRecreateEvent)
                {
                    events.add(e);
                }
            }
        }
    }
}
