package dev.pinwheel.core.guild;

/**
 * A channel permission overwrite: for one role (the guild's id: {@code @everyone}) or one member, the bits it allows
 * and denies in that channel.
 *
 * @param id    the role or member.
 * @param type  {@link #ROLE} or {@link #MEMBER}.
 * @param allow bits allowed.
 * @param deny  bits denied.
 */
public record Overwrite(long id, int type, long allow, long deny)
{
    public static final int ROLE = 0;
    public static final int MEMBER = 1;
}
