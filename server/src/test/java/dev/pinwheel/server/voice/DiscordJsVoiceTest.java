package dev.pinwheel.server.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pinwheel.server.JsClients;
import dev.pinwheel.server.TestNode;
import dev.pinwheel.voicesfu.media.MediaCounter;
import dev.pinwheel.voicesfu.media.MediaCounters;

/**
 * Two unmodified discord.js 14 clients with {@code @discordjs/voice} (from npm, see {@link JsClients}) in one
 * voice channel over the real voice gateway (wss, the node's self-signed certificate trusted through
 * {@code NODE_EXTRA_CA_CERTS}) and UDP, once per encryption mode: the node offers only that mode, so the library
 * has to negotiate it. A plays pre-encoded Opus packets ({@code StreamType.Opus}, never re-encoded), B's
 * {@code VoiceReceiver} gets every one byte for byte and in order, mapped to A by the relayed SPEAKING. DAVE is
 * off ({@code daveEncryption: false}); no Opus codec library is installed. The checks are in
 * {@code src/test/resources/discordjs/voice.js}.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DiscordJsVoiceTest
{
    private static final int SEQUENCE = 50;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aead_aes256_gcm_rtpsize", "aead_xchacha20_poly1305_rtpsize"})
    void discordJsVoiceSendsAndReceivesOpus(final String mode) throws Exception
    {
        final Path dir = JsClients.prepare("voice.js");
        try (VoiceNode node = new VoiceNode(mode))
        {
            final Path certificate = VoiceNode.certificate();
            assertTrue(Files.isRegularFile(certificate), "voice certificate " + certificate);
            final TestNode.User alice = node.register("alice");
            final TestNode.User bob = node.register("bob");
            final String[] ids = node.guildWithVoice(alice, bob);
            final String out = JsClients.run(dir, 120, Map.of("NODE_EXTRA_CA_CERTS", certificate.toString()),
                "node", "voice.js", Integer.toString(node.port()), ids[0], ids[2], alice.token(), bob.token(), mode);
            System.out.print(out);
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK ready", "OK mode " + mode, "OK speaking", "OK received " + SEQUENCE, "OK order",
                "OK destroyed"), ok, out);
            assertFalse(out.contains("FAIL"), out);

            final MediaCounters counters = node.server().voice().counters();
            assertTrue(counters.get(MediaCounter.FORWARDED) >= SEQUENCE, "forwarded " + counters.get(
                MediaCounter.FORWARDED) + "\n" + out);
        }
    }
}
