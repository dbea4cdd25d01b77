package dev.pinwheel.gateway.owner;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Interaction tokens: opaque to clients, as on Discord ({@code base64("interaction:" id ":" …)}), but they carry the
 * interaction's guild so that any shard can send a callback or a follow-up straight to the guild's owner, which alone
 * keeps the live interaction and checks the secret. Layout before base64url: {@code interaction:ID:GUILD:SECRET}
 * (decimal ids, 32 hex digits of secret). Stateless, thread-safe.
 */
public final class InteractionTokens
{
    private static final String PREFIX = "interaction:";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MAX_LENGTH = 200;

    /**
     * What a token names.
     *
     * @param interactionId the interaction.
     * @param guildId       its guild (the owner to ask).
     */
    public record Parsed(long interactionId, long guildId)
    {
    }

    private InteractionTokens()
    {
    }

    /**
     * @param interactionId the interaction.
     * @param guildId       its guild.
     * @return a new token (with a fresh secret).
     */
    public static String issue(final long interactionId, final long guildId)
    {
        final byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        final StringBuilder text = new StringBuilder(80).append(PREFIX).append(interactionId).append(':')
            .append(guildId).append(':');
        for (final byte b : secret)
        {
            text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return ENCODER.encodeToString(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param token a token as a client sent it.
     * @return what it names, or null when it is no interaction token (the owner still checks the whole token).
     */
    public static Parsed parse(final String token)
    {
        if (token == null || token.isEmpty() || token.length() > MAX_LENGTH)
        {
            return null;
        }
        try
        {
            final String text = new String(DECODER.decode(token), StandardCharsets.US_ASCII);
            if (!text.startsWith(PREFIX))
            {
                return null;
            }
            final String[] parts = text.substring(PREFIX.length()).split(":", -1);
            if (parts.length != 3)
            {
                return null;
            }
            final long id = Long.parseLong(parts[0]);
            final long guild = Long.parseLong(parts[1]);
            return id > 0 && guild > 0 ? new Parsed(id, guild) : null;
        }
        catch (final IllegalArgumentException e) // bad base64 or number
        {
            return null;
        }
    }
}
