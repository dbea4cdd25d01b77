package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.OnlineStatus;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.MemberCachePolicy;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;
import net.dv8tion.jda.api.utils.cache.CacheFlag;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.JsClients;
import dev.pinwheel.server.TestNode;

/**
 * Presence judged by two unmodified libraries at once: discord.js client A calls
 * {@code client.user.setPresence({status: 'dnd'})}; discord.js client B sees {@code presenceUpdate} with dnd and the
 * activity, and JDA (a third member, GUILD_PRESENCES and the ONLINE_STATUS cache) agrees through
 * {@code member.getOnlineStatus()}; when A disconnects, both see it offline.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PresenceCompatibilityTest
{
    @Test
    void discordJsAndJdaAgreeOnPresence() throws Exception
    {
        final Path js = JsClients.prepare("presence.js");
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User a = node.register("presence_js_a");
            final TestNode.User b = node.register("presence_js_b");
            final TestNode.User c = node.register("presence_jda_c");
            final JsonNode g = node.createGuild(c, "presence guild");
            final String guildId = g.path("id").asText();
            final String channelId = g.path("channels").get(0).path("id").asText();
            node.join(c, channelId, a);
            node.join(c, channelId, b);

            final JDA jda = JDABuilder.createDefault(c.token(), EnumSet.of(GatewayIntent.GUILD_MEMBERS,
                    GatewayIntent.GUILD_PRESENCES))
                .enableCache(CacheFlag.ONLINE_STATUS, CacheFlag.ACTIVITY)
                .setMemberCachePolicy(MemberCachePolicy.ALL)
                .setRestConfig(new RestConfig().setBaseUrl(node.restBase()))
                .setSessionController(new SessionControllerAdapter()
                {
                    @Override
                    public String getGateway()
                    {
                        return node.gatewayUrl();
                    }
                })
                .build();
            Process p = null;
            try
            {
                jda.awaitReady();
                assertEquals(OnlineStatus.OFFLINE, status(jda, guildId, a.id()), "A has not connected yet");
                p = new ProcessBuilder("node", "presence.js", Integer.toString(node.port()), a.token(), b.token(),
                    guildId, a.id()).directory(js.toFile()).redirectErrorStream(true).start();
                final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                final List<String> all = new ArrayList<>();
                final Process proc = p;
                Thread.ofPlatform().daemon().start(() ->
                {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                        StandardCharsets.UTF_8)))
                    {
                        for (String line = r.readLine(); line != null; line = r.readLine())
                        {
                            lines.add(line);
                        }
                    }
                    catch (final java.io.IOException ignored)
                    {
                        // the process ended
                    }
                    lines.add("EOF");
                });
                awaitLine(lines, all, "OK online");
                awaitLine(lines, all, "OK dnd");
                awaitCondition(() -> status(jda, guildId, a.id()) == OnlineStatus.DO_NOT_DISTURB,
                    "JDA sees A as DO_NOT_DISTURB");
                final Member member = jda.getGuildById(guildId).getMemberById(a.id());
                assertEquals("the pinwheel", member.getActivities().get(0).getName());
                final OutputStream in = p.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                awaitLine(lines, all, "OK offline");
                awaitCondition(() -> status(jda, guildId, a.id()) == OnlineStatus.OFFLINE, "JDA sees A offline");
                assertEquals(true, p.waitFor(30, TimeUnit.SECONDS), "the script ends");
                assertEquals(0, p.exitValue(), String.join("\n", all));
            }
            finally
            {
                if (p != null)
                {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
                JdaBots.stop(jda);
            }
        }
    }

    private static OnlineStatus status(final JDA jda, final String guildId, final String userId)
    {
        final Member m = jda.getGuildById(guildId).getMemberById(userId);
        return m == null ? null : m.getOnlineStatus();
    }

    private static void awaitLine(final BlockingQueue<String> lines, final List<String> all, final String wanted)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals("EOF"))
            {
                throw new AssertionError("no \"" + wanted + "\" from presence.js:\n" + String.join("\n", all));
            }
            all.add(line);
            if (line.equals(wanted))
            {
                return;
            }
        }
    }

    private static void awaitCondition(final BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(20);
        }
    }
}
