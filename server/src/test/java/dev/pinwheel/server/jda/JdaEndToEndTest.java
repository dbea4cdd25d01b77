package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.concrete.TextChannel;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.message.MessageDeleteEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.message.MessageUpdateEvent;
import net.dv8tion.jda.api.events.session.SessionRecreateEvent;
import net.dv8tion.jda.api.events.session.SessionResumeEvent;
import net.dv8tion.jda.api.hooks.EventListener;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Unmodified JDA 6 bots against a real Pinwheel node with two shards: login, guild cache, messages,
 * edits, deletes, history, and a cut gateway connection that JDA resumes without losing or repeating
 * an event.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JdaEndToEndTest
{
    private static TestNode node;
    private static TestNode.User alice;
    private static TestNode.User bob;
    private static String channelId;
    private static String guildId;
    private static JDA aliceJda;
    private static JDA bobJda;
    private static GatewayCutProxy bobProxy;
    private static final Recorder BOB_EVENTS = new Recorder();

    /** Collects every event JDA fires, for bounded waits. */
    static final class Recorder implements EventListener
    {
        final BlockingQueue<GenericEvent> events = new LinkedBlockingQueue<>();

        @Override
        public void onEvent(final GenericEvent event)
        {
            events.add(event);
        }

        <T extends GenericEvent> T next(final Class<T> type, final long seconds) throws InterruptedException
        {
            return next(type, seconds, e -> true);
        }

        /** The next event of that type that matches (others are skipped: late events of earlier tests). */
        <T extends GenericEvent> T next(final Class<T> type, final long seconds,
            final java.util.function.Predicate<? super T> matching) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true)
            {
                final long left = deadline - System.nanoTime();
                final GenericEvent e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (e == null)
                {
                    return null;
                }
                if (type.isInstance(e) && matching.test(type.cast(e)))
                {
                    return type.cast(e);
                }
            }
        }
    }

    @BeforeAll
    static void start() throws Exception
    {
        node = new TestNode(2);
        alice = node.register("alice");
        bob = node.register("bob");
        final var guild = node.createGuild(alice, "JDA test guild");
        guildId = guild.get("id").asText();
        channelId = guild.get("channels").get(0).get("id").asText();
        node.join(alice, channelId, bob);
        bobProxy = new GatewayCutProxy(node.port());
        aliceJda = JdaBots.start(alice.token(), node.restBase(), node.gatewayUrl());
        bobJda = JdaBots.start(bob.token(), node.restBase(), "ws://127.0.0.1:" + bobProxy.port(), BOB_EVENTS);
    }

    @AfterAll
    static void stop() throws Exception
    {
        JdaBots.stop(aliceJda);
        JdaBots.stop(bobJda);
        if (bobProxy != null)
        {
            bobProxy.close();
        }
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void bothBotsSeeTheGuildWithItsChannelAndMembers()
    {
        final Guild g = bobJda.getGuildById(guildId);
        assertNotNull(g, "bob's JDA has the guild from GUILD_CREATE");
        assertEquals("JDA test guild", g.getName());
        assertNotNull(g.getTextChannelById(channelId));
        assertEquals("general", g.getTextChannelById(channelId).getName());
        assertEquals(alice.id(), g.getOwnerId());
        assertEquals(bob.id(), bobJda.getSelfUser().getId());
        assertTrue(g.getSelfMember().hasPermission(g.getTextChannelById(channelId),
            net.dv8tion.jda.api.Permission.MESSAGE_SEND));
        assertNotNull(aliceJda.getGuildById(guildId));
    }

    @Test
    void messageSentByOneBotArrivesAtTheOtherThenEditAndDeletePropagate() throws Exception
    {
        BOB_EVENTS.events.clear();
        final TextChannel ch = aliceJda.getTextChannelById(channelId);
        final Message sent = ch.sendMessage("hello from alice").complete();
        assertEquals("hello from alice", sent.getContentRaw());

        // an earlier test's message can still be on its way to bob: wait for this one
        final MessageReceivedEvent received = BOB_EVENTS.next(MessageReceivedEvent.class, 20,
            e -> e.getMessageId().equals(sent.getId()));
        assertNotNull(received, "bob receives MESSAGE_CREATE");
        assertEquals(sent.getId(), received.getMessageId());
        assertEquals("hello from alice", received.getMessage().getContentRaw());
        assertEquals(alice.id(), received.getAuthor().getId());
        assertEquals(guildId, received.getGuild().getId());

        final Message edited = sent.editMessage("edited by alice").complete();
        assertEquals("edited by alice", edited.getContentRaw());
        assertNotNull(edited.getTimeEdited());
        final MessageUpdateEvent update = BOB_EVENTS.next(MessageUpdateEvent.class, 20,
            e -> e.getMessageId().equals(sent.getId()));
        assertNotNull(update, "bob receives MESSAGE_UPDATE");
        assertEquals(sent.getId(), update.getMessageId());
        assertEquals("edited by alice", update.getMessage().getContentRaw());

        sent.delete().complete();
        final MessageDeleteEvent deleted = BOB_EVENTS.next(MessageDeleteEvent.class, 20,
            e -> e.getMessageId().equals(sent.getId()));
        assertNotNull(deleted, "bob receives MESSAGE_DELETE");
        assertEquals(sent.getId(), deleted.getMessageId());
    }

    @Test
    void embedsRepliesAndReactionsRoundTripThroughJda() throws Exception
    {
        BOB_EVENTS.events.clear();
        final TextChannel ch = aliceJda.getTextChannelById(channelId);
        final Message card = ch.sendMessageEmbeds(new net.dv8tion.jda.api.EmbedBuilder().setTitle("Release")
            .setDescription("v1 is out").setColor(0x2ECC71).addField("size", "42", true).build()).complete();
        final MessageReceivedEvent got = BOB_EVENTS.next(MessageReceivedEvent.class, 20);
        assertNotNull(got, "bob receives the embed");
        final var embed = got.getMessage().getEmbeds().get(0);
        assertEquals("Release", embed.getTitle());
        assertEquals("v1 is out", embed.getDescription());
        assertEquals(0x2ECC71, embed.getColorRaw());
        assertEquals("42", embed.getFields().get(0).getValue());

        final Message reply = got.getMessage().reply("answered").complete();
        assertEquals(net.dv8tion.jda.api.entities.MessageType.INLINE_REPLY, reply.getType());
        assertEquals(card.getId(), reply.getMessageReference().getMessageId());
        assertEquals("Release", reply.getReferencedMessage().getEmbeds().get(0).getTitle());

        final var thumbs = net.dv8tion.jda.api.entities.emoji.Emoji.fromUnicode("👍");
        aliceJda.getTextChannelById(channelId).addReactionById(reply.getId(), thumbs).complete();
        final var reacted = BOB_EVENTS.next(net.dv8tion.jda.api.events.message.react.MessageReactionAddEvent.class, 20);
        assertNotNull(reacted, "bob receives MESSAGE_REACTION_ADD");
        assertEquals(alice.id(), reacted.getUserId());
        assertEquals(thumbs, reacted.getEmoji());
        final Message fetched = bobJda.getTextChannelById(channelId).retrieveMessageById(reply.getId()).complete();
        assertEquals(1, fetched.getReactions().size());
        assertEquals(1, fetched.getReactions().get(0).getCount());
        assertTrue(!fetched.getReactions().get(0).isSelf(), "bob did not react");
    }

    @Test
    void aRoleCreatedAndGivenThroughJdaReachesTheOtherBot() throws Exception
    {
        BOB_EVENTS.events.clear();
        final Guild g = aliceJda.getGuildById(guildId);
        final net.dv8tion.jda.api.entities.Role mods = g.createRole().setName("mods")
            .setPermissions(net.dv8tion.jda.api.Permission.MESSAGE_MANAGE).complete();
        assertEquals("mods", mods.getName());
        g.addRoleToMember(net.dv8tion.jda.api.entities.UserSnowflake.fromId(bob.id()), mods).complete();
        final var added = BOB_EVENTS.next(
            net.dv8tion.jda.api.events.guild.member.GuildMemberRoleAddEvent.class, 20);
        assertNotNull(added, "bob's JDA sees the role given to him");
        assertEquals("mods", added.getRoles().get(0).getName());
        assertTrue(bobJda.getGuildById(guildId).getSelfMember().hasPermission(
            net.dv8tion.jda.api.Permission.MESSAGE_MANAGE), "and computes the permission it grants");
        g.removeRoleFromMember(net.dv8tion.jda.api.entities.UserSnowflake.fromId(bob.id()), mods).complete();
        assertNotNull(BOB_EVENTS.next(net.dv8tion.jda.api.events.guild.member.GuildMemberRoleRemoveEvent.class, 20));
        mods.delete().complete();
    }

    @Test
    void slashCommandsRegisterThroughJda()
    {
        final var registered = aliceJda.updateCommands().addCommands(
            net.dv8tion.jda.api.interactions.commands.build.Commands.slash("ping", "Ping!"),
            net.dv8tion.jda.api.interactions.commands.build.Commands.user("Report")).complete();
        assertEquals(2, registered.size());
        assertEquals("ping", registered.get(0).getName());
        final var listed = aliceJda.retrieveCommands().complete();
        assertEquals(registered.get(0).getId(), listed.stream().filter(c -> "ping".equals(c.getName())).findFirst()
            .orElseThrow().getId());
    }

    @Test
    void aPersonsDirectMessageReachesTheBotAndTheBotAnswers() throws Exception
    {
        BOB_EVENTS.events.clear();
        final TestNode.User human = node.register("jda-human", false);
        node.join(alice, channelId, human); // a DM needs a guild in common
        final String dm = node.ok("POST", "users/@me/channels", human.token(), "{\"recipient_id\":\"" + bob.id()
            + "\"}").get("id").asText();
        final String sent = node.ok("POST", "channels/" + dm + "/messages", human.token(),
            "{\"content\":\"hello bot\"}").get("id").asText();
        final MessageReceivedEvent got = BOB_EVENTS.next(MessageReceivedEvent.class, 20);
        assertNotNull(got, "bob's JDA receives the DM");
        assertTrue(!got.isFromGuild(), "a private message");
        assertEquals(sent, got.getMessageId());
        assertEquals("hello bot", got.getMessage().getContentRaw());
        assertEquals(human.id(), got.getAuthor().getId());
        got.getChannel().sendMessage("hello human").complete();
        final var page = node.ok("GET", "channels/" + dm + "/messages", human.token(), null);
        assertEquals("hello human", page.get(0).get("content").asText(), "the bot answered in the same channel");
    }

    @Test
    void aChannelRenamedThroughJdaIsRenamedForTheOtherBot() throws Exception
    {
        BOB_EVENTS.events.clear();
        final var created = aliceJda.getGuildById(guildId).createTextChannel("jda-scratch").complete();
        created.getManager().setName("jda-renamed").setTopic("topic").complete();
        final var renamed = BOB_EVENTS.next(
            net.dv8tion.jda.api.events.channel.update.ChannelUpdateNameEvent.class, 20);
        assertNotNull(renamed, "bob's JDA sees CHANNEL_UPDATE");
        assertEquals("jda-renamed", renamed.getNewValue());
        created.delete().complete();
        assertNotNull(BOB_EVENTS.next(net.dv8tion.jda.api.events.channel.ChannelDeleteEvent.class, 20));
    }

    @Test
    void historyReadsBackThroughRestInOrder()
    {
        final TextChannel ch = aliceJda.getTextChannelById(channelId);
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            ids.add(ch.sendMessage("history " + i).complete().getId());
        }
        final List<Message> past = bobJda.getTextChannelById(channelId).getHistory().retrievePast(5).complete();
        assertEquals(5, past.size());
        for (int i = 0; i < 5; i++)
        {
            assertEquals(ids.get(4 - i), past.get(i).getId(), "newest first");
            assertEquals("history " + (4 - i), past.get(i).getContentRaw());
        }
        final Message one = bobJda.getTextChannelById(channelId).retrieveMessageById(ids.get(2)).complete();
        assertEquals("history 2", one.getContentRaw());
        final List<Message> before = bobJda.getTextChannelById(channelId).getHistoryBefore(ids.get(2), 2).complete()
            .getRetrievedHistory();
        assertEquals(List.of(ids.get(1), ids.get(0)), before.stream().map(Message::getId).toList());
    }

    @Test
    void pinsAreSetListedAndClearedThroughJda()
    {
        final TextChannel ch = aliceJda.getTextChannelById(channelId);
        final Message first = ch.sendMessage("pin me").complete();
        final Message second = ch.sendMessage("pin me too").complete();
        ch.pinMessageById(first.getId()).complete();
        ch.pinMessageById(second.getId()).complete();
        final List<String> pinned = bobJda.getTextChannelById(channelId).retrievePinnedMessages().complete().stream()
            .map(p -> p.getMessage().getId()).toList();
        assertEquals(List.of(second.getId(), first.getId()), pinned, "most recently pinned first");
        assertTrue(bobJda.getTextChannelById(channelId).retrieveMessageById(first.getId()).complete().isPinned());
        ch.unpinMessageById(first.getId()).complete();
        final List<String> after = bobJda.getTextChannelById(channelId).retrievePinnedMessages().complete().stream()
            .map(p -> p.getMessage().getId()).toList();
        assertEquals(List.of(second.getId()), after);
    }

    @Test
    void cutGatewayConnectionIsResumedWithNoEventLostOrDuplicated() throws Exception
    {
        final TextChannel ch = aliceJda.getTextChannelById(channelId);
        BOB_EVENTS.events.clear();
        ch.sendMessage("before cut").complete();
        assertNotNull(BOB_EVENTS.next(MessageReceivedEvent.class, 20));

        bobProxy.cutAll();
        final List<String> posted = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            posted.add(ch.sendMessage("during cut " + i).complete().getId());
        }

        final List<String> received = new ArrayList<>();
        boolean resumed = false;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.size() < posted.size() && System.nanoTime() < deadline)
        {
            final GenericEvent e = BOB_EVENTS.events.poll(1, TimeUnit.SECONDS);
            if (e instanceof SessionResumeEvent)
            {
                resumed = true;
            }
            assertFalse(e instanceof SessionRecreateEvent, "JDA had to re-identify: the session was not resumed");
            if (e instanceof MessageReceivedEvent m)
            {
                received.add(m.getMessageId());
            }
        }
        assertEquals(posted, received, "every message posted during the cut arrives once, in order");
        assertTrue(resumed || BOB_EVENTS.next(SessionResumeEvent.class, 5) != null, "JDA resumed the session");

        ch.sendMessage("after resume").complete();
        final MessageReceivedEvent after = BOB_EVENTS.next(MessageReceivedEvent.class, 20);
        assertNotNull(after);
        assertEquals("after resume", after.getMessage().getContentRaw());
        assertNull(BOB_EVENTS.next(MessageReceivedEvent.class, 1), "no duplicate delivery after resume");
    }

    @Test
    void aGuildRenameReachesTheOtherBotAndATimeoutStopsItsPosts() throws Exception
    {
        BOB_EVENTS.events.clear();
        final Guild g = aliceJda.getGuildById(guildId);
        g.getManager().setName("Renamed by JDA").complete();
        final net.dv8tion.jda.api.events.guild.update.GuildUpdateNameEvent renamed = BOB_EVENTS.next(
            net.dv8tion.jda.api.events.guild.update.GuildUpdateNameEvent.class, 20);
        assertNotNull(renamed, "bob's JDA fires GuildUpdateNameEvent");
        assertEquals("JDA test guild", renamed.getOldName());
        assertEquals("Renamed by JDA", renamed.getNewName());
        g.getManager().setName("JDA test guild").complete(); // as the other tests expect it
        assertNotNull(BOB_EVENTS.next(net.dv8tion.jda.api.events.guild.update.GuildUpdateNameEvent.class, 20));

        g.retrieveMemberById(bob.id()).complete().timeoutFor(java.time.Duration.ofMinutes(5)).reason("cool down")
            .complete();
        final TextChannel ch = bobJda.getTextChannelById(channelId);
        try
        {
            ch.sendMessage("while timed out").complete();
            throw new AssertionError("a timed-out member posted");
        }
        catch (final net.dv8tion.jda.api.exceptions.ErrorResponseException e)
        {
            assertEquals(50013, e.getErrorCode(), "the server refuses it");
        }
        catch (final net.dv8tion.jda.api.exceptions.InsufficientPermissionException e)
        {
            // JDA saw GUILD_MEMBER_UPDATE first and refused it itself, from communication_disabled_until
            assertEquals(net.dv8tion.jda.api.Permission.MESSAGE_SEND, e.getPermission());
        }
        assertEquals(50013, node.call("POST", "channels/" + channelId + "/messages", bob.token(),
            "{\"content\":\"raw\"}").body().path("code").asInt(), "the server answers 50013 itself");
        g.retrieveMemberById(bob.id()).complete().removeTimeout().complete();
        assertEquals(200, node.call("POST", "channels/" + channelId + "/messages", bob.token(),
            "{\"content\":\"after the timeout\"}").status());
    }
}
