package dev.pinwheel.server.voice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.server.PinwheelServer;
import dev.pinwheel.server.TestNode;
import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.voicesfu.signal.SelfSignedCertificate;

/**
 * A Pinwheel node with voice on: ephemeral TLS and UDP ports on 127.0.0.1, two media loops that block when
 * idle, the encryption modes under test, and one self-signed keystore shared by every test of the run.
 */
public final class VoiceNode implements AutoCloseable
{
    private static final Path KEYSTORE = Path.of(System.getProperty("java.io.tmpdir"), "pinwheel-voice-tls",
        "voice-tls.p12");
    private final TestNode node;

    public VoiceNode(final String modes) throws IOException
    {
        final String pw = SelfSignedCertificate.ensure(KEYSTORE, "127.0.0.1");
        node = new TestNode(2, null, c -> { }, b ->
        {
            b.voiceEnabled(true);
            b.voice().host("127.0.0.1").gatewayPort(0).udpPort(0).mediaLoops(2).mediaIdle(IdleMode.BLOCK)
                .modes(modes).keystore(KEYSTORE, pw);
        });
    }

    public PinwheelServer server()
    {
        return node.server();
    }

    public String restBase()
    {
        return node.restBase();
    }

    public String gatewayUrl()
    {
        return node.gatewayUrl();
    }

    public int port()
    {
        return node.port();
    }

    /**
     * @return the PEM file of the voice gateway's self-signed certificate (for {@code NODE_EXTRA_CA_CERTS}).
     */
    public static Path certificate()
    {
        return SelfSignedCertificate.pemOf(KEYSTORE).toAbsolutePath();
    }

    /**
     * @return an SSL context that trusts the voice gateway's self-signed certificate (and nothing else).
     */
    public static SSLContext trustingVoiceCertificate()
    {
        try (InputStream in = Files.newInputStream(SelfSignedCertificate.pemOf(KEYSTORE)))
        {
            final KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("pinwheel-voice", CertificateFactory.getInstance("X.509")
                .generateCertificate(in));
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            final SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        }
        catch (final IOException | java.security.GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public TestNode.User register(final String username)
    {
        return node.register(username);
    }

    /**
     * Guild owned by {@code owner} with {@code member} joined and a voice channel.
     *
     * @return {guildId, textChannelId, voiceChannelId}.
     */
    public String[] guildWithVoice(final TestNode.User owner, final TestNode.User member)
    {
        final JsonNode g = node.createGuild(owner, "voice");
        final String guildId = g.get("id").asText();
        final String text = g.get("channels").get(0).get("id").asText();
        node.join(owner, text, member);
        final JsonNode vc = node.ok("POST", "guilds/" + guildId + "/channels", owner.token(),
            "{\"name\":\"lounge\",\"type\":2,\"bitrate\":64000}");
        return new String[] {guildId, text, vc.get("id").asText()};
    }

    @Override
    public void close()
    {
        node.close();
    }
}
