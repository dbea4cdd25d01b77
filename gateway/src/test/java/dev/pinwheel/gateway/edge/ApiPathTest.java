package dev.pinwheel.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * REST path segments read in one pass are what splitting the path and matching {@code v\d+} gave, for the paths
 * clients send and for random ones made of slashes, version-like pieces and other digits.
 */
class ApiPathTest
{
    @Test
    void segmentsAsTheSplitGaveThem()
    {
        for (final String path : new String[] {"/api", "/api/", "/api//", "/api/v10", "/api/v9/", "/api/v10/channels/1/messages",
            "/api/v9/users/@me", "/api/channels/1", "/api/v8/gateway", "/api/v7/gateway", "/api/v11/x", "/api/v/gateway", "/api/v10x/gateway",
            "/api/vv10/x", "/api//v10//guilds//2/", "/api/v010/x", "/api/v٣/x", "/api/V10/x", "/api/v10/v9/x"})
        {
            assertSame(path);
        }
        final SplittableRandom random = new SplittableRandom(4);
        final String[] pieces = {"/", "/", "v", "9", "8", "10", "1", "0", "٣", "a", "channels", "%2F", "."};
        for (int i = 0; i < 50_000; i++)
        {
            // as HttpEdgeHandler hands them over: /api, or a path under /api/
            final int n = random.nextInt(12);
            final StringBuilder path = new StringBuilder(n == 0 && random.nextBoolean() ? "/api" : "/api/");
            for (int k = 0; k < n; k++)
            {
                path.append(pieces[random.nextInt(pieces.length)]);
            }
            assertSame(path.toString());
        }
    }

    private static void assertSame(final String path)
    {
        final List<String> segments = new ArrayList<>();
        for (final String s : path.split("/"))
        {
            if (!s.isEmpty())
            {
                segments.add(s);
            }
        }
        segments.remove(0);
        if (!segments.isEmpty() && segments.get(0).matches("v\\d+"))
        {
            final String v = segments.remove(0);
            if (!"v8".equals(v) && !"v9".equals(v) && !"v10".equals(v))
            {
                assertNull(ApiPath.segments(path), path);
                return;
            }
        }
        assertArrayEquals(segments.toArray(String[]::new), ApiPath.segments(path), path);
    }
}
