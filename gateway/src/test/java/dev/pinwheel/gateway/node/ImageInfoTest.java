package dev.pinwheel.gateway.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The four image headers the file store reads for width and height, and what is not an image whatever its name.
 */
class ImageInfoTest
{
    private static ImageInfo of(final byte[] b)
    {
        return ImageInfo.of(b, b.length);
    }

    @Test
    void pngGifJpegAndWebpReportTheirSize()
    {
        final ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
            0, 0, 0x01, 0x2C, 0, 0, 0, (byte)0xC8, 8, 2, 0, 0, 0});
        assertEquals(new ImageInfo("image/png", 300, 200), of(png.toByteArray()));

        assertEquals(new ImageInfo("image/gif", 640, 480), of(new byte[] {'G', 'I', 'F', '8', '9', 'a',
            (byte)0x80, 0x02, (byte)0xE0, 0x01, 0, 0}));

        // SOI, an APP0 segment (skipped by its length), then SOF0: precision, height, width
        final byte[] jpeg = {(byte)0xFF, (byte)0xD8, (byte)0xFF, (byte)0xE0, 0, 6, 'J', 'F', 'I', 'F',
            (byte)0xFF, (byte)0xC0, 0, 11, 8, 0x04, 0x38, 0x07, (byte)0x80, 3, 1, 0x22, 0};
        assertEquals(new ImageInfo("image/jpeg", 1920, 1080), of(jpeg));

        assertEquals(new ImageInfo("image/webp", 1000, 750), of(webp("VP8X", new byte[] {0, 0, 0, 0,
            (byte)0xE7, 0x03, 0, (byte)0xED, 0x02, 0})));
        // lossless: 14-bit width-1 and height-1 packed after the 0x2F signature
        final int w = 400 - 1;
        final int h = 300 - 1;
        final long bits = w | (long)h << 14;
        assertEquals(new ImageInfo("image/webp", 400, 300), of(webp("VP8L", new byte[] {0x2F, (byte)bits,
            (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24), 0, 0, 0, 0, 0})));
        // lossy: frame tag, start code, then 14-bit width and height
        assertEquals(new ImageInfo("image/webp", 320, 240), of(webp("VP8 ", new byte[] {0, 0, 0,
            (byte)0x9D, 0x01, 0x2A, 0x40, 0x01, (byte)0xF0, 0x00})));
    }

    @Test
    void anythingElseIsNotAnImage()
    {
        assertFalse(of("<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8)).isImage());
        assertFalse(of("<html><script>alert(1)</script>".getBytes(StandardCharsets.UTF_8)).isImage());
        assertFalse(of(new byte[] {(byte)0xFF, (byte)0xD8, (byte)0xFF, (byte)0xD9}).isImage(), "JPEG without a frame");
        assertFalse(of(new byte[] {(byte)0x89, 'P', 'N', 'G'}).isImage(), "a truncated PNG");
        assertFalse(of(new byte[0]).isImage());
        assertEquals("application/octet-stream", FileStore.contentType("image/png", "fake.png"));
        assertEquals("application/octet-stream", FileStore.contentType("text/html", "page.html"));
        assertEquals("text/plain; charset=utf-8", FileStore.contentType(null, "notes.txt"));
        assertEquals("invoice.pdf", FileStore.sanitize("../../etc/invoice.pdf"));
        assertEquals("_hidden", FileStore.sanitize(".hidden"));
        assertEquals("a_b_c.txt", FileStore.sanitize("a b\u00e9c.txt"));
    }

    private static byte[] webp(final String chunk, final byte[] body)
    {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {0, 0, 0, 0});
        b.writeBytes("WEBP".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(chunk.getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {(byte)body.length, 0, 0, 0});
        b.writeBytes(body);
        b.writeBytes(new byte[8]);
        return b.toByteArray();
    }
}
