package dev.pinwheel.gateway.owner;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Mentions;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.codec.Intents;

/**
 * Direct messages. A DM channel belongs to two users; it is opened on the shard that owns the user pair
 * ({@link DmProxy#pairKey}: one writer per pair, so opening twice gives the same channel) and journaled there
 * ({@code DM_CREATED}, into the node's directory). Its messages live on the shard that owns the channel id, like a
 * guild's on its owner: that shard journals them and sends each event to both users ({@link UserEvents}: over the
 * ordered shard-to-shard path, to the shards holding their sessions only), in the order it produced them. Only the
 * channel's two users reach it (others: 10003). Reads each command in the order {@link DmProxy} wrote it; answers
 * only through {@link Reply}. Runs on the shard named by each operation.
 */
public final class DmService
{
    private static final HistoryQuery[] QUERIES = HistoryQuery.values();

    private final NodeState node;
    private final UserEvents users;
    private FileReleases files = FileReleases.NONE;

    /**
     * @param node  the node's directories (accounts, DM channels).
     * @param users sends an event to every session of a user.
     */
    public DmService(final NodeState node, final UserEvents users)
    {
        this.node = node;
        this.users = users;
    }

    /**
     * @param value told which attachments a DM's message post binds and its deletion drops (the node's file store).
     * @return this.
     */
    public DmService files(final FileReleases value)
    {
        this.files = value;
        return this;
    }

    /**
     * {@link OwnerCommands#DM_OPEN}: recipient. On the pair's owner: the pair's channel, opened if it is not yet.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 with the channel).
     */
    public void open(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long recipient = command.getLong();
        final long me = reply.userId();
        long channelId = node.directory().dmBetween(me, recipient);
        if (channelId == 0)
        {
            channelId = owner.ids().next();
            StateLog.commit(owner, node, StateRecords.DM_CREATED, StateRecords.dmCreated(channelId, me, recipient));
        }
        final ObjectNode body = channel(channelId, me, 0);
        owner.afterCommit(() -> reply.ok(200, body));
    }

    /**
     * {@link OwnerCommands#DM_CHANNEL_GET}: channel.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 with the channel and its newest message id).
     */
    public void channel(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long channelId = command.getLong();
        if (member(owner, channelId, reply))
        {
            reply.ok(200, channel(channelId, reply.userId(), owner.store().lastMessageId(channelId)));
        }
    }

    /**
     * {@link OwnerCommands#DM_MESSAGE_POST}: channel, content, tts, nonce, embeds JSON.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 with the message, once durable).
     */
    public void post(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long channelId = command.getLong();
        final String content = command.getString();
        final boolean tts = command.getBoolean();
        final String nonce = command.getString();
        final String embeds = command.getString();
        final Mentions.Allowed allowed = MessageService.allowed(command);
        final String attachments = command.type() == OwnerCommands.DM_MESSAGE_POST_FILES ? command.getString() : null;
        final long[] attachmentIds = attachments == null ? new long[0]
            : Attachments.ids("{\"attachments\":" + attachments + "}");
        if (!member(owner, channelId, reply))
        {
            files.release(attachmentIds);
            return;
        }
        final String requestKey = MessageService.requestKey(owner, command);
        final StoredMessage earlier = MessageService.earlier(owner, command, channelId, requestKey);
        if (earlier != null)
        {
            // the first try's (its node died before it answered, and perhaps before the event left): its event again,
            // which the shards that delivered it skip (MessageService#deliverAgain)
            final byte[] answer = Json.bytes(Entities.message(earlier, node.accounts(), nonce));
            final Dispatch again = new Dispatch("MESSAGE_CREATE", answer, null, Intents.DIRECT_MESSAGES, 0,
                earlier.authorId(), 0, null, null, earlier.id(), true);
            owner.afterCommit(() ->
            {
                reply.ok(200, answer);
                deliver(owner, channelId, again);
            });
            return;
        }
        // users only: a DM has no roles and no @everyone
        final MessageMentions.Resolved mentions = MessageMentions.resolve(null, 0, reply.userId(), content, allowed,
            null, node.accounts());
        final String extra = Attachments.withAttachments(MessageMentions.withMentions(MessageExtras.extra(embeds, 0,
            channelId, 0), mentions), attachments);
        final StoredMessage m = new StoredMessage(owner.ids().next(), channelId, 0, reply.userId(), content, 0, 0, tts,
            false, requestKey == null ? extra : MessageExtras.withRequest(extra, requestKey));
        files.bind(owner, channelId, channelId, m.id(), attachmentIds); // a DM's files: the channel is their scope
        owner.store().appendMessage(m);
        final byte[] body = Json.bytes(Entities.message(m, node.accounts(), nonce));
        final Dispatch event = new Dispatch("MESSAGE_CREATE", body, null, Intents.DIRECT_MESSAGES, 0, m.authorId(), 0,
            null, null, m.id(), false);
        final long[] notified = dmNotified(channelId, mentions, reply.userId());
        owner.afterCommit(() ->
        {
            reply.ok(200, body);
            deliver(owner, channelId, event);
            if (notified.length > 0)
            {
                ReadStateProxy.mentioned(owner, channelId, m.id(), notified);
            }
        });
    }

