package dev.pinwheel.server.voice;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pinwheel.gateway.GatewayConfig;
import dev.pinwheel.server.PinwheelServer;
import dev.pinwheel.server.TestNode;
import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.tuning.TuningProfile;
import dev.pinwheel.voicesfu.signal.SelfSignedCertificate;

/**
 * A Pinwheel node with voice on: ephemeral TLS and UDP ports on 127.0.0.1, two media loops that block when
 * idle, the encryption modes under test, and one self-signed keystore shared by every test of the run.
 */
final class VoiceNode implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path KEYSTORE = Path.of(System.getProperty("java.io.tmpdir"), "pinwheel-voice-tls",
        "voice-tls.p12");
    private final Path dataDir;
    private final PinwheelServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    VoiceNode(final String modes) throws IOException
    {
        final String pw = SelfSignedCertificate.ensure(KEYSTORE, "127.0.0.1");
        dataDir = Files.createTempDirectory("pinwheel-voice");
        final PinwheelServer.Builder b = PinwheelServer.builder().dataDir(dataDir).shards(2).ringSize(1024)
            .profile(TuningProfile.CI)
            .gateway(new GatewayConfig().host("127.0.0.1").port(0).pbkdf2Iterations(1000))
            .voiceEnabled(true);
        b.voice().host("127.0.0.1").gatewayPort(0).udpPort(0).mediaLoops(2).mediaIdle(IdleMode.BLOCK).modes(modes)
            .keystore(KEYSTORE, pw);
        server = b.start();
    }

    PinwheelServer server()
    {
        return server;
    }

    String restBase()
    {
        return "http://127.0.0.1:" + server.port() + "/api/v10/";
    }

    String gatewayUrl()
    {
        return "ws://127.0.0.1:" + server.port();
    }

    /**
     * @return an SSL context that trusts the voice gateway's self-signed certificate (and nothing else).
     */
    static SSLContext trustingVoiceCertificate()
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

    TestNode.Response call(final String method, final String path, final String token, final String body)
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(restBase() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            b.header("Content-Type", "application/json");
        }
        if (token != null)
        {
            b.header("Authorization", "Bot " + token);
        }
        try
        {
            final HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            final JsonNode json = res.body() == null || res.body().isEmpty() ? null : JSON.readTree(res.body());
            return new TestNode.Response(res.statusCode(), json, res);
        }
        catch (final IOException e)
        {
            throw new IllegalStateException(e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode ok(final String method, final String path, final String token, final String body)
    {
        final TestNode.Response r = call(method, path, token, body);
        if (r.status() / 100 != 2)
        {
            throw new AssertionError(method + " " + path + " -> " + r.status() + " " + r.raw().body());
        }
        return r.body();
    }

    TestNode.User register(final String username)
    {
        final JsonNode r = ok("POST", "auth/register", null,
            "{\"username\":\"" + username + "\",\"password\":\"password-" + username + "\",\"bot\":true}");
        return new TestNode.User(r.get("user").get("id").asText(), username, r.get("token").asText());
    }

    /**
     * Guild owned by {@code owner} with {@code member} joined and a voice channel.
     *
     * @return {guildId, textChannelId, voiceChannelId}.
     */
    String[] guildWithVoice(final TestNode.User owner, final TestNode.User member)
    {
        final JsonNode g = ok("POST", "guilds", owner.token(), "{\"name\":\"voice\"}");
        final String guildId = g.get("id").asText();
        final String text = g.get("channels").get(0).get("id").asText();
        final String code = ok("POST", "channels/" + text + "/invites", owner.token(), "{}").get("code").asText();
        ok("POST", "invites/" + code, member.token(), "{}");
        final JsonNode vc = ok("POST", "guilds/" + guildId + "/channels", owner.token(),
            "{\"name\":\"lounge\",\"type\":2,\"bitrate\":64000}");
        return new String[] {guildId, text, vc.get("id").asText()};
    }

    @Override
    public void close()
    {
        server.close();
        TestNode.deleteTree(dataDir);
    }
}
