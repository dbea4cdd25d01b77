package dev.pinwheel.server.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Times acknowledged 1 MiB uploads (multipart in, files fsynced with their directories, message journaled) and their
 * signed downloads, one client after the other, and checks every download byte-identical. Prints
 * {@code UploadTimingTest: …} with the percentiles; numbers from a loaded 2-core box are an upper bound.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class UploadTimingTest
{
    private static final int UPLOADS = 40;
    private static final int SIZE = 1024 * 1024;

    @Test
    void acknowledgedUploadsAndDownloadsAreTimed() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.Pair pair = node.pair("timing");
            final String url = node.restBase() + "channels/" + pair.channelId() + "/messages";
            final long[] up = new long[UPLOADS];
            final long[] down = new long[UPLOADS];
            for (int i = 0; i < UPLOADS; i++)
            {
                final byte[] data = new byte[SIZE];
                new java.util.Random(i).nextBytes(data);
                final long t0 = System.nanoTime();
                final Multipart.Response r = new Multipart().json("{\"content\":\"t" + i + "\"}")
                    .file(0, "blob" + i + ".bin", "application/octet-stream", data).send("POST", url,
                        pair.owner().token());
                up[i] = System.nanoTime() - t0;
                assertEquals(200, r.status(), r.raw());
                final JsonNode a = r.body().path("attachments").get(0);
                final long t1 = System.nanoTime();
                final byte[] got = Multipart.get(a.path("url").asText(), null).body();
                down[i] = System.nanoTime() - t1;
                assertArrayEquals(data, got);
            }
            System.out.printf("UploadTimingTest: %d x 1 MiB, upload (ack) p50 %.1f ms p90 %.1f ms max %.1f ms; "
                + "download p50 %.1f ms max %.1f ms; load average %s%n", UPLOADS, ms(up, 50), ms(up, 90), ms(up, 100),
                ms(down, 50), ms(down, 100), java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .trim());
        }
    }

    private static double ms(final long[] nanos, final int percentile)
    {
        final long[] s = nanos.clone();
        Arrays.sort(s);
        final int i = Math.min(s.length - 1, (int)Math.ceil(percentile / 100.0 * s.length) - 1);
        return s[Math.max(0, i)] / 1e6;
    }
}
