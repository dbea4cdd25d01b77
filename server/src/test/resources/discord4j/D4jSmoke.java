import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import discord4j.common.util.Snowflake;
import discord4j.core.DiscordClientBuilder;
import discord4j.core.GatewayDiscordClient;
import discord4j.core.event.domain.Event;
import discord4j.core.event.domain.InviteCreateEvent;
import discord4j.core.event.domain.WebhooksUpdateEvent;
import discord4j.core.event.domain.channel.TextChannelDeleteEvent;
import discord4j.core.event.domain.channel.TextChannelUpdateEvent;
import discord4j.core.event.domain.channel.TypingStartEvent;
import discord4j.core.event.domain.guild.GuildUpdateEvent;
import discord4j.core.event.domain.role.RoleDeleteEvent;
import discord4j.core.event.domain.role.RoleUpdateEvent;
import discord4j.core.object.entity.Webhook;
import discord4j.core.object.entity.channel.TextChannel;
import discord4j.core.spec.EmbedCreateSpec;
import discord4j.core.spec.InviteCreateSpec;
import discord4j.core.spec.WebhookCreateSpec;
import discord4j.core.event.domain.PresenceUpdateEvent;
import discord4j.core.event.domain.guild.BanEvent;
import discord4j.core.event.domain.guild.MemberLeaveEvent;
import discord4j.core.event.domain.channel.TextChannelCreateEvent;
import discord4j.core.event.domain.guild.MemberUpdateEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.lifecycle.ResumeEvent;
import discord4j.core.event.domain.message.MessageBulkDeleteEvent;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.event.domain.message.MessageDeleteEvent;
import discord4j.core.event.domain.message.MessageUpdateEvent;
import discord4j.core.event.domain.message.ReactionAddEvent;
import discord4j.core.event.domain.message.ReactionRemoveEvent;
import discord4j.core.object.entity.Attachment;
import discord4j.core.object.entity.Guild;
import discord4j.core.object.entity.Member;
import discord4j.core.object.entity.Message;
import discord4j.core.object.entity.Role;
import discord4j.core.object.entity.channel.GuildMessageChannel;
import discord4j.core.object.entity.channel.PrivateChannel;
import discord4j.core.object.presence.ClientActivity;
import discord4j.core.object.presence.ClientPresence;
import discord4j.core.object.presence.Status;
import discord4j.core.object.reaction.ReactionEmoji;
import discord4j.core.retriever.EntityRetrievalStrategy;
import discord4j.core.spec.MessageCreateFields;
import discord4j.core.spec.MessageCreateSpec;
import discord4j.discordjson.json.ApplicationCommandOptionData;
import discord4j.discordjson.json.ApplicationCommandRequest;
import discord4j.gateway.intent.IntentSet;
import discord4j.rest.request.RouterOptions;
import reactor.core.publisher.Flux;

/**
 * Drives two unmodified Discord4J 3.2 bots (Reactor Netty REST client and gateway, API v8: the stable Discord4J
 * line) against a Pinwheel node. Run with the source launcher on Discord4J's own dependency tree (Netty 4.1), not
 * the server's: {@code java -cp CLASSPATH D4jSmoke.java PORT [ALICE_TOKEN BOB_TOKEN CAROL_TOKEN GUILD_ID
 * CHANNEL_ID]} (without the five: it registers d4j_alice and d4j_bob, bots, and d4j_carol, a person, and alice makes
 * the guild). Prints one {@code OK <step>} line per passed step;
 * exits 1 with {@code FAIL <why>} on the first failure. Discord4J is pointed at the node only through its
 * documented option (the router's base URL); the gateway URL comes from {@code GET /gateway}. Bob's REST and
 * gateway go through a TCP relay of this program, which the resume step cuts as a network failure would.
 */
