package dev.pinwheel.core.directory;

/**
 * An invite link.
 *
 * @param code       the code.
 * @param guildId    guild.
 * @param channelId  channel it points at.
 * @param inviterId  who created it.
 * @param createdMillis epoch millis.
 * @param maxAgeSeconds 0 = never expires.
 * @param maxUses    0 = unlimited.
 * @param temporary  whether it grants temporary membership.
 */
public record Invite(String code, long guildId, long channelId, long inviterId, long createdMillis, int maxAgeSeconds,
    int maxUses, boolean temporary)
{
    /**
     * A permanent-membership invite.
     *
     * @param code          the code.
     * @param guildId       guild.
     * @param channelId     channel it points at.
     * @param inviterId     who created it.
     * @param createdMillis epoch millis.
     * @param maxAgeSeconds 0 = never expires.
     * @param maxUses       0 = unlimited.
     */
    public Invite(final String code, final long guildId, final long channelId, final long inviterId,
        final long createdMillis, final int maxAgeSeconds, final int maxUses)
    {
        this(code, guildId, channelId, inviterId, createdMillis, maxAgeSeconds, maxUses, false);
    }

    /**
     * @param nowMillis now.
     * @return whether the invite has expired.
     */
    public boolean expired(final long nowMillis)
    {
        return maxAgeSeconds > 0 && nowMillis > createdMillis + maxAgeSeconds * 1000L;
    }
}
