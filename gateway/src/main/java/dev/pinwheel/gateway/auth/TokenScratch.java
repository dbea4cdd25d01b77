package dev.pinwheel.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * One thread's scratch for reading tokens ({@code base64url(userId) "." secret}) where they lie in a header: the
 * user id decoded without substrings, and the token's SHA-256 in a reused {@link MessageDigest} — so a request's
 * authentication allocates only the hash's hex text (what {@code Accounts} keys tokens by). Anything unusual (a
 * character outside base64url in the id, a non-ASCII token) takes the JDK's own decoder and encoder, so every token
 * is read exactly as {@code Base64.getUrlDecoder()}, {@code Long.parseLong} and {@code getBytes(UTF_8)} read it.
 * <p>
 * <b>Confined to its thread</b> ({@link #get()}).
 */
final class TokenScratch
{
    /** {@link #userId} of a prefix that is not a user id. */
    static final long NOT_AN_ID = Long.MIN_VALUE;

    private static final ThreadLocal<TokenScratch> SCRATCH = ThreadLocal.withInitial(TokenScratch::new);
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA256_BYTES = 32;
    /** Base64url's alphabet: each character's 6-bit value, or -1. */
    private static final byte[] BASE64URL = new byte[128];

    static
    {
        Arrays.fill(BASE64URL, (byte)-1);
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++)
        {
            BASE64URL[alphabet.charAt(i)] = (byte)i;
        }
    }

    private final MessageDigest sha256;
    private final byte[] digest = new byte[SHA256_BYTES];
    private final byte[] hex = new byte[2 * SHA256_BYTES];
    private final byte[] id = new byte[160];
    private byte[] text = new byte[256];

    private TokenScratch()
    {
        try
        {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return this thread's scratch.
     */
    static TokenScratch get()
    {
        return SCRATCH.get();
    }

    /**
     * The user id a token starts with: base64url of its decimal digits.
     *
     * @param s    the text holding the token.
     * @param from where the id's base64url starts.
     * @param to   where it ends (the dot).
     * @return the id, or {@link #NOT_AN_ID}.
     */
    long userId(final String s, final int from, final int to)
    {
        final int chars = to - from;
        if (chars > 4 * id.length / 3 || !base64url(s, from, to))
        {
            return parseFallback(s, from, to);
        }
        if (chars % 4 == 1)
        {
            return NOT_AN_ID; // the JDK's decoder: "Last unit does not have enough valid bits"
        }
        int n = 0;
        int bits = 0;
        int pending = 0;
        for (int i = from; i < to; i++)
        {
            bits = bits << 6 | BASE64URL[s.charAt(i)];
            pending += 6;
            if (pending >= 8)
            {
                pending -= 8;
                id[n++] = (byte)(bits >>> pending);
                bits &= (1 << pending) - 1;
            }
        }
        return parseDecimal(id, n);
    }

    /**
     * @param s    the text holding the token.
     * @param from where the token starts.
     * @param to   where it ends.
     * @return the lower-case hex SHA-256 of the token's UTF-8 bytes.
     */
    String hash(final String s, final int from, final int to)
    {
        final int n = to - from;
        if (text.length < n)
        {
            text = new byte[Math.max(n, 2 * text.length)];
        }
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++)
        {
            final char c = s.charAt(from + i);
            ascii = c < 0x80;
            text[i] = (byte)c;
        }
        if (ascii)
        {
            sha256.update(text, 0, n);
        }
        else
        {
            sha256.update(s.substring(from, to).getBytes(StandardCharsets.UTF_8));
        }
        try
        {
            sha256.digest(digest, 0, SHA256_BYTES);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
        for (int i = 0; i < SHA256_BYTES; i++)
        {
            hex[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            hex[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return new String(hex, 0, hex.length, StandardCharsets.ISO_8859_1);
    }

    private static boolean base64url(final String s, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = s.charAt(i);
            if (c >= 128 || BASE64URL[c] < 0)
            {
                return false;
            }
        }
        return true;
    }

    /** The JDK's way, for whatever the fast path does not take (padding, other characters). */
    private static long parseFallback(final String s, final int from, final int to)
    {
        try
        {
            return Long.parseLong(new String(B64D.decode(s.substring(from, to)), StandardCharsets.US_ASCII));
        }
        catch (final IllegalArgumentException ex)
        {
            return NOT_AN_ID;
        }
    }

    /** {@code Long.parseLong} of ASCII bytes (any other byte is not a digit): an optional sign, then digits. */
    static long parseDecimal(final byte[] b, final int length)
    {
        if (length == 0)
        {
            return NOT_AN_ID;
        }
        int i = 0;
        boolean negative = false;
        long limit = -Long.MAX_VALUE;
        if (b[0] < '0')
        {
            if (b[0] == '-')
            {
                negative = true;
                limit = Long.MIN_VALUE;
            }
            else if (b[0] != '+')
            {
                return NOT_AN_ID;
            }
            if (length == 1)
            {
                return NOT_AN_ID;
            }
            i++;
        }
        final long floor = limit / 10;
        long result = 0;
        while (i < length)
        {
            final int digit = b[i++] - '0';
            if (digit < 0 || digit > 9 || result < floor)
            {
                return NOT_AN_ID;
            }
            result *= 10;
            if (result < limit + digit)
            {
                return NOT_AN_ID;
            }
            result -= digit;
        }
        return negative ? result : -result;
    }
}
