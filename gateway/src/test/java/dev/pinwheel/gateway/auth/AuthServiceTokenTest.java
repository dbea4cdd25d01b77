package dev.pinwheel.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.directory.Accounts;

/**
 * Token checks read in place give what the substring-and-JDK reading gave: the same user or -1 for every header —
 * valid tokens in every spelling, and tokens mangled character by character (padding, signs, overflow, other
 * alphabets, non-ASCII); the same hex SHA-256; the same decimal parse as {@link Long#parseLong}.
 */
class AuthServiceTokenTest
{
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String NASTY = "AZaz09-_+/=.  \t\u00e9\u2603\ud83d\ude00-+0x";

    @Test
    void everyHeaderAuthenticatesAsBefore() throws Exception
    {
        final Accounts accounts = new Accounts();
        final AuthService auth = new AuthService(accounts, 1000);
        final List<String> tokens = new ArrayList<>();
        for (final long user : new long[] {1, 42, 1_234_567_890_123_456_789L, Long.MAX_VALUE, 7})
        {
            final String token = auth.newToken(user);
            accounts.addToken(user, referenceHash(token));
            tokens.add(token);
        }
        // odd but well-formed prefixes, stored as real tokens too
        for (final String id : new String[] {"+42", "0042", "-0", "+0", "42 "})
        {
            final String token = B64.encodeToString(id.getBytes(StandardCharsets.US_ASCII)) + ".c2VjcmV0";
            accounts.addToken(42, referenceHash(token));
            accounts.addToken(0, referenceHash(token));
            tokens.add(token);
        }
        tokens.add(Base64.getUrlEncoder().encodeToString("42".getBytes(StandardCharsets.US_ASCII)) + ".padded");
        accounts.addToken(42, referenceHash(tokens.get(tokens.size() - 1)));
        final SplittableRandom random = new SplittableRandom(5);
        int checked = 0;
        int valid = 0;
        for (final String token : tokens)
        {
            for (final String spelled : new String[] {token, "Bot " + token, "bot   " + token + "  ", "Bearer " + token,
                "BEARER\t" + token, " \t" + token + "\n", "Bot" + token, "Bot  ", "Bearer", ""})
            {
                valid += assertSame(auth, accounts, spelled) > 0 ? 1 : 0;
                checked++;
            }
            for (int i = 0; i < 400; i++)
            {
                final StringBuilder m = new StringBuilder("Bot " + token);
                for (int k = 1 + random.nextInt(3); k > 0; k--)
                {
                    final int at = 4 + random.nextInt(m.length() - 4);
                    switch (random.nextInt(3))
                    {
                        case 0 -> m.setCharAt(at, NASTY.charAt(random.nextInt(NASTY.length())));
                        case 1 -> m.insert(at, NASTY.charAt(random.nextInt(NASTY.length())));
                        default -> m.deleteCharAt(at);
                    }
                }
                assertSame(auth, accounts, m.toString());
                checked++;
            }
        }
        for (final String id : new String[] {"", "-", "+", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "99999999999999999999", "4 2", "٤٢", "0x2a", "42\u00ff"})
        {
            final String token = B64.encodeToString(id.getBytes(StandardCharsets.UTF_8)) + ".x";
            assertSame(auth, accounts, "Bot " + token);
            assertSame(auth, accounts, "Bot " + B64.encodeToString(id.getBytes(StandardCharsets.UTF_8)) + "=.x");
            checked += 2;
        }
        assertSame(auth, accounts, "Bot " + "A".repeat(199) + ".");
        assertSame(auth, accounts, "Bot " + "MQ" + ".".repeat(199));
        assertSame(auth, accounts, null);
        assertTrue(valid >= 40, "valid tokens authenticated: " + valid);
        assertTrue(checked > 4000);
    }

    /**
     * On a cluster node, an unknown token of a user this node may not know yet (their owner has not caught it up) is
     * {@link AuthService#NOT_YET_KNOWN}, not -1; a known one authenticates, a malformed one stays -1.
     */
    @Test
    void anUnknownTokenOfAUserNotYetKnownHereIsToldApart() throws Exception
    {
        final Accounts accounts = new Accounts();
        final AuthService auth = new AuthService(accounts, 1000);
        final String known = auth.newToken(5);
        accounts.addToken(5, referenceHash(known));
        final String elsewhere = auth.newToken(6);
        final String local = auth.newToken(7);
        assertEquals(-1, auth.authenticate("Bot " + elsewhere), "a single node: unknown is unknown");
        auth.mayNotKnowYet(user -> user == 5 || user == 6);
        assertEquals(5, auth.authenticate("Bot " + known));
        assertEquals(AuthService.NOT_YET_KNOWN, auth.authenticate("Bot " + elsewhere));
        assertEquals(AuthService.NOT_YET_KNOWN, auth.authenticate(elsewhere));
        assertEquals(-1, auth.authenticate("Bot " + local), "a user this node owns: unknown is unknown");
        assertEquals(-1, auth.authenticate("Bot not-a-token"));
        assertEquals(-1, auth.authenticate(null));
    }

