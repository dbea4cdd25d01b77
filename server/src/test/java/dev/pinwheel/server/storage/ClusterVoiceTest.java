package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.server.JsClients;
import dev.pinwheel.voicesfu.signal.SelfSignedCertificate;

/**
 * Voice across nodes: three nodes in child JVMs (embedded store, one shard each, voice on), a guild owned by node 1,
 * and two unmodified discord.js clients with {@code @discordjs/voice} — A on node 0's REST and gateway, B on node 2's
 * — in one of its voice channels. Each op 4 crosses to the owner node, whose voice server admits the session; both
 * clients get a VOICE_SERVER_UPDATE (through their own node) naming node 1's voice gateway, identify there with a
 * session that lives on another node, and B receives A's Opus, encrypted per receiver and forwarded by node 1's SFU,
 * byte for byte and in order ({@code voice.js}). Nodes 0 and 2 forward nothing.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ClusterVoiceTest
{
    private static final int NODES = 3;
    private static final int SEQUENCE = 50;
    private static final String MODE = "aead_aes256_gcm_rtpsize";
    /** The keystore every voice test of the run shares ({@code VoiceNode} makes the same one). */
    private static final Path KEYSTORE = Path.of(System.getProperty("java.io.tmpdir"), "pinwheel-voice-tls",
        "voice-tls.p12");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[NODES];

    @AfterEach
    void stop()
    {
        for (final ServerProcess p : nodes)
        {
            if (p != null)
            {
                p.close();
            }
        }
    }

    @Test
    void twoUsersOnTwoNodesTalkInAVoiceChannelOfAThirdNode() throws Exception
    {
        final Path js = JsClients.prepare("voice.js");
        final String password = SelfSignedCertificate.ensure(KEYSTORE, "127.0.0.1");
        final String members = ClusterNodesTest.freeMemberPorts(NODES);
        final int[] ports = new int[NODES];
        final int[] voicePorts = new int[NODES];
        for (int k = 0; k < NODES; k++)
        {
            ports[k] = ServerProcess.freePort();
            voicePorts[k] = ServerProcess.freePort();
        }
        final CompletableFuture<?>[] starting = new CompletableFuture<?>[NODES];
        for (int k = 0; k < NODES; k++)
        {
            final int node = k;
            final Path data = dir.resolve("node-" + k);
            Files.createDirectories(data);
            nodes[k] = ServerProcess.start(data, 1, "os", dir.resolve("node-" + k + ".log"), 120,
                List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576",
                    "-Dpinwheel.voice.enabled=true", "-Dpinwheel.voice.host=127.0.0.1",
                    "-Dpinwheel.voice.gateway-port=" + voicePorts[node], "-Dpinwheel.voice.udp-port=0",
                    "-Dpinwheel.voice.media-loops=1", "-Dpinwheel.voice.media-idle=BLOCK",
                    "-Dpinwheel.voice.modes=" + MODE, "-Dpinwheel.voice.tls.keystore=" + KEYSTORE,
                    "-Dpinwheel.voice.tls.password=" + password),
                ports[k], List.of("--node-id", Integer.toString(k), "--members", members));
            starting[k] = nodes[k].lineContaining("live nodes [0, 1, 2]");
        }
        for (int k = 0; k < NODES; k++)
        {
            if (!Files.readString(nodes[k].log()).contains("live nodes [0, 1, 2]"))
            {
                starting[k].get(60, TimeUnit.SECONDS);
            }
        }
        final RestClient rest0 = new RestClient(nodes[0].restBase());
        final RestClient rest2 = new RestClient(nodes[2].restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = rest2.register("bob");
        // a guild owned by node 1 (the ring every node builds: 3 nodes × 1 shard)
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "voice");
        final String guildId = guild.get("id").asText();
        final String text = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + text + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");
        final String voice = rest0.ok("POST", "guilds/" + guildId + "/channels", alice.token(),
            "{\"name\":\"lounge\",\"type\":2,\"bitrate\":64000}").get("id").asText();

        final String out = JsClients.run(js, 150,
            Map.of("NODE_EXTRA_CA_CERTS", SelfSignedCertificate.pemOf(KEYSTORE).toAbsolutePath().toString()),
            "node", "voice.js", ports[0] + "," + ports[2], guildId, voice, alice.token(), bob.token(), MODE);
        System.out.print(out);
        assertEquals(List.of("OK ready", "OK mode " + MODE, "OK speaking", "OK received " + SEQUENCE, "OK order",
            "OK destroyed"), out.lines().filter(l -> l.startsWith("OK ")).toList(), out);
        assertFalse(out.contains("FAIL"), out);
        final String owners = "localhost:" + voicePorts[1];
        final List<String> endpoints = out.lines().filter(l -> l.startsWith("INFO endpoint ")).toList();
        assertTrue(endpoints.contains("INFO endpoint a " + owners), "A (on node 0) sent to node 1's voice: " + out);
        assertTrue(endpoints.contains("INFO endpoint b " + owners), "B (on node 2) sent to node 1's voice: " + out);
        assertEquals(2, endpoints.size(), out);

        // node 1's SFU forwarded A's packets to B; the nodes the sessions live on carried no media
        assertTrue(forwarded(ports[1], alice.token()) >= SEQUENCE, "node 1 forwarded");
        assertEquals(0, forwarded(ports[0], alice.token()), "node 0 forwarded");
        assertEquals(0, forwarded(ports[2], alice.token()), "node 2 forwarded");
    }

    /** @return the node's packets forwarded to voice receivers, over its media loops. */
    private static long forwarded(final int port, final String adminToken) throws Exception
    {
        final String body = new RestClient("http://127.0.0.1:" + port + "/api/v10/").metrics(adminToken);
        long n = 0;
        boolean seen = false;
        for (final String line : body.split("\n"))
        {
            if (line.startsWith("pinwheel_voice_forwarded_total"))
            {
                n += (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                seen = true;
            }
        }
        assertTrue(seen, "pinwheel_voice_forwarded_total in /metrics on port " + port);
        return n;
    }
}
