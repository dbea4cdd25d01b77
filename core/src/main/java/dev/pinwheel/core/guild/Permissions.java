package dev.pinwheel.core.guild;

/**
 * Discord permission bits (the subset Pinwheel enforces, plus the ones clients check locally) and the computation
 * Discord documents:
 * <pre>
 *   base       owner → everything; else @everyone | the member's roles; ADMINISTRATOR → everything
 *   channel    base, then the @everyone overwrite (deny, then allow), then the union of the member's role
 *              overwrites (deny, then allow), then the member's own overwrite (deny, then allow)
 *   implicit   without VIEW_CHANNEL nothing; without SEND_MESSAGES no MENTION_EVERYONE, SEND_TTS_MESSAGES,
 *              ATTACH_FILES, EMBED_LINKS
 *   timeout    a timed-out member keeps only {@link #TIMED_OUT} (owner and ADMINISTRATOR exempt)
 * </pre>
 */
public final class Permissions
{
    public static final long CREATE_INSTANT_INVITE = 1L;
    public static final long KICK_MEMBERS = 1L << 1;
    public static final long BAN_MEMBERS = 1L << 2;
    public static final long ADMINISTRATOR = 1L << 3;
    public static final long MANAGE_CHANNELS = 1L << 4;
    public static final long MANAGE_GUILD = 1L << 5;
    public static final long ADD_REACTIONS = 1L << 6;
    /** Read the guild's audit log. */
    public static final long VIEW_AUDIT_LOG = 1L << 7;
    public static final long VIEW_CHANNEL = 1L << 10;
    public static final long SEND_MESSAGES = 1L << 11;
    public static final long SEND_TTS_MESSAGES = 1L << 12;
    public static final long MANAGE_MESSAGES = 1L << 13;
    /** Create, edit, delete and list webhooks. */
    public static final long MANAGE_WEBHOOKS = 1L << 29;
    public static final long EMBED_LINKS = 1L << 14;
    public static final long ATTACH_FILES = 1L << 15;
    public static final long READ_MESSAGE_HISTORY = 1L << 16;
    public static final long MENTION_EVERYONE = 1L << 17;
    public static final long CONNECT = 1L << 20;
    public static final long SPEAK = 1L << 21;
    public static final long MUTE_MEMBERS = 1L << 22;
    public static final long DEAFEN_MEMBERS = 1L << 23;
    public static final long MOVE_MEMBERS = 1L << 24;
    public static final long USE_VAD = 1L << 25;
    public static final long CHANGE_NICKNAME = 1L << 26;
    /** Change other members' nicknames. */
    public static final long MANAGE_NICKNAMES = 1L << 27;
    /** Create, edit, delete and assign roles. */
    public static final long MANAGE_ROLES = 1L << 28;
    /** Time members out. */
    public static final long MODERATE_MEMBERS = 1L << 40;
    public static final long ALL = (1L << 51) - 1;
    /** What a timed-out member keeps (Discord: everything else is lost until the timeout ends). */
    public static final long TIMED_OUT = VIEW_CHANNEL | READ_MESSAGE_HISTORY;

    /** What @everyone may do in a new guild: see, read, post, react, invite, talk. */
    public static final long EVERYONE_DEFAULT = CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES
        | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | CONNECT | SPEAK | USE_VAD | CHANGE_NICKNAME;

    private Permissions()
    {
    }

    /**
     * @param guild  the guild.
     * @param userId the user.
     * @return the user's guild-level permissions (0 if not a member).
     */
    public static long of(final Guild guild, final long userId)
    {
        final long p = base(guild, userId);
        return p == ALL ? p : timedOut(guild.member(userId), p);
    }

    /**
     * @param guild  the guild.
     * @param userId the user.
     * @return the user's base permissions, before overwrites and timeouts (0 if not a member).
     */
    public static long base(final Guild guild, final long userId)
    {
        if (guild.ownerId() == userId)
        {
            return ALL;
        }
        final Member m = guild.member(userId);
        if (m == null)
        {
            return 0;
        }
        final Role everyone = guild.role(guild.id());
        long p = everyone == null ? 0 : everyone.permissions();
        for (final long roleId : m.roleIds())
        {
            final Role r = guild.role(roleId);
            if (r != null)
            {
                p |= r.permissions();
            }
        }
        return (p & ADMINISTRATOR) != 0 ? ALL : p;
    }

    /**
     * @param guild   the guild.
     * @param userId  the user.
     * @param channel a channel of the guild.
     * @return the user's permissions in that channel (0 if not a member).
     */
    public static long in(final Guild guild, final long userId, final GuildChannel channel)
    {
        long p = base(guild, userId);
        if (p == ALL)
        {
            return ALL;
        }
        final Member m = guild.member(userId);
        if (m == null)
        {
            return 0;
        }
        final Overwrite everyone = channel.overwrite(guild.id());
        if (everyone != null)
        {
            p = (p & ~everyone.deny()) | everyone.allow();
        }
        long allow = 0;
        long deny = 0;
        for (final Overwrite o : channel.overwrites())
        {
            if (o.type() == Overwrite.ROLE && o.id() != guild.id() && holds(m, o.id()))
            {
                allow |= o.allow();
                deny |= o.deny();
            }
        }
        p = (p & ~deny) | allow;
        for (final Overwrite o : channel.overwrites())
        {
            if (o.type() == Overwrite.MEMBER && o.id() == userId)
            {
                p = (p & ~o.deny()) | o.allow();
            }
        }
        if ((p & VIEW_CHANNEL) == 0)
        {
            return 0;
        }
        if ((p & SEND_MESSAGES) == 0)
        {
            p &= ~(MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS);
        }
        return timedOut(m, p);
    }

    private static boolean holds(final Member m, final long roleId)
    {
        for (final long r : m.roleIds())
        {
            if (r == roleId)
            {
                return true;
            }
        }
        return false;
    }

    private static long timedOut(final Member m, final long p)
    {
        return m != null && m.timeoutUntilMillis() != 0 && m.timedOut(System.currentTimeMillis()) ? p & TIMED_OUT : p;
    }

    /**
     * @param granted permissions held.
     * @param needed  permissions required.
     * @return whether all of {@code needed} are held.
     */
    public static boolean has(final long granted, final long needed)
    {
        return (granted & needed) == needed;
    }
}
