package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.gateway.codec.DiscordError;

/**
 * Discord's role hierarchy, shared by the role and member services: for everyone but the guild's owner, one manages
 * (edits, deletes, gives, takes) only roles below one's own highest role, and never grants a permission one does not
 * hold — so MANAGE_ROLES cannot be turned into ADMINISTRATOR. {@code @everyone} (the role with the guild's id) is
 * below everyone. Owner shard thread.
 */
final class RoleHierarchy
{
    private RoleHierarchy()
    {
    }

    /**
     * @param g      the guild.
     * @param roleId a role of it.
     * @param reply  answers 10011.
     * @return the role, or null after an error answer.
     */
    static Role role(final Guild g, final long roleId, final Reply reply)
    {
        final Role r = g.role(roleId);
        if (r == null)
        {
            reply.error(DiscordError.UNKNOWN_ROLE);
        }
        return r;
    }

    /**
     * @param g      the guild.
     * @param userId a member.
     * @return the position of the member's highest role (0: only {@code @everyone}); the owner is above all.
     */
    static int highest(final Guild g, final long userId)
    {
        if (g.ownerId() == userId)
        {
            return Integer.MAX_VALUE;
        }
        int top = 0;
        final Member m = g.member(userId);
        if (m != null)
        {
            for (final long id : m.roleIds())
            {
                final Role r = g.role(id);
                top = r == null ? top : Math.max(top, r.position());
            }
        }
        return top;
    }

    /**
     * @param g                  the guild.
     * @param target             the role touched, or null (a new role).
     * @param grantedPermissions permissions the change grants.
     * @param reply              the caller ({@link Reply#userId}); answers 50013 when refused.
     * @return whether the caller may touch {@code target} and grant those permissions.
     */
    static boolean mayManage(final Guild g, final Role target, final long grantedPermissions, final Reply reply)
    {
        final long mine = Permissions.of(g, reply.userId());
        if ((target != null && target.id() != g.id() && target.position() >= highest(g, reply.userId()))
            || (grantedPermissions & ~mine) != 0)
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return false;
        }
        return true;
    }

    /**
     * Discord's hierarchy for acting on a member (kick, ban, timeout): nobody acts on the owner, the owner acts on
     * everyone else, anyone else only on members whose highest role is below their own.
     *
     * @param g        the guild.
     * @param actorId  who acts.
     * @param targetId on whom.
     * @return whether the actor outranks the target.
     */
    static boolean outranks(final Guild g, final long actorId, final long targetId)
    {
        if (targetId == g.ownerId() || actorId == targetId)
        {
            return false;
        }
        return actorId == g.ownerId() || highest(g, actorId) > highest(g, targetId);
    }
}
