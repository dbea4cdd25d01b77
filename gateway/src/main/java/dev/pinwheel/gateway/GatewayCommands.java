package dev.pinwheel.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.owner.OwnerCommandAdapter;
import dev.pinwheel.gateway.owner.OwnerCommands;
import dev.pinwheel.gateway.owner.SessionRequestAdapter;
import dev.pinwheel.gateway.session.SessionCommandAdapter;

/**
 * The typed commands a shard receives, by type range: answers to this shard's REST requests
 * ({@link OwnerCommands#REPLY}) go to its {@link ExchangeTable}; a {@link OwnerCommands#SYNC} is answered at once; what
 * owners send to its gateway sessions (10-29) to
 * the {@link SessionCommandAdapter}; the requests of gateway sessions (160-199) to the {@link SessionRequestAdapter};
 * the other owner commands to the {@link OwnerCommandAdapter}. One per shard.
 */
final class GatewayCommands implements CommandHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommands.class);
    private static final ThrottledLog LOST_REPLIES = new ThrottledLog(LOG, Level.WARN, "lost REST answers", 5,
        10_000);

    private final ExchangeTable exchanges;
    private final SessionCommandAdapter sessions;
    private final OwnerCommandAdapter owner;
    private final SessionRequestAdapter requests;

    GatewayCommands(final ExchangeTable exchanges, final SessionCommandAdapter sessions,
        final OwnerCommandAdapter owner, final SessionRequestAdapter requests)
    {
        this.exchanges = exchanges;
        this.sessions = sessions;
        this.owner = owner;
        this.requests = requests;
    }

    @Override
    public void onCommand(final Shard shard, final CommandReader command)
    {
        final int type = command.type();
        if (type == OwnerCommands.REPLY)
        {
            exchanges.onReply(shard, command);
        }
        else if (type == OwnerCommands.SYNC)
        {
            final int origin = command.getInt();
            shard.answer(origin, OwnerCommands.reply(shard.commandWriter(), command.getLong(), 204, 0, null));
        }
        else if (SessionCommandAdapter.handles(type))
        {
            sessions.onCommand(shard, command);
        }
        else if (SessionRequestAdapter.handles(type))
        {
            requests.onCommand(shard, command);
        }
        else if (OwnerCommandAdapter.handles(type))
        {
            owner.onCommand(shard, command);
        }
        else
        {
            throw new IllegalArgumentException("no handler for command type " + type);
        }
    }

    @Override
    public void failed(final Shard shard, final CommandReader command, final Throwable cause)
    {
        final int type = command.type();
        if (type == OwnerCommands.REPLY)
        {
            // the origin's node is down (answers are never refused for a full queue: Shard.answer); if it comes
            // back, a restarted node answered its waiting requests 503 already, else they time out there (504)
            if (LOST_REPLIES.admit())
            {
                LOG.warn("shard {}: a REST answer was lost ({})", shard.id(), cause.toString());
            }
        }
        else if (type == OwnerCommands.SYNC)
        {
            command.getInt();
            exchanges.syncAnswered(command.getLong()); // its node is down or unreachable: nothing more to wait for
        }
        else if (SessionCommandAdapter.handles(type))
        {
            sessions.failed(shard, command, cause);
        }
        else if (SessionRequestAdapter.handles(type))
        {
            requests.failed(shard, command, cause);
        }
        else if (OwnerCommandAdapter.handles(type))
        {
            owner.failed(shard, command, cause);
        }
    }

    /**
     * A request of this shard (a REST command whose origin is this shard) went to another node: its waiting exchange
     * notes the node, so that it is answered at once if that node restarts without answering it.
     */
    @Override
    public void sentToNode(final Shard shard, final int node, final org.agrona.DirectBuffer bytes, final int length)
    {
        if (length >= OwnerCommands.REQUEST_CORRELATION_OFFSET + Long.BYTES
            && OwnerCommandAdapter.handles(bytes.getInt(0))
            && bytes.getInt(OwnerCommands.REQUEST_ORIGIN_OFFSET) == shard.address())
        {
            final long correlation = bytes.getLong(OwnerCommands.REQUEST_CORRELATION_OFFSET);
            exchanges.sentTo(correlation, node);
            final int type = bytes.getInt(0);
            if (OwnerCommands.postFirstTry(type) || OwnerCommands.again(type) || OwnerCommands.sentAgainAsIs(type))
            {
                exchanges.remember(correlation, bytes, length); // sent again if that node's answer will not come
            }
        }
    }

    /**
     * What a node of a cluster holds back at its start until its peers follow it again ({@code Shard#holdCommands}):
     * every owner command and session request — anything that could produce an event — but the ones by which the
     * peers follow it again (a session's guild subscription and its end, where a user's sessions are), which the
     * hold waits for. Answers and what owners send to sessions run as they arrive.
     *
     * @param type a command type.
     * @return whether it is held.
     */
    static boolean heldAtStart(final int type)
    {
        return (OwnerCommandAdapter.handles(type) || SessionRequestAdapter.handles(type))
            && type != OwnerCommands.SUBSCRIBE && type != OwnerCommands.UNSUBSCRIBE
            && type != OwnerCommands.USER_SESSIONS;
    }

    @Override
    public String commandName(final int type)
    {
        return OwnerCommands.name(type);
    }
}