    /**
     * A new token has Discord's shape — three base64url parts, the user id, a 6-character time, 27 or more random
     * characters — and authenticates; a token of the two-part shape minted before still does.
     */
    @Test
    void tokensHaveDiscordsThreePartShapeAndOldOnesStillWork() throws Exception
    {
        final Accounts accounts = new Accounts();
        final AuthService auth = new AuthService(accounts, 1000);
        final long user = 1_578_911_118_632_546_304L;
        final String token = auth.newToken(user);
        assertTrue(token.matches("[A-Za-z0-9_-]{24,}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,}"), token);
        final String[] parts = token.split("\\.");
        assertEquals(Long.toString(user),
            new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.US_ASCII));
        final long created = java.nio.ByteBuffer.wrap(Base64.getUrlDecoder().decode(parts[1])).getInt() & 0xFFFF_FFFFL;
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - created) < 600, "creation second " + created);
        accounts.addToken(user, AuthService.tokenHash(token));
        assertEquals(user, auth.authenticate("Bot " + token));
        final String old = B64.encodeToString(Long.toString(user).getBytes(StandardCharsets.US_ASCII))
            + ".kBNGcXs5-vFWocSVFXKphg343IbXQGsL";
        accounts.addToken(user, AuthService.tokenHash(old));
        assertEquals(user, auth.authenticate("Bot " + old));
        assertEquals(-1, auth.authenticate("Bot " + parts[0] + "." + parts[2]), "no part may be left out");
    }

    @Test
    void hashesAsHexFormatDid() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 2000; i++)
        {
            final StringBuilder s = new StringBuilder();
            for (int n = random.nextInt(80); n > 0; n--)
            {
                s.append(random.nextInt(5) == 0 ? NASTY.charAt(random.nextInt(NASTY.length()))
                    : (char)('0' + random.nextInt(75)));
            }
            assertEquals(referenceHash(s.toString()), AuthService.tokenHash(s.toString()), s.toString());
        }
    }

    @Test
    void parsesDecimalsAsParseLongDoes()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final byte[] b = new byte[24];
        for (int i = 0; i < 200_000; i++)
        {
            final int n = random.nextInt(b.length);
            for (int k = 0; k < n; k++)
            {
                final int kind = random.nextInt(20);
                b[k] = (byte)(kind == 0 ? '-' : kind == 1 ? '+' : kind == 2 ? random.nextInt(256) : '0'
                    + random.nextInt(10));
            }
            long expected;
            try
            {
                expected = Long.parseLong(new String(b, 0, n, StandardCharsets.US_ASCII));
            }
            catch (final NumberFormatException e)
            {
                expected = TokenScratch.NOT_AN_ID;
            }
            assertEquals(expected, TokenScratch.parseDecimal(b, n), new String(b, 0, n, StandardCharsets.ISO_8859_1));
        }
    }

    /** Returns the user the header authenticates (or -1), having checked it against the reference. */
    private static long assertSame(final AuthService auth, final Accounts accounts, final String header)
        throws Exception
    {
        final long expected = reference(accounts, header);
        assertEquals(expected, auth.authenticate(header), String.valueOf(header));
        return expected;
    }

    /** {@code AuthService.authenticate} as it read tokens before: trims, substrings and the JDK's decoders. */
    private static long reference(final Accounts accounts, final String authorization) throws Exception
    {
        if (authorization == null)
        {
            return -1;
        }
        String token = authorization.trim();
        if (token.regionMatches(true, 0, "Bot ", 0, 4))
        {
            token = token.substring(4).trim();
        }
        else if (token.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            token = token.substring(7).trim();
        }
        final int dot = token.indexOf('.');
        if (dot <= 0 || token.length() > 200)
        {
            return -1;
        }
        final long userId;
        try
        {
            userId = Long.parseLong(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
                StandardCharsets.US_ASCII));
        }
        catch (final IllegalArgumentException ex)
        {
            return -1;
        }
        return accounts.hasToken(userId, referenceHash(token)) ? userId : -1;
    }

    private static String referenceHash(final String token) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(
            StandardCharsets.UTF_8)));
    }
}