    /** The other user of the DM, when the message mentions them. */
    private long[] dmNotified(final long channelId, final MessageMentions.Resolved mentions, final long authorId)
    {
        final long[] pair = node.directory().dmUsers(channelId);
        for (final long u : mentions.users())
        {
            if (u != authorId && pair != null && (u == pair[0] || u == pair[1]))
            {
                return new long[] {u};
            }
        }
        return new long[0];
    }

    /**
     * {@link OwnerCommands#DM_MESSAGE_EDIT}: channel, message, content (null: keep). The author only (50005); an edit
     * that leaves the message with neither text nor embeds is 50006.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 with the message, once durable).
     */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final String content = command.getString();
        final Mentions.Allowed allowed = MessageService.allowed(command);
        final long sentAgainAt = OwnerCommands.sentAgainAt(command);
        final StoredMessage m = message(owner, channelId, messageId, reply);
        if (m == null)
        {
            return;
        }
        if (m.authorId() != reply.userId())
        {
            reply.error(DiscordError.EDIT_OTHERS_MESSAGE);
            return;
        }
        if (MessageService.editedSince(owner, m, sentAgainAt))
        {
            reply.ok(200, Json.bytes(Entities.message(m, node.accounts(), null)));
            return;
        }
        if (content != null && content.isBlank() && !MessageExtras.hasEmbeds(m.extra()))
        {
            reply.error(DiscordError.EMPTY_MESSAGE);
            return;
        }
        StoredMessage edited = content == null ? m : m.withEdit(content, System.currentTimeMillis());
        if (content != null)
        {
            final String base = edited.extra() == null ? null
                : MessageExtras.toExtra(MessageMentions.withoutMentions(MessageExtras.parseExtra(edited.extra())));
            edited = edited.withExtra(MessageMentions.withMentions(base, MessageMentions.resolve(null, 0,
                reply.userId(), content, allowed, null, node.accounts())));
        }
        if (content != null)
        {
            owner.store().appendMessage(edited);
        }
        final byte[] body = Json.bytes(Entities.message(edited, node.accounts(), null));
        final Dispatch event = new Dispatch("MESSAGE_UPDATE", body, null, Intents.DIRECT_MESSAGES, 0, m.authorId(), 0);
        owner.afterCommit(() ->
        {
            reply.ok(200, body);
            deliver(owner, channelId, event);
        });
    }

    /**
     * {@link OwnerCommands#DM_MESSAGE_DELETE}: channel, message. The author only (50003, as on Discord).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (204, once durable).
     */
    public void delete(final Shard owner, final CommandReader command, final Reply reply)
    {
        delete(owner, command.getLong(), command.getLong(), reply);
    }

    private void delete(final Shard owner, final long channelId, final long messageId, final Reply reply)
    {
        final StoredMessage m = message(owner, channelId, messageId, reply);
        if (m == null)
        {
            return;
        }
        if (m.authorId() != reply.userId())
        {
            reply.error(DiscordError.DM_ACTION);
            return;
        }
        owner.store().deleteMessage(channelId, messageId);
        final long[] dropped = Attachments.ids(m.extra());
        if (dropped.length > 0)
        {
            owner.afterCommit(() -> files.release(dropped));
        }
        final ObjectNode d = Json.object();
        d.put("id", Json.id(messageId));
        d.put("channel_id", Json.id(channelId));
        final Dispatch event = new Dispatch("MESSAGE_DELETE", Json.bytes(d), null, Intents.DIRECT_MESSAGES, 0, 0, 0);
        owner.afterCommit(() ->
        {
            reply.ok(204, (byte[])null);
            deliver(owner, channelId, event);
        });
    }

    /**
     * {@link OwnerCommands#MESSAGE_DELETE_COPY} of a DM (guild 0, read by the caller): channel, message (0: the one
     * found by request key), the message to keep, the request key — the second copy of a DM written by both tries of a
     * post sent again, deleted on its author's behalf (as {@link MessageService#deleteCopy}).
     *
     * @param owner   this shard.
     * @param command the command, after its guild.
     * @param reply   the answer (204 once durable; 404 if there is no such copy).
     */
    public void deleteCopy(final Shard owner, final CommandReader command, final Reply reply)
    {
        final MessageService.CopyRequest copy = MessageService.CopyRequest.read(command, reply);
        final long messageId = copy == null ? 0 : copy.find(owner, reply);
        if (messageId != 0)
        {
            delete(owner, copy.channelId(), messageId, reply);
            copy.done();
        }
    }

    /**
     * {@link OwnerCommands#DM_MESSAGE_GET}: channel, message.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final StoredMessage m = message(owner, channelId, messageId, reply);
        if (m != null)
        {
            reply.ok(200, Entities.message(m, node.accounts(), null, reply.userId()));
        }
    }

    /**
     * {@link OwnerCommands#DM_MESSAGE_HISTORY}: channel, query ordinal, anchor, limit.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void history(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long channelId = command.getLong();
        final HistoryQuery query = QUERIES[command.getInt()];
        final long anchor = command.getLong();
        final int limit = command.getInt();
        if (!member(owner, channelId, reply))
        {
            return;
        }
        final List<StoredMessage> page = owner.store().history(channelId, query, anchor, limit);
        final ArrayNode arr = Json.array();
        for (final StoredMessage m : page)
        {
            arr.add(Entities.message(m, node.accounts(), null, reply.userId()));
        }
        reply.ok(200, arr);
    }

    /**
     * @return whether the user is one of the channel's two (503 answered while its key is elsewhere or moving, 10003
     *         otherwise).
     */
    private boolean member(final Shard owner, final long channelId, final Reply reply)
    {
        if (GuildAccess.elsewhere(owner, channelId))
        {
            reply.error(DiscordError.GUILD_MOVING); // the DM's key moves (or left): no stale copy is served
            return false;
        }
        final long[] pair = node.directory().dmUsers(channelId);
        if (pair == null || (pair[0] != reply.userId() && pair[1] != reply.userId()))
        {
            // a node that restarted learns the DM pairs other nodes keep from their catch-up: until then unknown is
            // "not yet" (503), not 404 (a post sent again to it, written by its first try, was answered 404)
            reply.error(pair == null && (node.directory().learning() || !peersCaughtUp(owner))
                ? DiscordError.CHANNEL_NOT_YET_KNOWN
                : DiscordError.UNKNOWN_CHANNEL);
            return false;
        }
        return true;
    }

    /** @return whether every other node's shards have caught this start of the node up (always on a single node). */
    private static boolean peersCaughtUp(final Shard owner)
    {
        final dev.pinwheel.core.shard.ClusterLink link = owner.group().clusterLink();
        if (link == null)
        {
            return true;
        }
        for (int n = 0; n < link.nodes(); n++)
        {
            for (int k = 0; n != owner.group().nodeId() && k < owner.group().shardCount(); k++)
            {
                if (!link.caughtUp(dev.pinwheel.core.routing.ShardRoute.of(n, k)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private StoredMessage message(final Shard owner, final long channelId, final long messageId, final Reply reply)
    {
        if (!member(owner, channelId, reply))
        {
            return null;
        }
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
        }
        return m;
    }

    /** The DM channel object (type 1) as {@code viewer} sees it: the other user is the recipient. */
    private ObjectNode channel(final long channelId, final long viewer, final long lastId)
    {
        final long[] pair = node.directory().dmUsers(channelId);
        final long other = pair[0] == viewer ? pair[1] : pair[0];
        final ObjectNode o = Json.object();
        o.put("id", Json.id(channelId));
        o.put("type", 1);
        if (lastId == 0)
        {
            o.putNull("last_message_id");
        }
        else
        {
            o.put("last_message_id", Json.id(lastId));
        }
        o.put("flags", 0);
        o.putArray("recipients").add(Entities.user(node.accounts().get(other), other));
        return o;
    }

    /** Each of the channel's two users gets the event on every session, in the channel's order. */
    private void deliver(final Shard owner, final long channelId, final Dispatch event)
    {
        for (final long user : node.directory().dmUsers(channelId))
        {
            users.send(owner, user, event);
        }
    }
}
