package dev.pinwheel.gateway.owner;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Mentions;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.codec.MessageJson;

/**
 * The messages of the guild channels a shard owns: create, edit, delete, bulk delete, read one, read history. Runs on
 * the owner shard (single writer of the guild and its journal); each operation reads its command's fields in the
 * order {@link MessageProxy} wrote them and answers only through its {@link Reply}. A write is answered and fanned
 * out only once durable ({@code Shard#afterCommit}); its event is encoded once for every recipient.
 */
public final class MessageService
{
    private static final HistoryQuery[] QUERIES = HistoryQuery.values();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MessageService.class);
    private static final dev.pinwheel.core.log.ThrottledLog POSTS_AGAIN = new dev.pinwheel.core.log.ThrottledLog(LOG,
        org.slf4j.event.Level.INFO, "posts sent again", 10, 10_000);

    private final Accounts accounts;
    private final AuditLog audit;
    private final MessageJson json = new MessageJson();
    private final FileReleases files;

    /**
     * @param accounts the node's accounts (authors in message bodies).
     * @param audit    the guilds' audit logs (moderators' deletes).
     */
    public MessageService(final Accounts accounts, final AuditLog audit)
    {
        this(accounts, audit, FileReleases.NONE);
    }

    /**
     * @param accounts the node's accounts (authors in message bodies).
     * @param audit    the guilds' audit logs (moderators' deletes).
     * @param files    told which attachments deletes and edits dropped, once committed.
     */
    public MessageService(final Accounts accounts, final AuditLog audit, final FileReleases files)
    {
        this.accounts = accounts;
        this.audit = audit;
        this.files = files;
    }

    /**
     * {@link OwnerCommands#MESSAGE_POST}: guild, channel, content, tts, flags, nonce, embeds JSON, reply-to,
     * reply channel, fail-if-not-exists.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void post(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final String content = command.getString();
        final boolean tts = command.getBoolean();
        final int flags = command.getInt();
        final String nonce = command.getString();
        final String embeds = command.getString();
        long replyTo = command.getLong();
        final long replyChannelGiven = command.getLong();
        final boolean failIfNotExists = command.getBoolean();
        final Mentions.Allowed allowed = allowed(command);
        final String components = command.getString();
        final String attachments = command.getString();

        final Guild g = GuildAccess.guild(owner, guildId, reply);
        final GuildChannel c = g == null ? null : GuildAccess.channel(g, channelId, reply);
        if (c == null)
        {
            release(attachments);
            return;
        }
        final String requestKey = requestKey(owner, command);
        final StoredMessage earlier = earlier(owner, command, channelId, requestKey);
        if (earlier != null)
        {
            // written by the first try (whose node died before it answered): that message is the answer; its files
            // are that message's (not released)
            final byte[] answer = Json.bytes(Entities.message(earlier, accounts, nonce, reply.userId()));
            deliverAgain(owner, g, earlier, nonce, answer, reply);
            return;
        }
        final long granted = Permissions.in(g, reply.userId(), c);
        final long needed = Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES
            | (attachments == null ? 0 : Permissions.ATTACH_FILES);
        if (!Permissions.has(granted, needed))
        {
            release(attachments);
            reply.error(Permissions.has(granted, Permissions.VIEW_CHANNEL) ? DiscordError.MISSING_PERMISSIONS
                : DiscordError.MISSING_ACCESS);
            return;
        }
        if (c.type() == GuildChannel.CATEGORY)
        {
            reply.error(DiscordError.NON_TEXT_CHANNEL);
            return;
        }
        final long replyChannel = replyChannelGiven == 0 ? channelId : replyChannelGiven;
        StoredMessage referenced = null;
        if (replyTo != 0)
        {
            referenced = g.channel(replyChannel) == null ? null : owner.store().message(replyChannel, replyTo);
            if (referenced == null && failIfNotExists)
            {
                release(attachments);
                reply.invalidField("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message");
                return;
            }
            replyTo = referenced == null ? 0 : replyTo;
        }
        final MessageMentions.Resolved mentions = MessageMentions.resolve(g, granted, reply.userId(), content, allowed,
            referenced, accounts);
        final String extra = Attachments.withAttachments(withComponents(MessageMentions.withMentions(
            MessageExtras.extra(embeds, replyTo, replyChannel, guildId), mentions), components), attachments);
        final StoredMessage m = new StoredMessage(owner.ids().next(), channelId, guildId, reply.userId(), content, 0,
            flags, tts, false, requestKey == null ? extra : MessageExtras.withRequest(extra, requestKey));
        if (attachments != null)
        {
            files.bind(owner, guildId, channelId, m.id(), Attachments.ids("{\"attachments\":" + attachments + "}"));
        }
        owner.store().appendMessage(m);
        acknowledge(owner, g, m, nonce, "MESSAGE_CREATE", referenced, reply);
        final long[] notified = MessageMentions.notified(g, c, mentions, reply.userId());
        if (notified.length > 0)
        {
            // the mention counts of those pinged grow on their own owners, once the message is durable
            owner.afterCommit(() -> ReadStateProxy.mentioned(owner, channelId, m.id(), notified));
        }
    }

    /**
     * Answers a post sent again with the message its first try wrote, and sends that message's MESSAGE_CREATE again,
     * marked as such ({@link Dispatch#sentAgain}): the node that wrote it may have died after the write and before its
     * event left (the answer was lost with it, which is why the post came again), and then no session ever got it.
     * Each shard that delivered the event before skips it ({@link dev.pinwheel.core.fanout.DeliveredKeys}); one that
     * never did delivers it, now. Its mentions are not counted again.
     *
     * @param owner   this shard.
     * @param g       the guild.
     * @param m       the message the first try wrote.
     * @param nonce   the client's nonce, or null.
     * @param answer  the REST answer (the message).
     * @param reply   where to answer.
     */
    private void deliverAgain(final Shard owner, final Guild g, final StoredMessage m, final String nonce,
        final byte[] answer, final Reply reply)
    {
        final Encoded encoded = encode(g, m, nonce, "MESSAGE_CREATE", referenced(owner, g, m));
        owner.afterCommit(() ->
        {
            final Dispatch event = ChannelEvents.withAudience(g, m.channelId(), encoded.event().sentAgain());
            owner.publishToOtherNodes(g, event);
            reply.ok(200, answer);
            owner.publishOnThisNode(g, event);
        });
    }

    /** @return the message {@code m} replies to, if it is one and that message is still there; else null. */
    private static StoredMessage referenced(final Shard owner, final Guild g, final StoredMessage m)
    {
        final com.fasterxml.jackson.databind.JsonNode ref = MessageExtras.parseExtra(m.extra()).path(
            "message_reference");
        final long replyTo = Json.parseId(ref.path("message_id").asText("0"));
        final long channel = Json.parseId(ref.path("channel_id").asText(Long.toString(m.channelId())));
        return replyTo <= 0 || g.channel(channel) == null ? null : owner.store().message(channel, replyTo);
    }

    /** How far back {@link #written} looks: a post is sent again within seconds of its first try. */
    private static final long AGAIN_WINDOW_MILLIS = java.util.concurrent.TimeUnit.MINUTES.toMillis(10);
    /** At most this many messages of a channel are searched for a first try (ten pages of the store's history). */
    private static final int AGAIN_PAGES = 10;

    /**
     * A post from another node carries its request's key (origin shard and correlation) into the store, so that the
     * origin can send it again when that node's answer will not come (it restarted, or is unreachable) and get the
     * first try's message, not a second one ({@code ExchangeTable#remember}).
     *
     * @param owner   this shard.
     * @param command a post ({@code MESSAGE_POST}, {@code DM_MESSAGE_POST} or their {@code _AGAIN}).
     * @return its request key, or null for a post from this node (its client's connection dies with the node).
     */
    static String requestKey(final Shard owner, final CommandReader command)
    {
        final int origin = command.intAt(OwnerCommands.REQUEST_ORIGIN_OFFSET);
        return OwnerCommands.again(command.type()) || ShardRoute.remote(origin, owner.group().nodeId())
            ? origin + "." + command.longAt(OwnerCommands.REQUEST_CORRELATION_OFFSET) : null;
    }

    /**
     * @param owner      this shard.
     * @param command    a post.
     * @param channelId  its channel.
     * @param requestKey its request key.
     * @return for a post sent again, the message its first try wrote, or null (a first try; or not written: post it).
     *         A store read not yet done throws (the command runs again when it is: nothing was changed before).
     */
    static StoredMessage earlier(final Shard owner, final CommandReader command, final long channelId,
        final String requestKey)
    {
        if (!OwnerCommands.again(command.type()))
        {
            return null;
        }
        final StoredMessage earlier = written(owner, channelId, requestKey, 0);
        if (POSTS_AGAIN.admit())
        {
            LOG.info("shard {}: post {} sent again (the node it first went to restarted or is unreachable): {}",
                owner.id(), requestKey, earlier == null ? "not written by the first try, posted now"
                    : "written by the first try as message " + earlier.id() + ", answered with it");
        }
        return earlier;
    }

    /**
     * Where each scan of {@link #written} stopped on a store read not yet done, by request key: {anchor, page}. Its
     * re-run goes on from there instead of from the newest page: a store that reads asynchronously (Cassandra) keeps a
     * fetched page only until its next poll, and a channel written to meanwhile shifts its newest pages, so a scan of
     * several pages begun again on each re-run never got past its second fetched page — it timed out (503) on every try
     * and a post sent again into a busy channel waited out the client's 30 s ({@code ClusterChaosTest}). Pages below
     * the anchor do not change (new messages come on top). One map per shard thread; the oldest of more than 256 go.
     */
    private static final ThreadLocal<java.util.LinkedHashMap<String, long[]>> SCANS = ThreadLocal.withInitial(() ->
        new java.util.LinkedHashMap<>(16, 0.75f, false)
        {
            @Override
            protected boolean removeEldestEntry(final java.util.Map.Entry<String, long[]> eldest)
            {
                return size() > 256;
            }
        });

    /**
     * @return the message a post with this request key wrote in the channel (newest first, back to
     *         {@link #AGAIN_WINDOW_MILLIS} or {@link #AGAIN_PAGES} pages), or null. A store read not yet done throws
     *         (the command runs again when it is: nothing was changed before this; the scan goes on where it stopped).
     */
    private static StoredMessage written(final Shard owner, final long channelId, final String requestKey,
        final long skip)
    {
        final long oldest = System.currentTimeMillis() - AGAIN_WINDOW_MILLIS;
        final java.util.Map<String, long[]> scans = SCANS.get();
        final String scan = skip == 0 ? requestKey : requestKey + "/" + skip;
        final long[] resumed = scans.remove(scan);
        long anchor = resumed == null ? 0 : resumed[0];
        for (int page = resumed == null ? 0 : (int)resumed[1]; page < AGAIN_PAGES; page++)
        {
            final List<StoredMessage> messages;
            try
            {
                messages = owner.store().history(channelId, anchor == 0 ? HistoryQuery.LATEST : HistoryQuery.BEFORE,
                    anchor, 100);
            }
            catch (final dev.pinwheel.core.store.ReadPendingException
                | dev.pinwheel.core.store.StoreUnavailableException ex)
            {
                scans.put(scan, new long[] {anchor, page});
                throw ex;
            }
            for (final StoredMessage m : messages)
            {
                if (m.id() != skip && MessageExtras.fromRequest(m.extra(), requestKey))
                {
                    return m;
                }
                anchor = anchor == 0 ? m.id() : Math.min(anchor, m.id());
            }
            if (messages.size() < 100 || SnowflakeIds.timestampMillis(anchor) < oldest)
            {
                return null;
            }
        }
        return null;
    }

    /** Reads the allowed_mentions a message command carries (after its other fields). */
    static Mentions.Allowed allowed(final CommandReader command)
    {
        return new Mentions.Allowed(command.getInt(), command.getLongs(), command.getLongs(), null, null, null);
    }

    /**
     * @param extra      a message's extra JSON text, or null.
     * @param components validated components as a JSON array, or null ({@code []}: none).
     * @return the extra with the components (kept with the message, journaled, returned in history).
     */
    static String withComponents(final String extra, final String components)
    {
        if (components == null || "[]".equals(components))
        {
            return extra;
        }
        final ObjectNode o = MessageExtras.parseExtra(extra);
        o.set("components", Json.parse(components));
        return MessageExtras.toExtra(o);
    }

    /** Gives back the files of an upload that did not become a message. */
    private void release(final String attachmentsJson)
    {
        if (attachmentsJson != null)
        {
            files.release(Attachments.ids("{\"attachments\":" + attachmentsJson + "}"));
        }
    }

    /**
     * {@link OwnerCommands#MESSAGE_EDIT}: guild, channel, message, content (null: keep), embeds JSON (null: keep).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final String content = command.getString();
        final String embedsJson = command.getString();
        final Mentions.Allowed allowed = allowed(command);
        final String componentsJson = command.getString();
        final String attachmentsEdit = command.getString();
        final long sentAgainAt = OwnerCommands.sentAgainAt(command);
        final String added = Attachments.added(attachmentsEdit);

        final Guild g = GuildAccess.guild(owner, guildId, reply);
        final GuildChannel c = g == null ? null : GuildAccess.channel(g, channelId, reply);
        if (c == null)
        {
            release(added);
            return;
        }
        final StoredMessage original = owner.store().message(channelId, messageId);
        if (original == null)
        {
            release(added);
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        if (original.authorId() != reply.userId())
        {
            release(added);
            reply.error(DiscordError.EDIT_OTHERS_MESSAGE);
            return;
        }
        if (editedSince(owner, original, sentAgainAt))
        {
            // its files, if it added any, are the first try's (bound if it landed; else left to the sweeper)
            reply.ok(200, Entities.message(original, accounts, null, reply.userId()));
            return;
        }
        if (added != null && !Permissions.has(Permissions.in(g, reply.userId(), c), Permissions.ATTACH_FILES))
        {
            release(added);
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return;
        }
        final long[] dropped = attachmentsEdit == null ? null : Attachments.dropped(original.extra(), attachmentsEdit);
        final StoredMessage m = attachmentsEdit == null ? original : original.withEdit(original.content(),
            Attachments.edited(original.extra(), attachmentsEdit), System.currentTimeMillis());
        StoredMessage edited;
        if (embedsJson == null)
        {
            if (content != null && content.isBlank() && !MessageExtras.hasEmbeds(m.extra())
                && !Attachments.has(m.extra()))
            {
                reply.error(DiscordError.EMPTY_MESSAGE);
                return;
            }
            edited = content == null ? m : m.withEdit(content, System.currentTimeMillis());
        }
        else
        {
            // new embeds replace the old ones; a reply stays a reply, reactions stay
            final ArrayNode embeds = (ArrayNode)Json.parse(embedsJson);
            final String text = content == null ? m.content() : content;
            if (text.isBlank() && embeds.isEmpty() && !Attachments.has(m.extra()))
            {
                release(added);
                reply.error(DiscordError.EMPTY_MESSAGE);
                return;
            }
            final ObjectNode kept = MessageExtras.parseExtra(m.extra());
            if (embeds.isEmpty())
            {
                kept.remove("embeds");
            }
            else
            {
                kept.set("embeds", embeds);
            }
            edited = m.withEdit(text, MessageExtras.toExtra(kept), System.currentTimeMillis());
        }
        if (content != null)
        {
            // new text: its mentions are decided again (edits notify nobody, as on Discord)
            final String base = edited.extra() == null ? null
                : MessageExtras.toExtra(MessageMentions.withoutMentions(MessageExtras.parseExtra(edited.extra())));
            edited = edited.withExtra(MessageMentions.withMentions(base, MessageMentions.resolve(g,
                Permissions.in(g, reply.userId(), c), reply.userId(), content, allowed, null, accounts)));
        }
        if (componentsJson != null)
        {
            final ObjectNode kept = MessageExtras.parseExtra(edited.extra());
            kept.remove("components");
            edited = edited.withEdit(edited.content(), withComponents(MessageExtras.toExtra(kept), componentsJson),
                System.currentTimeMillis());
        }
        if (added != null)
        {
            files.bind(owner, guildId, channelId, messageId, Attachments.ids("{\"attachments\":" + added + "}"));
        }
        if (content != null || embedsJson != null || componentsJson != null || attachmentsEdit != null)
        {
            owner.store().appendMessage(edited);
        }
        if (dropped != null && dropped.length > 0)
        {
            owner.afterCommit(() -> files.release(dropped));
        }
        acknowledge(owner, g, edited, null, "MESSAGE_UPDATE", null, reply);
    }

    /**
     * An edit sent again ({@link OwnerCommands#messageEdit}) is not applied to a message edited since it was first
     * sent: by its own first try (whose answer was lost), or by a later edit of the author's, which it would overwrite
     * with older text. Its client gets the message as it is.
     *
     * @param owner       this shard.
     * @param message     the message.
     * @param sentAgainAt when the edit was first sent ({@link OwnerCommands#sentAgainAt}; 0: a first try).
     * @return whether it is left as it is.
     */
    static boolean editedSince(final Shard owner, final StoredMessage message, final long sentAgainAt)
    {
        if (sentAgainAt <= 0 || message.editedTimestampMillis() < sentAgainAt)
        {
            return false;
        }
        LOG.info("shard {}: an edit sent again found message {} edited since it was first sent ({} ms later): left as "
            + "it is", owner.id(), message.id(), message.editedTimestampMillis() - sentAgainAt);
        return true;
    }

    /**
     * {@link OwnerCommands#MESSAGE_DELETE}: guild, channel, message. The author or MANAGE_MESSAGES.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void delete(final Shard owner, final CommandReader command, final Reply reply)
    {
        delete(owner, command.getLong(), command.getLong(), command.getLong(), reply);
    }

    /**
     * {@link OwnerCommands#MESSAGE_DELETE_COPY}: guild (read by the caller; 0 is a DM's copy, {@link DmService}),
     * channel, message (0: the one found by request key), the message to keep, the request key. As
     * {@link #delete(Shard, CommandReader, Reply)}, after the store forgets what it holds of the message or the channel
     * (a stalled former owner wrote it behind this one's back); without an id, the newest message of the channel
     * written by that request that is not the one to keep (404 if none).
     *
     * @param owner   this shard.
     * @param guildId the guild.
     * @param command the command, after its guild.
     * @param reply   the answer.
     */
    public void deleteCopy(final Shard owner, final long guildId, final CommandReader command, final Reply reply)
    {
        final CopyRequest copy = CopyRequest.read(command, reply);
        if (copy == null || GuildAccess.guild(owner, guildId, reply) == null)
        {
            return; // answered (a guild moving: asked again later)
        }
        final long messageId = copy.find(owner, reply);
        if (messageId != 0)
        {
            delete(owner, guildId, copy.channelId(), messageId, reply);
            copy.done();
        }
    }

    /**
     * What a {@code MESSAGE_DELETE_COPY} names after its guild: the channel, the message (0: the one found by request
     * key), the message to keep and the post's request key.
     */
    record CopyRequest(long channelId, long given, long keep, String requestKey)
    {
        /**
         * @return the request; null if it names no request key (answered 404).
         */
        static CopyRequest read(final CommandReader command, final Reply reply)
        {
            final CopyRequest r = new CopyRequest(command.getLong(), command.getLong(), command.getLong(),
                command.getString());
            if (r.requestKey() == null)
            {
                reply.error(DiscordError.UNKNOWN_MESSAGE);
                return null;
            }
            return r;
        }

        /**
         * The message to delete: the store first forgets what it holds of it (of the channel, without an id) — once per
         * request: a re-run after a fetch keeps what it read —, then, without an id, the post's other copy is looked
         * for by its request key. The caller deletes it, then calls {@link #done}.
         *
         * @return the message to delete; 0 if there is none (answered 404).
         */
        long find(final Shard owner, final Reply reply)
        {
            final String once = requestKey + "/" + given;
            if (FORGOTTEN.get().add(once))
            {
                owner.store().forget(channelId, given);
            }
            if (given != 0)
            {
                return given;
            }
            // named by its request key (the late answer was a 503 naming no message): the post's other copy, if any
            final StoredMessage copy = written(owner, channelId, requestKey, keep);
            if (copy == null)
            {
                FORGOTTEN.get().remove(once);
                reply.error(DiscordError.UNKNOWN_MESSAGE); // none: only the one its client got
                return 0;
            }
            return copy.id();
        }

        /** The delete ran to its end: a later one of the same request forgets the store's cache again. */
        void done()
        {
            FORGOTTEN.get().remove(requestKey + "/" + given);
        }
    }

    /** Copies searched for by request key whose store caches were dropped already (a scan's re-runs do not again). */
    private static final ThreadLocal<java.util.HashSet<String>> FORGOTTEN =
        ThreadLocal.withInitial(java.util.HashSet::new);

    private void delete(final Shard owner, final long guildId, final long channelId, final long messageId,
        final Reply reply)
    {

        final Guild g = GuildAccess.guild(owner, guildId, reply);
        final GuildChannel c = g == null ? null : GuildAccess.channel(g, channelId, reply);
        if (c == null)
        {
            return;
        }
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        if (m.authorId() != reply.userId() && !Permissions.has(Permissions.in(g, reply.userId(), c),
            Permissions.MANAGE_MESSAGES))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return;
        }
        owner.store().deleteMessage(channelId, messageId);
        final long[] dropped = Attachments.ids(m.extra());
        if (dropped.length > 0)
        {
            owner.afterCommit(() -> files.release(dropped)); // the bytes go once no message refers to them
        }
        if (m.authorId() != reply.userId())
        {
            // a moderator deleting another's message: recorded, as on Discord (one's own deletes are not)
            audit.record(owner, g, reply, AuditLog.MESSAGE_DELETE, m.authorId(), null, Json.object()
                .put("channel_id", Json.id(channelId)).put("count", "1"));
        }
        final ObjectNode d = Json.object();
        d.put("id", Json.id(messageId));
        d.put("channel_id", Json.id(channelId));
        d.put("guild_id", Json.id(guildId));
        final Dispatch event = new Dispatch("MESSAGE_DELETE", Json.bytes(d), null, Intents.GUILD_MESSAGES, guildId, 0,
            0);
        owner.afterCommit(() ->
        {
            reply.ok(204, (byte[])null);
            ChannelEvents.publish(owner, g, channelId, event);
        });
    }

    /**
     * {@link OwnerCommands#MESSAGE_BULK_DELETE}: guild, channel, ids (MANAGE_MESSAGES; the ids were checked by the
     * route). Deletes those that are messages of the channel; one MESSAGE_DELETE_BULK with them (none if none was).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void bulkDelete(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long[] messageIds = command.getLongs();

        final GuildChannel c = GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.MANAGE_MESSAGES, reply);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        owner.store().prefetch(channelId, messageIds); // every read before the first delete (a re-run repeats none)
        final ArrayNode deleted = Json.array();
        final java.util.ArrayList<long[]> dropped = new java.util.ArrayList<>();
        for (final long id : messageIds)
        {
            final StoredMessage gone = owner.store().message(channelId, id);
            if (owner.store().deleteMessage(channelId, id))
            {
                deleted.add(Json.id(id));
                if (gone != null && Attachments.has(gone.extra()))
                {
                    dropped.add(Attachments.ids(gone.extra()));
                }
            }
        }
        if (!dropped.isEmpty())
        {
            owner.afterCommit(() -> dropped.forEach(files::release));
        }
        final ObjectNode d = Json.object();
        d.set("ids", deleted);
        d.put("channel_id", Json.id(channelId));
        d.put("guild_id", Json.id(guildId));
        if (!deleted.isEmpty())
        {
            audit.record(owner, g, reply, AuditLog.MESSAGE_BULK_DELETE, channelId, null, Json.object()
                .put("count", Integer.toString(deleted.size())));
        }
        final Dispatch event = deleted.isEmpty() ? null
            : new Dispatch("MESSAGE_DELETE_BULK", Json.bytes(d), null, Intents.GUILD_MESSAGES, guildId, 0, 0);
        owner.afterCommit(() ->
        {
            reply.ok(204, (byte[])null);
            if (event != null)
            {
                ChannelEvents.publish(owner, g, channelId, event);
            }
        });
    }

    /**
     * {@link OwnerCommands#MESSAGE_GET}: guild, channel, message (VIEW_CHANNEL, READ_MESSAGE_HISTORY).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        if (GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.READ_MESSAGE_HISTORY, reply) == null)
        {
            return;
        }
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        reply.ok(200, Entities.message(m, accounts, null, reply.userId()));
    }

    /**
     * {@link OwnerCommands#MESSAGE_HISTORY}: guild, channel, query ordinal, anchor, limit (VIEW_CHANNEL,
     * READ_MESSAGE_HISTORY).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void history(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final HistoryQuery query = QUERIES[command.getInt()];
        final long anchor = command.getLong();
        final int limit = command.getInt();
        if (GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.READ_MESSAGE_HISTORY, reply) == null)
        {
            return;
        }
        final List<StoredMessage> page = owner.store().history(channelId, query, anchor, limit);
        final ArrayNode arr = Json.array();
        for (final StoredMessage m : page)
        {
            arr.add(Entities.message(m, accounts, null, reply.userId()));
        }
        reply.ok(200, arr);
    }

    /**
     * Encodes a message event once (REST body; dispatch with guild_id and member; the same without content for
     * sessions lacking MESSAGE_CONTENT), then, once durable, answers and fans it out. Shared by every operation that
     * makes a new version of a message and answers with it (create, edit).
     *
     * @param owner      this shard.
     * @param g          the guild.
     * @param m          the version.
     * @param nonce      the client's nonce, or null.
     * @param type       MESSAGE_CREATE or MESSAGE_UPDATE.
     * @param referenced the message replied to, or null.
     * @param reply      the answer (200 with the message).
     */
    public void acknowledge(final Shard owner, final Guild g, final StoredMessage m, final String nonce,
        final String type, final StoredMessage referenced, final Reply reply)
    {
        final Encoded encoded = encode(g, m, nonce, type, referenced);
        owner.afterCommit(() ->
        {
            // the other nodes first: the REST answer's write (tens of µs on loopback, where it runs the client's TCP
            // receive) no longer delays their deliveries; this node's sessions after the answer, as before
            final Dispatch event = ChannelEvents.withAudience(g, m.channelId(), encoded.event());
            owner.publishToOtherNodes(g, event);
            reply.ok(200, encoded.rest());
            owner.publishOnThisNode(g, event);
        });
    }

    /**
     * A message version encoded once for everyone: the REST body and the event.
     *
     * @param rest  the message object as REST answers it.
     * @param event the dispatch (full, and redacted for sessions without MESSAGE_CONTENT).
     */
    public record Encoded(byte[] rest, Dispatch event)
    {
    }

    /**
     * Encodes a message version once: the REST body, and the dispatch with guild_id and member, full and without
     * content and embeds (Discord's rule for sessions lacking MESSAGE_CONTENT). For operations that acknowledge a new
     * version their own way (a pin answers 204 and adds CHANNEL_PINS_UPDATE).
     *
     * @param g          the guild.
     * @param m          the version.
     * @param nonce      the client's nonce, or null.
     * @param type       MESSAGE_CREATE or MESSAGE_UPDATE.
     * @param referenced the message replied to, or null.
     * @return the encodings.
     */
    public Encoded encode(final Guild g, final StoredMessage m, final String nonce, final String type,
        final StoredMessage referenced)
    {
        final Member author = g.member(m.authorId());
        final byte[] rest;
        final byte[] full;
        final byte[] redacted;
        long[] mentioned = null;
        if (referenced == null && json.encode(m, accounts.get(m.authorId()), nonce, g.id(), author))
        {
            rest = json.rest(); // a plain message: straight to bytes, once
            full = json.full();
            redacted = json.redacted();
        }
        else
        {
            final ObjectNode body = Entities.message(m, accounts, nonce);
            if (referenced != null)
            {
                body.set("referenced_message", Entities.message(referenced, accounts, null));
            }
            rest = Json.bytes(body);
            mentioned = mentionedIds(body);
            if (mentioned != null)
            {
                MessageMentions.addMembers(body, g, accounts);
            }
            body.put("guild_id", Json.id(g.id()));
            if (author != null)
            {
                body.set("member", Entities.member(author, accounts, false));
            }
            full = Json.bytes(body);
            // without MESSAGE_CONTENT a session sees neither the text nor the embeds (Discord's rule)
            body.put("content", "");
            body.putArray("embeds");
            body.putArray("attachments");
            redacted = Json.bytes(body);
        }
        // a MESSAGE_CREATE is keyed by its message: sent again after its owner died, each shard delivers it once
        return new Encoded(rest, new Dispatch(type, full, redacted, Intents.GUILD_MESSAGES, g.id(), m.authorId(), 0,
            null, mentioned, "MESSAGE_CREATE".equals(type) ? m.id() : 0, false));
    }

    /**
     * @param body a message object.
     * @return the ids of its {@code mentions}, sorted (they see its content without MESSAGE_CONTENT), or null.
     */
    static long[] mentionedIds(final ObjectNode body)
    {
        final com.fasterxml.jackson.databind.JsonNode mentions = body.get("mentions");
        if (mentions == null || mentions.isEmpty())
        {
            return null;
        }
        final long[] ids = new long[mentions.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = Json.parseId(mentions.get(i).path("id").asText());
        }
        java.util.Arrays.sort(ids);
        return ids;
    }
}