public final class D4jSmoke
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String base;

    public static void main(final String[] args) throws Exception
    {
        final int port = Integer.parseInt(args[0]);
        base = "http://127.0.0.1:" + port + "/api/v8";
        final Thread watchdog = new Thread(() -> {
            try
            {
                Thread.sleep(150_000);
                fail("timed out: the whole run");
            }
            catch (final InterruptedException e)
            {
                // done
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try
        {
            run(port, args);
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            fail(t.toString());
        }
        System.out.flush();
        System.exit(0);
    }

    private static void run(final int port, final String[] args) throws Exception
    {
        final String aliceToken;
        final String bobToken;
        final String carolToken;
        final Snowflake guildId;
        final Snowflake channelId;
        if (args.length == 6)
        {
            // made by the caller (a cluster test: a guild another node owns): alice owns it, bob and carol are in it
            aliceToken = args[1];
            bobToken = args[2];
            carolToken = args[3];
            guildId = Snowflake.of(args[4]);
            channelId = Snowflake.of(args[5]);
        }
        else
        {
            aliceToken = register("d4j_alice", true);
            bobToken = register("d4j_bob", true);
            carolToken = register("d4j_carol", false);
            final JsonNode guild = rest("POST", "/guilds", aliceToken, "{\"name\":\"Discord4J guild\"}");
            guildId = Snowflake.of(guild.get("id").asText());
            channelId = Snowflake.of(guild.get("channels").get(0).get("id").asText());
            final String code = rest("POST", "/channels/" + channelId.asString() + "/invites", aliceToken, "{}")
                .get("code").asText();
            rest("POST", "/invites/" + code, bobToken, "{}");
            rest("POST", "/invites/" + code, carolToken, "{}");
        }
        final Snowflake bobId = Snowflake.of(rest("GET", "/users/@me", bobToken, null).get("id").asText());
        final Snowflake carolId = Snowflake.of(rest("GET", "/users/@me", carolToken, null).get("id").asText());
        final String guildName = rest("GET", "/guilds/" + guildId.asString(), aliceToken, null).get("name").asText();

        try (Relay relay = new Relay(port))
        {
            final Bot a = new Bot(aliceToken, base);
            final Bot b = new Bot(bobToken, "http://127.0.0.1:" + relay.port() + "/api/v8");
            try
            {
                steps(a, b, guildName, guildId, channelId, bobId, carolId, carolToken, relay);
            }
            finally
            {
                // best effort: Discord4J 3.2's logout of a client that has reconnected can race itself (its close
                // handler signals twice: "Spec. Rule 1.3") and never complete; the process exits anyway
                logout(a);
                logout(b);
            }
        }
    }

    private static void steps(final Bot a, final Bot b, final String guildName, final Snowflake guildId,
        final Snowflake channelId, final Snowflake bobId, final Snowflake carolId, final String carolToken,
        final Relay relay) throws Exception
    {
        // ready: the guild, its channel and its members in bob's cache (members by op 8, GUILD_MEMBERS)
        final Guild g = b.gw.getGuildById(guildId).block(WAIT);
        check(guildName.equals(g.getName()), "guild name " + g.getName());
        check(g.getChannelById(channelId).block(WAIT) != null, "channel in the guild");
        final List<String> names = g.requestMembers().map(Member::getUsername).sort().collectList().block(WAIT);
        check(names.equals(List.of("d4j_alice", "d4j_bob", "d4j_carol")), "members " + names);
        step("ready");

        final GuildMessageChannel ac = a.gw.getChannelById(channelId).cast(GuildMessageChannel.class).block(WAIT);
        final Message sent = ac.createMessage("hello from discord4j").block(WAIT);
        final MessageCreateEvent created = b.next(MessageCreateEvent.class,
            e -> e.getMessage().getId().equals(sent.getId()));
        check("hello from discord4j".equals(created.getMessage().getContent()), "content");
        check(created.getMessage().getAuthor().get().getUsername().equals("d4j_alice"), "author");
        check(created.getGuildId().equals(java.util.Optional.of(guildId)), "guild id of the create");
        check(created.getMember().isPresent(), "member of the create");
        step("message");

        sent.edit().withContentOrNull("edited by discord4j").block(WAIT);
        final MessageUpdateEvent updated = b.next(MessageUpdateEvent.class,
            e -> e.getMessageId().equals(sent.getId()));
        check(updated.getCurrentContent().equals(java.util.Optional.of("edited by discord4j")), "edit content");
        step("edit");

        final ReactionEmoji thumbs = ReactionEmoji.unicode("\uD83D\uDC4D");
        sent.addReaction(thumbs).block(WAIT);
        final ReactionAddEvent added = b.next(ReactionAddEvent.class, e -> e.getMessageId().equals(sent.getId()));
        check(added.getEmoji().equals(thumbs), "emoji " + added.getEmoji());
        final List<String> reactors = sent.getReactors(thumbs).map(u -> u.getUsername()).collectList().block(WAIT);
        check(reactors.equals(List.of("d4j_alice")), "reactors " + reactors);
        sent.removeSelfReaction(thumbs).block(WAIT);
        b.next(ReactionRemoveEvent.class, e -> e.getMessageId().equals(sent.getId()));
        step("reaction");

        final List<Message> more = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            more.add(ac.createMessage("history " + i).block(WAIT));
        }
        final List<String> history = b.gw.getChannelById(channelId).cast(GuildMessageChannel.class).block(WAIT)
            .getMessagesBefore(Snowflake.of(Long.MAX_VALUE >>> 1)).map(Message::getContent).collectList()
            .block(WAIT);
        check(history.equals(List.of("history 2", "history 1", "history 0", "edited by discord4j")),
            "history " + history);
        step("history");

        sent.pin().block(WAIT);
        final List<String> pinned = ac.getPinnedMessages().map(Message::getContent).collectList().block(WAIT);
        check(pinned.equals(List.of("edited by discord4j")), "pins " + pinned);
        step("pin");

        sent.delete().block(WAIT);
        b.next(MessageDeleteEvent.class, e -> e.getMessageId().equals(sent.getId()));
        ac.bulkDelete(Flux.fromIterable(more).map(Message::getId)).collectList().block(WAIT);
        final MessageBulkDeleteEvent bulk = b.next(MessageBulkDeleteEvent.class, e -> true);
        check(bulk.getMessageIds().equals(Set.of(more.get(0).getId(), more.get(1).getId(), more.get(2).getId())),
            "bulk ids " + bulk.getMessageIds());
        check(ac.getMessagesBefore(Snowflake.of(Long.MAX_VALUE >>> 1)).collectList().block(WAIT).isEmpty(),
            "channel empty after the deletes");
        step("delete");

        // a person DMs bob; bob answers through Discord4J; the person reads the answer over REST
        final JsonNode dm = rest("POST", "/users/@me/channels", carolToken,
            "{\"recipient_id\":\"" + bobId.asString() + "\"}");
        final String dmId = dm.get("id").asText();
        final String fromCarol = rest("POST", "/channels/" + dmId + "/messages", carolToken,
            "{\"content\":\"hi bob\"}").get("id").asText();
        final MessageCreateEvent dmEvent = b.next(MessageCreateEvent.class,
            e -> e.getMessage().getId().asString().equals(fromCarol));
        check(dmEvent.getGuildId().isEmpty(), "a DM has no guild");
        final PrivateChannel bobDm = dmEvent.getMessage().getChannel().cast(PrivateChannel.class).block(WAIT);
        bobDm.createMessage("hi carol").block(WAIT);
        final JsonNode carolReads = rest("GET", "/channels/" + dmId + "/messages", carolToken, null);
        check(carolReads.get(0).get("content").asText().equals("hi carol"), "DM answer " + carolReads);
        step("dm");

        final Guild ag = a.gw.getGuildById(guildId).block(WAIT);
        final Role role = ag.createRole().withName("d4j-role").block(WAIT);
        ag.getMemberById(bobId).block(WAIT).addRole(role.getId()).block(WAIT);
        final MemberUpdateEvent mu = b.next(MemberUpdateEvent.class, e -> e.getMemberId().equals(bobId));
        check(mu.getCurrentRoleIds().contains(role.getId()), "roles " + mu.getCurrentRoleIds());
        final TextChannelCreateEvent cc;
        final var channel = ag.createTextChannel("d4j-channel").block(WAIT);
        cc = b.next(TextChannelCreateEvent.class, e -> e.getChannel().getId().equals(channel.getId()));
        check(cc.getChannel().getName().equals("d4j-channel"), "channel name");
        step("guild");

        final var app = b.gw.getApplicationInfo().block(WAIT);
        check(app.getId().equals(bobId), "application id " + app.getId());
        check(b.gw.getSelf().block(WAIT).getUsername().equals("d4j_bob"), "self");
        step("application");

        // a slash command registered by bob, invoked by carol as Discord's client does; bob answers through the event
        final long appId = b.gw.getRestClient().getApplicationId().block(WAIT);
        final var command = b.gw.getRestClient().getApplicationService().createGuildApplicationCommand(appId,
            guildId.asLong(), ApplicationCommandRequest.builder().name("ping").description("Ping")
                .addOption(ApplicationCommandOptionData.builder().name("n").description("a number").type(4)
                    .required(true).build()).build()).block(WAIT);
        b.gw.on(ChatInputInteractionEvent.class, e -> e.reply("pong " + e.getOption("n")
            .flatMap(o -> o.getValue()).map(v -> v.asLong()).orElse(-1L))).subscribe();
        rest("POST", "/interactions", carolToken, "{\"type\":2,\"application_id\":\"" + appId
            + "\",\"guild_id\":\"" + guildId.asString() + "\",\"channel_id\":\"" + channelId.asString()
            + "\",\"session_id\":\"web\",\"nonce\":\"d4j-1\",\"data\":{\"id\":\"" + command.id().asString()
            + "\",\"name\":\"ping\",\"type\":1,\"options\":[{\"name\":\"n\",\"type\":4,\"value\":7}]}}");
        final MessageCreateEvent pong = a.next(MessageCreateEvent.class,
            e -> e.getMessage().getContent().startsWith("pong"));
        check(pong.getMessage().getContent().equals("pong 7"), "reply " + pong.getMessage().getContent());
        check(pong.getMessage().getAuthor().get().getId().equals(bobId), "reply author");
        step("command");

        // a file through Discord4J's multipart body; the URL in the event serves the same bytes
        final byte[] bytes = new byte[70_000];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        final GuildMessageChannel bc = b.gw.getChannelById(channelId).cast(GuildMessageChannel.class).block(WAIT);
        final Message withFile = bc.createMessage(MessageCreateSpec.builder().content("a file")
            .addFile(MessageCreateFields.File.of("data.bin", new ByteArrayInputStream(bytes))).build()).block(WAIT);
        final MessageCreateEvent fileEvent = a.next(MessageCreateEvent.class,
            e -> e.getMessage().getId().equals(withFile.getId()));
        final Attachment att = fileEvent.getMessage().getAttachments().get(0);
        check(att.getFilename().equals("data.bin") && att.getSize() == bytes.length, "attachment " + att);
        final HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(URI.create(att.getUrl())).timeout(WAIT)
            .build(), HttpResponse.BodyHandlers.ofByteArray());
        check(download.statusCode() == 200 && java.util.Arrays.equals(download.body(), bytes),
            "download " + download.statusCode() + " " + download.body().length + " B");
        step("file");

        b.gw.updatePresence(ClientPresence.doNotDisturb(ClientActivity.playing("chess"))).block(WAIT);
        final PresenceUpdateEvent presence = a.next(PresenceUpdateEvent.class,
            e -> e.getUserId().equals(bobId) && e.getCurrent().getStatus() == Status.DO_NOT_DISTURB);
        check(presence.getCurrent().getActivity().map(x -> x.getName()).equals(java.util.Optional.of("chess")),
            "activity " + presence.getCurrent());
        step("presence");

        ag.ban(carolId).withReason("discord4j ban").block(WAIT);
        boolean banned = false;
        boolean left = false;
        while (!banned || !left) // both, in either order
        {
            final Event e = b.next(Event.class, x -> x instanceof BanEvent ban && ban.getUser().getId().equals(carolId)
                || x instanceof MemberLeaveEvent leave && leave.getUser().getId().equals(carolId));
            banned |= e instanceof BanEvent;
            left |= e instanceof MemberLeaveEvent;
        }
        check(ag.getBan(carolId).block(WAIT).getReason().equals(java.util.Optional.of("discord4j ban")), "ban reason");
        ag.unban(carolId).block(WAIT);
        step("ban");

        // one of each kind of guild event Discord4J models strictly: each must reach bob's client decoded
        final TextChannel atc = a.gw.getChannelById(channel.getId()).cast(TextChannel.class).block(WAIT);
        atc.edit().withTopic("a topic").block(WAIT);
        check(b.next(TextChannelUpdateEvent.class, e -> e.getCurrent().getId().equals(channel.getId()))
            .getCurrent().getTopic().equals(java.util.Optional.of("a topic")), "channel topic");
        role.edit().withName("d4j-renamed").withHoist(true).block(WAIT);
        check(b.next(RoleUpdateEvent.class, e -> e.getCurrent().getId().equals(role.getId())).getCurrent().getName()
            .equals("d4j-renamed"), "role name");
        ag.edit().withName("Discord4J guild, renamed").block(WAIT);
        check(b.next(GuildUpdateEvent.class, e -> e.getCurrent().getId().equals(guildId)).getCurrent().getName()
            .equals("Discord4J guild, renamed"), "guild name");
        ag.getMemberById(bobId).block(WAIT).edit().withNicknameOrNull("bobby").block(WAIT);
        check(b.next(MemberUpdateEvent.class, e -> e.getMemberId().equals(bobId) && e.getCurrentNickname()
            .isPresent()).getCurrentNickname().equals(java.util.Optional.of("bobby")), "nickname");
        atc.createInvite(InviteCreateSpec.create()).block(WAIT);
        a.next(InviteCreateEvent.class, e -> e.getChannelId().equals(channel.getId())); // MANAGE_CHANNELS only
        final Webhook hook = (Webhook)atc.createWebhook(WebhookCreateSpec.of("d4j-hook")).block(WAIT);
        b.next(WebhooksUpdateEvent.class, e -> e.getChannelId().equals(channel.getId()));
        hook.execute().withContent("from a webhook").block(WAIT);
        check(b.next(MessageCreateEvent.class, e -> e.getMessage().getContent().equals("from a webhook")).getMessage()
            .getWebhookId().equals(java.util.Optional.of(hook.getId())), "webhook id");
        final Message first = atc.createMessage("first").block(WAIT);
        atc.type().block(WAIT);
        b.next(TypingStartEvent.class, e -> e.getChannelId().equals(channel.getId()));
        atc.createMessage(MessageCreateSpec.builder().content("a reply").messageReference(first.getId())
            .addEmbed(EmbedCreateSpec.builder().title("an embed").description("with a field").addField("k", "v", true)
                .build()).build()).block(WAIT);
        final Message reply = b.next(MessageCreateEvent.class, e -> e.getMessage().getContent().equals("a reply"))
            .getMessage();
        check(reply.getEmbeds().get(0).getTitle().equals(java.util.Optional.of("an embed")), "embed");
        check(reply.getReferencedMessage().map(Message::getId).equals(java.util.Optional.of(first.getId())),
            "referenced message");
        atc.delete().block(WAIT);
        b.next(TextChannelDeleteEvent.class, e -> e.getChannel().getId().equals(channel.getId()));
        role.delete().block(WAIT);
        b.next(RoleDeleteEvent.class, e -> e.getRoleId().equals(role.getId()));
        step("events");

        // REST reads Discord4J decodes strictly (a missing required field fails the call)
        final var fromRest = a.gw.withRetrievalStrategy(EntityRetrievalStrategy.REST);
        final Guild restGuild = fromRest.getGuildById(guildId).block(WAIT);
        check(restGuild.getName().equals("Discord4J guild, renamed"), "REST guild " + restGuild.getName());
        check(restGuild.getMembers(EntityRetrievalStrategy.REST).count().block(WAIT) == 2, "REST members");
        check(restGuild.getRoles(EntityRetrievalStrategy.REST).count().block(WAIT) >= 1, "REST roles");
        check(restGuild.getChannels(EntityRetrievalStrategy.REST).count().block(WAIT) >= 1, "REST channels");
        check(fromRest.getUserById(bobId).block(WAIT).getUsername().equals("d4j_bob"), "REST user");
        check(fromRest.getMemberById(guildId, bobId).block(WAIT).getNickname().equals(java.util.Optional.of("bobby")),
            "REST member");
        check(ag.getAuditLog().flatMapIterable(part -> part.getEntries()).count().block(WAIT) > 0, "audit log");
        check(ag.getInvites().count().block(WAIT) >= 1, "invites");
        check(ag.getWebhooks().count().block(WAIT) >= 0, "webhooks");
        check(ag.getBans().count().block(WAIT) == 0, "bans after the unban");
        final String code = ac.createInvite(InviteCreateSpec.create()).block(WAIT).getCode();
        check(a.gw.getInvite(code).block(WAIT).getCode().equals(code), "invite by code");
        step("rest");

        // bob's connections go silent (the relay drops what either side sends), three messages are sent, then the
        // relay cuts them without a close frame: what was written into the void comes again with the resume, once
        // each and in order, before or after RESUMED (replayed, or live when bob was back before the fanout)
        final int connectionsBefore = relay.accepted();
        relay.blackhole(true);
        final List<String> whileCut = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final Message m = ac.createMessage("while cut " + i).block(WAIT);
            whileCut.add(m.getId().asString());
            a.next(MessageCreateEvent.class, e -> e.getMessage().getId().equals(m.getId()));
        }
        relay.cutAll();
        relay.blackhole(false);
        final List<String> got = new ArrayList<>();
        int replayed = 0;
        boolean resumed = false;
        while (got.size() < whileCut.size() || !resumed)
        {
            final Event e = b.next(Event.class,
                x -> x instanceof ResumeEvent || x instanceof MessageCreateEvent m
                    && m.getMessage().getContent().startsWith("while cut"));
            if (e instanceof MessageCreateEvent m)
            {
                check(!got.contains(m.getMessage().getId().asString()), "delivered twice: " + m.getMessage().getId());
                got.add(m.getMessage().getId().asString());
                replayed += resumed ? 0 : 1;
            }
            else
            {
                resumed = true;
            }
        }
        check(got.equals(whileCut), "after the resume " + got + ", sent " + whileCut);
        final Message after = ac.createMessage("after resume").block(WAIT);
        b.next(MessageCreateEvent.class, e -> {
            check(!e.getMessage().getContent().startsWith("while cut"), "delivered twice: " + e.getMessage().getId());
            return e.getMessage().getId().equals(after.getId());
        });
        System.out.println("resume: " + replayed + " of 3 replayed before RESUMED; relay connections "
            + connectionsBefore + " -> " + relay.accepted());
        step("resume");
    }

    private static void logout(final Bot bot)
    {
        bot.gw.logout().timeout(Duration.ofSeconds(5)).onErrorResume(e -> reactor.core.publisher.Mono.empty())
            .block();
    }

    private static String register(final String name, final boolean bot) throws Exception
    {
        return rest("POST", "/auth/register", null, "{\"username\":\"" + name + "\",\"password\":\"password-"
            + name + "\",\"bot\":" + bot + "}").get("token").asText();
    }

    static void step(final String name)
    {
        System.out.println("OK " + name);
    }

    static void check(final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new IllegalStateException(what);
        }
    }

    static void fail(final String why)
    {
        System.out.println("FAIL " + why);
        System.out.flush();
        Runtime.getRuntime().halt(1);
    }

    static JsonNode rest(final String method, final String path, final String token, final String body)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT)
            .header("content-type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            b.header("authorization", token);
        }
        final HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2)
        {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    /** One bot: its gateway client and every event it fired, for bounded waits. */
    static final class Bot
    {
        final GatewayDiscordClient gw;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

        Bot(final String token, final String baseUrl)
        {
            gw = DiscordClientBuilder.create(token)
                .setExtraOptions(o -> new RouterOptions(o.getToken(), o.getReactorResources(),
                    o.getExchangeStrategies(), o.getResponseTransformers(), o.getGlobalRateLimiter(),
                    o.getRequestQueueFactory(), baseUrl))
                .build()
                .gateway().setEnabledIntents(IntentSet.all()).login().block(WAIT);
            gw.on(Event.class).subscribe(events::add);
        }

        /** The next event of that type that matches (others are skipped); fails the run after 20 s. */
        <T extends Event> T next(final Class<T> type, final Predicate<? super T> matching) throws InterruptedException
        {
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (true)
            {
                final Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null)
                {
                    throw new IllegalStateException("no " + type.getSimpleName() + " within " + WAIT);
                }
                if (type.isInstance(e) && matching.test(type.cast(e)))
                {
                    return type.cast(e);
                }
            }
        }
    }

    /** A TCP relay on 127.0.0.1 that can drop every connection it carries without a close frame. */
    static final class Relay implements AutoCloseable
    {
        private final ServerSocket listener;
        private final int target;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile int accepted;
        private volatile boolean blackhole;

        Relay(final int target) throws IOException
        {
            this.target = target;
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().start(this::accept);
        }

        int port()
        {
            return listener.getLocalPort();
        }

        int accepted()
        {
            return accepted;
        }

        private void accept()
        {
            while (!listener.isClosed())
            {
                try
                {
                    final Socket client = listener.accept();
                    final Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    accepted++;
                    sockets.add(client);
                    sockets.add(server);
                    pipe(client, server);
                    pipe(server, client);
                }
                catch (final IOException e)
                {
                    // closed
                }
            }
        }

        private void pipe(final Socket from, final Socket to)
        {
            Thread.ofPlatform().daemon().start(() -> {
                final byte[] buf = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
                {
                    for (int n; (n = in.read(buf)) > 0; )
                    {
                        if (!blackhole)
                        {
                            out.write(buf, 0, n);
                        }
                    }
                }
                catch (final IOException e)
                {
                    // cut or closed
                }
                closeQuietly(from);
                closeQuietly(to);
            });
        }

        /** While on, bytes read from either side are dropped: the connections look alive and carry nothing. */
        void blackhole(final boolean on)
        {
            blackhole = on;
        }

        void cutAll()
        {
            for (final Socket s : sockets)
            {
                try
                {
                    s.setSoLinger(true, 0); // RST, no FIN: nothing orderly reaches either side
                }
                catch (final IOException e)
                {
                    // already closed
                }
                closeQuietly(s);
            }
            sockets.clear();
        }

        private static void closeQuietly(final Socket s)
        {
            try
            {
                s.close();
            }
            catch (final IOException e)
            {
                // nothing to do
            }
        }

        @Override
        public void close() throws IOException
        {
            listener.close();
            cutAll();
        }
    }
}
