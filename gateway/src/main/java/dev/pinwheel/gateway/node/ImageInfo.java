package dev.pinwheel.gateway.node;

/**
 * What a file's first bytes say it is: PNG, JPEG, GIF or WebP with its width and height, read from the format's
 * header (no image library, nothing decoded). Anything else is not an image, whatever its name or declared type says:
 * the store serves it as declared but never as an image, with {@code nosniff}.
 *
 * @param contentType the image's media type, or null when the bytes are not one of the four formats.
 * @param width       pixels (0 when not an image).
 * @param height      pixels (0 when not an image).
 */
public record ImageInfo(String contentType, int width, int height)
{
    /** Not an image. */
    public static final ImageInfo NONE = new ImageInfo(null, 0, 0);

    /** @return whether the bytes were an image with a size. */
    public boolean isImage()
    {
        return contentType != null && width > 0 && height > 0;
    }

    /**
     * @param b      the file's bytes.
     * @param length how many of them.
     * @return the image's type and size, or {@link #NONE}.
     */
    public static ImageInfo of(final byte[] b, final int length)
    {
        if (length >= 24 && u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && b[12] == 'I'
            && b[13] == 'H' && b[14] == 'D' && b[15] == 'R')
        {
            return image("image/png", be32(b, 16), be32(b, 20));
        }
        if (length >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9')
            && b[5] == 'a')
        {
            return image("image/gif", le16(b, 6), le16(b, 8));
        }
        if (length >= 4 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8)
        {
            return jpeg(b, length);
        }
        if (length >= 30 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
            && b[10] == 'B' && b[11] == 'P')
        {
            return webp(b, length);
        }
        return NONE;
    }

    private static ImageInfo jpeg(final byte[] b, final int length)
    {
        int i = 2;
        while (i + 9 < length)
        {
            if (u8(b, i) != 0xFF)
            {
                return NONE;
            }
            final int marker = u8(b, i + 1);
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                i += 2; // markers without a length
                continue;
            }
            final boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                && marker != 0xCC;
            if (sof)
            {
                return image("image/jpeg", be16(b, i + 7), be16(b, i + 5));
            }
            final int segment = be16(b, i + 2);
            if (segment < 2 || marker == 0xD9 || marker == 0xDA)
            {
                return NONE; // end of image or start of scan before any frame header
            }
            i += 2 + segment;
        }
        return NONE;
    }

    private static ImageInfo webp(final byte[] b, final int length)
    {
        if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == ' ' && length >= 30)
        {
            return image("image/webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
        }
        if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == 'L' && length >= 25 && u8(b, 20) == 0x2F)
        {
            final int b1 = u8(b, 21);
            final int b2 = u8(b, 22);
            final int b3 = u8(b, 23);
            final int b4 = u8(b, 24);
            return image("image/webp", 1 + (b1 | (b2 & 0x3F) << 8), 1 + ((b2 >> 6) | b3 << 2 | (b4 & 0x0F) << 10));
        }
        if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == 'X' && length >= 30)
        {
            return image("image/webp", 1 + le24(b, 24), 1 + le24(b, 27));
        }
        return NONE;
    }

    private static ImageInfo image(final String type, final int width, final int height)
    {
        return width > 0 && height > 0 ? new ImageInfo(type, width, height) : NONE;
    }

    private static int u8(final byte[] b, final int i)
    {
        return b[i] & 0xFF;
    }

    private static int be16(final byte[] b, final int i)
    {
        return u8(b, i) << 8 | u8(b, i + 1);
    }

    private static int be32(final byte[] b, final int i)
    {
        final long v = (long)u8(b, i) << 24 | u8(b, i + 1) << 16 | u8(b, i + 2) << 8 | u8(b, i + 3);
        return v > Integer.MAX_VALUE ? 0 : (int)v;
    }

    private static int le16(final byte[] b, final int i)
    {
        return u8(b, i) | u8(b, i + 1) << 8;
    }

    private static int le24(final byte[] b, final int i)
    {
        return u8(b, i) | u8(b, i + 1) << 8 | u8(b, i + 2) << 16;
    }
}
