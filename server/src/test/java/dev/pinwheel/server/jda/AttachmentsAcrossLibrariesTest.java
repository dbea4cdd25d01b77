package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.utils.FileUpload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.JsClients;
import dev.pinwheel.server.TestNode;

/**
 * Files between two unmodified libraries through a real node: discord.js {@code channel.send({files: [buffer]})}
 * is received by JDA and downloaded byte-identical through {@code Attachment.getProxy().download()}; JDA
 * {@code sendFiles(FileUpload)} (a PNG) is received by discord.js with the right {@code size}, {@code contentType},
 * width and height, and its URL downloads the same bytes.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AttachmentsAcrossLibrariesTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void discordJsAndJdaExchangeFilesByteIdentical() throws Exception
    {
        final Path dir = JsClients.prepare("files.js");
        try (TestNode node = new TestNode(2))
        {
            final TestNode.Pair pair = node.pair("xfiles");
            final JdaEndToEndTest.Recorder events = new JdaEndToEndTest.Recorder();
            final JDA jda = JdaBots.start(pair.member().token(), node.restBase(), node.gatewayUrl(), events);
            try
            {
                final CompletableFuture<String> js = CompletableFuture.supplyAsync(() ->
                {
                    try
                    {
                        return JsClients.run(dir, 180, Map.of(), "node", "files.js", Integer.toString(node.port()),
                            pair.owner().token(), pair.channelId(), pair.member().id());
                    }
                    catch (final InterruptedException e)
                    {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                });
                final Message fromJs = awaitFileMessage(events, pair.owner().id(), js);
                final Message.Attachment a = fromJs.getAttachments().get(0);
                assertEquals(200 * 1024, a.getSize());
                final byte[] downloaded;
                try (InputStream in = a.getProxy().download().get(60, TimeUnit.SECONDS))
                {
                    downloaded = in.readAllBytes();
                }
                assertEquals(200 * 1024, downloaded.length);
                assertArrayEquals(deterministic(200 * 1024), downloaded, "discord.js's bytes, as JDA downloads them");

                final byte[] png = pngBytes(320, 200, 5000);
                jda.getTextChannelById(pair.channelId()).sendMessage("a file from JDA")
                    .addFiles(FileUpload.fromData(png, "from-jda.png")).complete();
                final String out = js.get(150, TimeUnit.SECONDS);
                final String sentLine = line(out, "SENT ");
                assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(deterministic(200 * 1024))), sentLine.split(" ")[2], out);
                final JsonNode received = JSON.readTree(line(out, "RECEIVED "));
                assertEquals("from-jda.png", received.path("name").asText(), out);
                assertEquals(png.length, received.path("size").asInt(), out);
                assertEquals("image/png", received.path("contentType").asText(), out);
                assertEquals(320, received.path("width").asInt(), out);
                assertEquals(200, received.path("height").asInt(), out);
                assertEquals(png.length, received.path("downloaded").asInt(), out);
                assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)),
                    received.path("sha256").asText(), out);
            }
            finally
            {
                JdaBots.stop(jda);
            }
        }
    }

    private static Message awaitFileMessage(final JdaEndToEndTest.Recorder events, final String authorId,
        final CompletableFuture<String> js) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline)
        {
            if (js.isDone())
            {
                js.get(); // the script failed early: show why
            }
            final GenericEvent e = events.events.poll(500, TimeUnit.MILLISECONDS);
            if (e instanceof MessageReceivedEvent m && m.getAuthor().getId().equals(authorId)
                && !m.getMessage().getAttachments().isEmpty())
            {
                return m.getMessage();
            }
        }
        throw new AssertionError("JDA never received discord.js's file");
    }

    private static String line(final String out, final String prefix)
    {
        for (final String l : out.split("\n"))
        {
            if (l.startsWith(prefix))
            {
                return l.substring(prefix.length()).trim();
            }
        }
        throw new AssertionError("no " + prefix + "line in:\n" + out);
    }

    /** The same xorshift bytes as files.js. */
    static byte[] deterministic(final int size)
    {
        final byte[] out = new byte[size];
        int x = 0x2545F491;
        for (int i = 0; i < size; i++)
        {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            out[i] = (byte)x;
        }
        return out;
    }

    static byte[] pngBytes(final int width, final int height, final int filler)
    {
        final byte[] b = new byte[33 + filler];
        final byte[] sig = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(sig, 0, b, 0, sig.length);
        java.nio.ByteBuffer.wrap(b, 16, 8).putInt(width).putInt(height);
        for (int i = 33; i < b.length; i++)
        {
            b[i] = (byte)(i * 7);
        }
        return b;
    }
}
