package dev.pinwheel.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import dev.pinwheel.core.directory.Accounts;

/**
 * Passwords and tokens. Passwords: PBKDF2-HMAC-SHA512 with a random 16-byte salt (OWASP's iteration count
 * by default). Tokens have Discord's shape, three base64url parts: {@code userId "." creation second (4 bytes) "."
 * 24 random bytes} — 192 random bits; only the SHA-256 of the whole token is stored, and only the part before the
 * first dot is read (tokens minted before the middle part existed, {@code userId "." secret}, still work). Libraries
 * read Discord's shape: Seyfert's log masks each of the three parts and failed on two. Thread-safe.
 */
public final class AuthService
{
    private static final String PBKDF2 = "PBKDF2WithHmacSHA512";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private final SecureRandom random = new SecureRandom();
    /**
     * {@link #authenticate}'s answer for a well-formed token of a user this node may not know yet: another node of the
     * cluster owns the user and has not yet sent this start of the node its records (it is starting, or that node is
     * unreachable), or the user's key is moving. Told as a failure that heals (503, gateway close 4000), not as a bad
     * token (401, 4004: Discord's libraries stop for good on 4004).
     */
    public static final long NOT_YET_KNOWN = -2;

    private final Accounts accounts;
    private final int iterations;
    private volatile java.util.function.LongPredicate mayNotKnowYet = userId -> false;

    /**
     * @param accounts   account directory.
     * @param iterations PBKDF2 iterations for new hashes.
     */
    public AuthService(final Accounts accounts, final int iterations)
    {
        this.accounts = accounts;
        this.iterations = iterations;
    }

    /**
     * Sets which users this node may not know yet (a cluster node: those whose owner has not caught it up).
     *
     * @param which told a token's user id when the token is unknown; any thread, must not block.
     */
    public void mayNotKnowYet(final java.util.function.LongPredicate which)
    {
        this.mayNotKnowYet = java.util.Objects.requireNonNull(which, "which");
        this.clustered = true;
    }

    /** Set with {@link #mayNotKnowYet}: this node is one of a cluster. */
    private volatile boolean clustered;

    /**
     * How recently a thing must have been made for a failure to find it here to wait for the other nodes' records
     * (read-your-writes across nodes: {@link #mayBeNewElsewhere}, {@code RestRouter}).
     */
    public static final long NEW_ELSEWHERE_MILLIS = 60_000;

    /**
     * Whether a token that failed ({@link #authenticate} -1) names an account made within a minute that
     * this node does not know: in a cluster, one made through another node whose record has not arrived yet — a
     * failure that heals (gateway close 4000: the client identifies again), not a bad token (4004: it stops for good).
     *
     * @param token the token as sent.
     * @return whether it may be new elsewhere (made within {@link #NEW_ELSEWHERE_MILLIS}).
     */
    public boolean mayBeNewElsewhere(final String token)
    {
        if (!clustered)
        {
            return false;
        }
        final long userId = claimedUserId(token);
        return dev.pinwheel.core.ids.SnowflakeIds.madeWithin(userId, System.currentTimeMillis(), NEW_ELSEWHERE_MILLIS)
            && accounts.get(userId) == null;
    }

    /**
     * @param password a password.
     * @return {@code pbkdf2-sha512$iterations$salt$hash} (base64url parts).
     */
    public String hashPassword(final String password)
    {
        final byte[] salt = new byte[16];
        random.nextBytes(salt);
        return "pbkdf2-sha512$" + iterations + "$" + B64.encodeToString(salt) + "$"
            + B64.encodeToString(pbkdf2(password, salt, iterations));
    }

    /**
     * @param password the presented password.
     * @param encoded  the stored hash.
     * @return whether they match (constant-time compare).
     */
    public boolean verifyPassword(final String password, final String encoded)
    {
        final String[] parts = encoded.split("\\$");
        if (parts.length != 4 || !"pbkdf2-sha512".equals(parts[0]))
        {
            return false;
        }
        final int iter = Integer.parseInt(parts[1]);
        final byte[] salt = B64D.decode(parts[2]);
        final byte[] expected = B64D.decode(parts[3]);
        return MessageDigest.isEqual(expected, pbkdf2(password, salt, iter));
    }

