package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.ReadStates;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.Json;

/**
 * The read states of the users a shard owns (Discord's user-account API): acks, mention counts and the
 * {@code read_state} of READY. Every change is a journaled state record ({@link StateRecords#READ_STATE_ACK},
 * {@link StateRecords#READ_STATE_MENTION}) applied to the shard's {@link ReadStates}, acknowledged once durable:
 * <pre>
 *   POST …/messages/{m}/ack, /read-states/ack-bulk ─▶ owner(user): journal, apply
 *                                                  ─▶ 200 {"token":null} / 204, MESSAGE_ACK to the user's sessions
 *   guild owner, a message is durable ─READ_STATE_MENTIONS─▶ owner(user): journal one mention per user
 *   IDENTIFY of a user account ─READ_STATES_GET─▶ owner(user) ─READ_STATES─▶ the session's shard: READY
 * </pre>
 * Shard thread only.
 */
public final class ReadStateService
{
    private static final String NEVER_PINNED = "1970-01-01T00:00:00+00:00";

    private final NodeState node;
    private final UserEvents users;

    /**
     * @param node  the node's directories (the journal's records apply to them too).
     * @param users sends MESSAGE_ACK to every session of a user.
     */
    public ReadStateService(final NodeState node, final UserEvents users)
    {
        this.node = node;
        this.users = users;
    }

    /**
     * {@link OwnerCommands#READ_STATE_ACK}: channel, message. The route checked that the user may read the channel.
     *
     * @param owner   this shard (the user's owner).
     * @param command the command, after its header.
     * @param reply   the answer: 200 {@code {"token":null}}.
     */
    public void ack(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final long userId = reply.userId();
        StateLog.commit(owner, node, StateRecords.READ_STATE_ACK, StateRecords.readState(userId, channelId,
            messageId));
        final Dispatch event = messageAck(owner, userId, channelId, messageId);
        owner.afterCommit(() ->
        {
            reply.ok(200, "{\"token\":null}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            users.send(owner, userId, event);
        });
    }

    /**
     * {@link OwnerCommands#READ_STATE_ACK_BULK}: channels, messages (checked by the route).
     *
     * @param owner   this shard (the user's owner).
     * @param command the command, after its header.
     * @param reply   the answer: 204.
     */
    public void ackBulk(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long[] channels = command.getLongs();
        final long[] messages = command.getLongs();
        final long userId = reply.userId();
        final Dispatch[] events = new Dispatch[channels.length];
        for (int i = 0; i < channels.length; i++)
        {
            StateLog.commit(owner, node, StateRecords.READ_STATE_ACK, StateRecords.readState(userId, channels[i],
                messages[i]));
            events[i] = messageAck(owner, userId, channels[i], messages[i]);
        }
        owner.afterCommit(() ->
        {
            reply.ok(204, (byte[])null);
            for (final Dispatch e : events)
            {
                users.send(owner, userId, e);
            }
        });
    }

    private static Dispatch messageAck(final Shard owner, final long userId, final long channelId,
        final long messageId)
    {
        final ReadStates.User u = owner.guilds().readStates().of(userId);
        final ReadStates.Entry e = owner.guilds().readStates().entry(userId, channelId);
        final ObjectNode d = Json.object();
        d.put("version", u == null ? 0 : u.version());
        d.put("message_id", Json.id(messageId));
        d.put("channel_id", Json.id(channelId));
        d.put("mention_count", e == null ? 0 : e.mentionCount());
        d.put("flags", 0);
        d.putNull("last_viewed");
        return new Dispatch("MESSAGE_ACK", Json.bytes(d), null, 0, 0, 0, userId);
    }

    /**
     * {@link OwnerCommands#READ_STATE_MENTIONS}: channel, message, users (this shard owns them). One journaled
     * record per user. A failure (the store refuses) loses these counts only; the message itself is durable.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void mentioned(final Shard owner, final CommandReader command)
    {
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        for (final long userId : command.getLongs())
        {
            StateLog.commit(owner, node, StateRecords.READ_STATE_MENTION, StateRecords.readState(userId, channelId,
                messageId));
        }
    }

    /**
     * {@link OwnerCommands#READ_STATES_GET}: user, session id, shard. Answers {@link OwnerCommands#READ_STATES}.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void snapshot(final Shard owner, final CommandReader command)
    {
        final long userId = command.getLong();
        final String sessionId = command.getString();
        final int target = command.getInt();
        answer(owner, target, sessionId, Json.bytes(readState(owner.guilds().readStates().of(userId))));
    }

    /**
     * {@link #snapshot} failed or cannot run: READY goes without read states rather than never.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    static void answerEmpty(final Shard owner, final CommandReader command)
    {
        command.getLong();
        final String sessionId = command.getString();
        answer(owner, command.getInt(), sessionId, null);
    }

    private static void answer(final Shard owner, final int target, final String sessionId, final byte[] json)
    {
        owner.send(target, owner.commandWriter().begin(OwnerCommands.READ_STATES).putString(sessionId)
            .putBytes(json));
    }

    /**
     * @param u a user's read states, or null.
     * @return Discord's {@code read_state} object of READY.
     */
    static ObjectNode readState(final ReadStates.User u)
    {
        final ObjectNode o = Json.object();
        o.put("version", u == null ? 0 : u.version());
        o.put("partial", false);
        final ArrayNode entries = o.putArray("entries");
        if (u != null)
        {
            u.channels().forEach((channelId, e) -> entries.addObject()
                .put("id", Json.id(channelId))
                .put("last_message_id", Json.id(e.lastMessageId()))
                .put("mention_count", e.mentionCount())
                .put("last_pin_timestamp", NEVER_PINNED));
        }
        return o;
    }
}
