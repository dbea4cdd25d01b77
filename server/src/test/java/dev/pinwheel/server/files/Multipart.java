package dev.pinwheel.server.files;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@code multipart/form-data} request as Discord's libraries send one: {@code payload_json} and {@code files[n]}.
 */
public final class Multipart
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String boundary = "pinwheel-test-" + System.nanoTime();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final List<String> names = new ArrayList<>();

    public Multipart json(final String payload)
    {
        part("payload_json", null, "application/json", payload.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public Multipart file(final int index, final String filename, final String type, final byte[] data)
    {
        return file("files[" + index + "]", filename, type, data);
    }

    /**
     * A plain form field (no content type), as clients that send JSON params without {@code payload_json} do.
     */
    public Multipart field(final String name, final String value)
    {
        names.add(name);
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
            + "\r\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /**
     * A file part under any name (older clients send a single {@code file}).
     */
    public Multipart file(final String name, final String filename, final String type, final byte[] data)
    {
        part(name, filename, type, data);
        return this;
    }

    private void part(final String name, final String filename, final String type, final byte[] data)
    {
        names.add(name);
        final StringBuilder h = new StringBuilder("--").append(boundary).append("\r\n")
            .append("Content-Disposition: form-data; name=\"").append(name).append('"');
        if (filename != null)
        {
            h.append("; filename=\"").append(filename).append('"');
        }
        h.append("\r\nContent-Type: ").append(type).append("\r\n\r\n");
        body.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        body.writeBytes(data);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    /** A response: status and JSON body. */
    public record Response(int status, JsonNode body, String raw)
    {
    }

    public Response send(final String method, final String url, final String token) throws Exception
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(body.toByteArray());
        all.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(all.toByteArray()));
        if (token != null)
        {
            b.header("Authorization", "Bot " + token);
        }
        final HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r.body());
    }

    /**
     * Waits until a URL answers a status (a deletion releases its files just after its own answer), at most 15 s.
     *
     * @param url    the URL, fetched without a token.
     * @param status the status awaited.
     * @throws Exception if it does not.
     */
    public static void awaitStatus(final String url, final int status) throws Exception
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        int last;
        do
        {
            last = get(url, null).statusCode();
            if (last == status)
            {
                return;
            }
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(20);
        }
        while (System.nanoTime() < deadline);
        org.junit.jupiter.api.Assertions.assertEquals(status, last, url);
    }

    public static HttpResponse<byte[]> get(final String url, final String token, final String... headers)
        throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null)
        {
            b.header("Authorization", "Bot " + token);
        }
        for (int i = 0; i < headers.length; i += 2)
        {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * @return a valid PNG header (signature and IHDR) of the given size followed by filler bytes.
     */
    public static byte[] png(final int width, final int height, final int filler)
    {
        final byte[] b = new byte[33 + filler];
        final byte[] sig = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(sig, 0, b, 0, sig.length);
        b[16] = (byte)(width >>> 24);
        b[17] = (byte)(width >>> 16);
        b[18] = (byte)(width >>> 8);
        b[19] = (byte)width;
        b[20] = (byte)(height >>> 24);
        b[21] = (byte)(height >>> 16);
        b[22] = (byte)(height >>> 8);
        b[23] = (byte)height;
        for (int i = 33; i < b.length; i++)
        {
            b[i] = (byte)(i * 31);
        }
        return b;
    }
}