    /**
     * @param userId the user.
     * @return a new token (not yet recorded: journal {@link #tokenHash(String)} then add it).
     */
    public String newToken(final long userId)
    {
        final byte[] secret = new byte[24];
        random.nextBytes(secret);
        final long seconds = System.currentTimeMillis() / 1000;
        final byte[] created = {(byte)(seconds >>> 24), (byte)(seconds >>> 16), (byte)(seconds >>> 8), (byte)seconds};
        return B64.encodeToString(Long.toString(userId).getBytes(StandardCharsets.US_ASCII)) + "."
            + B64.encodeToString(created) + "." + B64.encodeToString(secret);
    }

    /**
     * @param token a token.
     * @return hex SHA-256 of it.
     */
    public static String tokenHash(final String token)
    {
        return TokenScratch.get().hash(token, 0, token.length());
    }

    /**
     * Allocates nothing but the token hash's text for a well-formed {@code Bot}/{@code Bearer} token: the token is read
     * where it lies in the header, its user id decoded and hashed in per-thread scratch ({@link TokenScratch}).
     *
     * @param authorization an Authorization header or IDENTIFY token: {@code Bot x}, {@code Bearer x} or {@code x}.
     * @return the user id, or -1 if the token is malformed or unknown, or {@link #NOT_YET_KNOWN} if it is unknown and
     *         names a user this node may not know yet.
     */
    public long authenticate(final String authorization)
    {
        final long bounds = tokenBounds(authorization);
        if (bounds < 0)
        {
            return -1;
        }
        final int start = (int)(bounds >>> 32);
        final int end = (int)bounds;
        final TokenScratch scratch = TokenScratch.get();
        final long userId = scratch.userId(authorization, start, authorization.indexOf('.', start));
        if (userId == TokenScratch.NOT_AN_ID)
        {
            return -1;
        }
        if (accounts.hasToken(userId, scratch.hash(authorization, start, end)))
        {
            return userId;
        }
        return mayNotKnowYet.test(userId) ? NOT_YET_KNOWN : -1;
    }

    /**
     * @param authorization an Authorization header or IDENTIFY token.
     * @return the user id the token names, whether or not the token is valid; -1 if it is malformed.
     */
    public static long claimedUserId(final String authorization)
    {
        final long bounds = tokenBounds(authorization);
        if (bounds < 0)
        {
            return -1;
        }
        final int start = (int)(bounds >>> 32);
        final long userId = TokenScratch.get().userId(authorization, start, authorization.indexOf('.', start));
        return userId == TokenScratch.NOT_AN_ID ? -1 : userId;
    }

    /**
     * @return where the token in an Authorization header starts and ends ({@code start << 32 | end}), past its
     *         {@code Bot}/{@code Bearer} word and spaces; -1 if there is none or it is malformed (no dot, too long).
     */
    private static long tokenBounds(final String authorization)
    {
        if (authorization == null)
        {
            return -1;
        }
        int end = authorization.length();
        int start = skipSpace(authorization, 0, end);
        while (end > start && authorization.charAt(end - 1) <= ' ')
        {
            end--;
        }
        if (authorization.regionMatches(true, start, "Bot ", 0, 4))
        {
            start = skipSpace(authorization, start + 4, end);
        }
        else if (authorization.regionMatches(true, start, "Bearer ", 0, 7))
        {
            start = skipSpace(authorization, start + 7, end);
        }
        final int dot = authorization.indexOf('.', start);
        if (dot <= start || end - start > 200)
        {
            return -1;
        }
        return (long)start << 32 | end;
    }

    /** As {@link String#trim()} from the left: the first index at or after {@code from} of a character above space. */
    private static int skipSpace(final String s, final int from, final int end)
    {
        int i = from;
        while (i < end && s.charAt(i) <= ' ')
        {
            i++;
        }
        return i;
    }

    private static byte[] pbkdf2(final String password, final byte[] salt, final int iter)
    {
        try
        {
            final PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iter, 256);
            return SecretKeyFactory.getInstance(PBKDF2).generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("PBKDF2 unavailable", ex);
        }
    }
}
