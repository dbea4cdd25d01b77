package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.GatewayServer;
import dev.pinwheel.server.TestNode;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.EmbeddedStoreFactory;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Every REST request gets an answer, on one keep-alive connection, when the work on the owner shard fails: the real
 * node (embedded stores, two shards) with stores told to refuse writes the way a full disk makes them refuse, or to
 * throw. Answers are Discord's {@code {code, message}} bodies: 507 for a full disk, 503 (+ Retry-After) for a faulted
 * store, 500 for anything else; the connection keeps serving afterwards, and writes succeed again once the cause is
 * gone.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RestFailureAnswersTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One HTTP/1.1 response. */
    private record Answer(int status, Map<String, String> headers, JsonNode body)
    {
    }

    /** HTTP/1.1 over one socket: every request on the same TCP connection. */
    private static final class KeepAlive implements AutoCloseable
    {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        KeepAlive(final int port) throws IOException
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(20_000); // a request that gets no answer fails the test instead of hanging it
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Answer call(final String method, final String path, final String token, final String body) throws IOException
        {
            final byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            final StringBuilder req = new StringBuilder();
            req.append(method).append(" /api/v10/").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            if (token != null)
            {
                req.append("Authorization: Bot ").append(token).append("\r\n");
            }
            req.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n\r\n");
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            final String status = line();
            final Map<String, String> headers = new HashMap<>();
            for (String h = line(); !h.isEmpty(); h = line())
            {
                final int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            final byte[] payload = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new Answer(Integer.parseInt(status.split(" ")[1]), headers,
                payload.length == 0 ? null : JSON.readTree(payload));
        }

        private String line() throws IOException
        {
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read())
            {
                if (c < 0)
                {
                    throw new IOException("connection closed");
                }
                if (c != '\r')
                {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    @Test
    void failedWritesAreAnsweredAndTheConnectionKeepsWorking() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-refusals");
        final RefusingStore[] stores = new RefusingStore[2];
        final EmbeddedStoreFactory embedded = new EmbeddedStoreFactory(dir, Durability.OS);
        final GatewayServer node = new GatewayServer(
            new GatewayConfig().host("127.0.0.1").port(0).pbkdf2Iterations(1000), 0, 2, 1024,
            new RoutingTable(RoutingRing.build(1, 1, 2, RoutingRing.DEFAULT_VIRTUAL_NODES), (v, p, o) -> { }),
            shard -> stores[shard] = new RefusingStore(embedded.open(shard)), ThreadPlacement.unpinned());
        final Path files = node.context().files().directory(); // none configured: a temporary one
        try (KeepAlive http = new KeepAlive(node.port()))
        {
            final Answer user = http.call("POST", "auth/register", null,
                "{\"username\":\"refused\",\"password\":\"password-refused\",\"bot\":true}");
            assertEquals(200, user.status() / 100 * 100, "registered: " + user);
            final String token = user.body().get("token").asText();
            final Answer guild = http.call("POST", "guilds", token, "{\"name\":\"refusals\"}");
            final String channel = guild.body().get("channels").get(0).get("id").asText();
            final String post = "channels/" + channel + "/messages";

            refuse(stores, new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "disk full"));
            final Answer full = http.call("POST", post, token, "{\"content\":\"one\"}");
            assertEquals(507, full.status());
            assertEquals(0, full.body().get("code").asInt());
            assertTrue(full.body().get("message").asText().contains("disk is full"), full.body().toString());
            assertEquals("application/json", full.headers().get("content-type"));
            assertEquals(200, http.call("GET", post, token, null).status(), "reads still work, same connection");
            final Answer noAccount = http.call("POST", "auth/register", null,
                "{\"username\":\"later\",\"password\":\"password-later\",\"bot\":true}");
            assertEquals(507, noAccount.status(), "a refused registration is answered too");

            refuse(stores, new StoreUnavailableException(StoreUnavailableException.Reason.FAULTED, "I/O error"));
            final Answer faulted = http.call("POST", post, token, "{\"content\":\"two\"}");
            assertEquals(503, faulted.status());
            assertEquals("30", faulted.headers().get("retry-after"));
            assertTrue(faulted.body().get("message").asText().contains("faulted"), faulted.body().toString());

            refuse(stores, new IllegalStateException("a bug in the owner's work"));
            final Answer bug = http.call("POST", post, token, "{\"content\":\"three\"}");
            assertEquals(500, bug.status());
            assertEquals(0, bug.body().get("code").asInt());

            refuse(stores, null);
            assertEquals(200, http.call("POST", post, token, "{\"content\":\"four\"}").status(), "space freed");
            final Answer history = http.call("GET", post, token, null);
            assertEquals(1, history.body().size(), "only the accepted message is there: " + history.body());
            assertEquals("four", history.body().get(0).get("content").asText());
            assertEquals(200, http.call("POST", "auth/register", null,
                "{\"username\":\"later\",\"password\":\"password-later\",\"bot\":true}").status() / 100 * 100,
                "the refused registration left its name free");
        }
        finally
        {
            node.close();
            embedded.close();
            TestNode.deleteTree(dir);
        }
        assertFalse(Files.exists(files), "the node removed its temporary file directory " + files);
    }

    private static void refuse(final RefusingStore[] stores, final RuntimeException refusal)
    {
        for (final RefusingStore s : stores)
        {
            s.refusal = refusal;
        }
    }
}
