package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Every REST route the node serves (its own route table, so a new route is covered the day it is added), called with
 * bad input: bodies that are not JSON objects or carry wrong types, query parameters that are not numbers or out of
 * range, ids that are not ids (text, negative, 0, too large), with and without a token; for the channel routes with a
 * guild channel and with a DM channel. Every call must be answered, in time, without a 5xx (503 aside: "try later" is
 * an answer), and every 4xx with Discord's JSON error body ({@code code} and {@code message}, or {@code retry_after}).
 * A fuzz of this kind found {@code GET /channels/{c}/messages/0}: neither answered nor sent to the owner, the request
 * hung until its client gave up ({@code RestErrorBodiesTest} keeps that case by name).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RestRoutesFuzzTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A call not answered within this is a hang (the owner timeout answers 504 after 30 s; nothing here waits). */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

    private static TestNode node;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Map<String, String> GUILD_PARAMS = new LinkedHashMap<>();
    private static final Map<String, String> DM_PARAMS = new LinkedHashMap<>();
    private static String token;

    private static final List<String> BODIES = List.of("", "{", "[]", "\"x\"", "1", "null", "{\"a\":",
        "{\"name\":123,\"content\":{},\"position\":\"x\",\"roles\":\"x\",\"limit\":-1,\"permissions\":\"abc\","
            + "\"color\":\"red\",\"type\":\"x\",\"nick\":[],\"topic\":5,\"parent_id\":\"abc\",\"embeds\":\"x\","
            + "\"message_reference\":\"x\",\"allowed_mentions\":[],\"components\":{},\"messages\":\"x\","
            + "\"user_ids\":\"x\",\"delete_message_seconds\":\"x\",\"recipient_id\":{},\"read_states\":{},"
            + "\"max_age\":\"x\",\"max_uses\":-5,\"channel_id\":[],\"communication_disabled_until\":5,"
            + "\"permission_overwrites\":\"x\",\"rate_limit_per_user\":\"x\",\"hoist\":\"x\",\"icon\":5,"
            + "\"avatar\":5,\"username\":[],\"flags\":\"x\",\"tts\":\"x\",\"nonce\":{},\"attachments\":\"x\","
            + "\"options\":\"x\",\"description\":5,\"default_member_permissions\":\"x\",\"owner_id\":\"x\"}",
        "[{\"position\":\"x\",\"id\":\"abc\"},{\"id\":null},5]",
        "{\"messages\":[\"abc\",null,1e30],\"user_ids\":[null,\"x\"],\"roles\":[null,\"abc\",5],"
            + "\"content\":\"\\ud800\"}",
        "{\"position\":1e300,\"limit\":1e300,\"color\":-1,\"permissions\":\"-1\",\"max_age\":-1,"
            + "\"delete_message_seconds\":1e20,\"rate_limit_per_user\":99999999999,\"name\":\"" + "n".repeat(5000)
            + "\",\"content\":\"" + "c".repeat(5000) + "\"}");
    private static final List<String> QUERIES = List.of("?limit=abc", "?limit=-5", "?limit=0", "?limit=1000000",
        "?before=xyz", "?after=", "?around=1e5", "?query=&limit=x", "?with_counts=maybe",
        "?user_id=abc&action_type=x", "?before=-1&after=-1");
    private static final List<String> BAD_IDS = List.of("abc", "-1", "0", "99999999999999999999999", "1.5");

    @BeforeAll
    static void start()
    {
        node = new TestNode(1, null, cfg -> cfg.messagesPer5Seconds(1_000_000).restRequestsPerSecond(1_000_000));
        final TestNode.User owner = node.register("fuzz-owner", false);
        final TestNode.User member = node.register("fuzz-member", false);
        token = owner.token();
        final JsonNode guild = node.createGuild(owner, "fuzz guild");
        final String guildId = guild.path("id").asText();
        final String channelId = guild.path("channels").get(0).path("id").asText();
        node.join(owner, channelId, member);
        final String code = node.ok("POST", "channels/" + channelId + "/invites", token, "{}").path("code").asText();
        final String message = node.ok("POST", "channels/" + channelId + "/messages", token,
            "{\"content\":\"hello\"}").path("id").asText();
        final String role = node.ok("POST", "guilds/" + guildId + "/roles", token, "{\"name\":\"fuzzed\"}").path("id")
            .asText();
        final JsonNode hook = node.ok("POST", "channels/" + channelId + "/webhooks", token, "{\"name\":\"hook\"}");
        final String app = node.ok("POST", "applications", token, "{\"name\":\"fuzz app\"}").path("id").asText();
        final String dm = node.ok("POST", "users/@me/channels", token, "{\"recipient_id\":\"" + member.id() + "\"}")
            .path("id").asText();
        final String dmMessage = node.ok("POST", "channels/" + dm + "/messages", token, "{\"content\":\"dm\"}")
            .path("id").asText();
        GUILD_PARAMS.putAll(Map.of("guild", guildId, "channel", channelId, "message", message, "role", role,
            "user", member.id(), "overwrite", role, "code", code, "emoji", "%F0%9F%91%8D", "app", app));
        GUILD_PARAMS.putAll(Map.of("webhook", hook.path("id").asText(), "token", hook.path("token").asText("x"),
            "command", "1", "interaction", "1"));
        DM_PARAMS.putAll(GUILD_PARAMS);
        DM_PARAMS.put("channel", dm);
        DM_PARAMS.put("message", dmMessage);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void everyRouteAnswersBadInputWithAClientErrorInTime() throws Exception
    {
        final List<String> routes = new ArrayList<>(node.server().gateway().routes());
        assertTrue(routes.size() >= 100, "the node's own route table: " + routes);
        // what deletes the fixtures goes last, the guild and its channel at the very end
        routes.sort(Comparator.comparingInt(RestRoutesFuzzTest::destructiveness).thenComparing(r -> r));
        final List<String> failures = new ArrayList<>();
        int calls = 0;
        for (final String route : routes)
        {
            final String method = route.substring(0, route.indexOf(' '));
            final String template = route.substring(route.indexOf(' ') + 1);
            for (final Map<String, String> params : template.contains("{channel}") ? List.of(GUILD_PARAMS, DM_PARAMS)
                : List.of(GUILD_PARAMS))
            {
                final String path = fill(template, params, -1, null);
                calls += check(failures, method, path, null, null);
                calls += check(failures, method, path, null, token);
                for (final String body : BODIES)
                {
                    calls += check(failures, method, path, body, token);
                }
                if ("GET".equals(method))
                {
                    for (final String query : QUERIES)
                    {
                        calls += check(failures, method, path + query, null, token);
                    }
                }
                final String[] segments = template.substring(1).split("/");
                for (int i = 0; i < segments.length; i++)
                {
                    if (segments[i].startsWith("{"))
                    {
                        for (final String bad : BAD_IDS)
                        {
                            calls += check(failures, method, fill(template, params, i, bad), "{}", token);
                        }
                    }
                }
            }
        }
        System.out.println("RestRoutesFuzzTest: " + routes.size() + " routes, " + calls + " calls, " + failures.size()
            + " failed");
        assertTrue(failures.isEmpty(), failures.size() + " of " + calls + " calls:\n" + String.join("\n",
            failures.subList(0, Math.min(40, failures.size()))));
    }

    private static int destructiveness(final String route)
    {
        if (!route.startsWith("DELETE "))
        {
            return 0;
        }
        return switch (route.substring("DELETE ".length()))
        {
            case "/guilds/{guild}" -> 4;
            case "/channels/{channel}" -> 3;
            case "/users/@me/guilds/{guild}" -> 2;
            default -> 1;
        };
    }

    private static String fill(final String template, final Map<String, String> params, final int replace,
        final String with)
    {
        final String[] segments = template.substring(1).split("/");
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < segments.length; i++)
        {
            final String s = segments[i];
            out.append('/').append(i == replace ? with : s.startsWith("{") ? params.getOrDefault(s.substring(1,
                s.length() - 1), "1") : s);
        }
        return out.toString();
    }

    /** @return 1 (one call made); a failure is noted. */
    private static int check(final List<String> failures, final String method, final String path, final String body,
        final String auth)
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.restBase() + path.substring(1)))
            .timeout(ANSWER_WITHIN).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            b.header("Content-Type", "application/json");
        }
        if (auth != null)
        {
            b.header("Authorization", auth);
        }
        final String what = method + " " + path + (body == null ? "" : " " + body.substring(0, Math.min(40,
            body.length()))) + (auth == null ? " (no token)" : "");
        try
        {
            final HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            final int status = r.statusCode();
            if (status >= 500 && status != 503)
            {
                failures.add(what + " -> " + status + " " + r.body());
            }
            else if (status >= 400)
            {
                final JsonNode e = r.body().isEmpty() ? null : JSON.readTree(r.body());
                if (e == null || !(e.path("code").isIntegralNumber() && e.path("message").isTextual()
                    || e.has("retry_after")))
                {
                    failures.add(what + " -> " + status + " without Discord's error body: " + r.body());
                }
            }
        }
        catch (final java.net.http.HttpTimeoutException ex)
        {
            failures.add(what + " -> no answer within " + ANSWER_WITHIN.toSeconds() + " s");
        }
        catch (final java.io.IOException ex)
        {
            failures.add(what + " -> " + ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        return 1;
    }
}
