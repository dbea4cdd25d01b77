import dev.kord.common.entity.PresenceStatus
import dev.kord.common.entity.Snowflake
import dev.kord.core.Kord
import dev.kord.core.behavior.channel.createMessage
import dev.kord.core.behavior.edit
import dev.kord.core.behavior.createRole
import dev.kord.core.behavior.createTextChannel
import dev.kord.core.behavior.createCategory
import dev.kord.core.behavior.requestMembers
import dev.kord.core.behavior.interaction.updatePublicMessage
import dev.kord.core.behavior.interaction.modal
import dev.kord.core.behavior.interaction.response.respond
import dev.kord.core.behavior.interaction.response.createPublicFollowup
import dev.kord.core.behavior.channel.editRolePermission
import dev.kord.rest.builder.message.actionRow
import dev.kord.rest.builder.component.option
import dev.kord.core.behavior.ban
import dev.kord.core.behavior.getAuditLogEntries
import dev.kord.core.behavior.channel.createInvite
import dev.kord.core.behavior.channel.createWebhook
import dev.kord.core.behavior.execute
import dev.kord.core.behavior.channel.edit
import dev.kord.rest.builder.interaction.integer
import dev.kord.core.behavior.interaction.respondPublic
import dev.kord.core.entity.ReactionEmoji
import dev.kord.core.entity.channel.TextChannel
import dev.kord.core.event.Event
import dev.kord.core.event.gateway.ReadyEvent
import dev.kord.core.event.guild.GuildCreateEvent
import dev.kord.core.event.interaction.GuildChatInputCommandInteractionCreateEvent
import dev.kord.core.event.message.MessageCreateEvent
import dev.kord.core.event.message.MessageUpdateEvent
import dev.kord.core.event.message.ReactionAddEvent
import dev.kord.core.on
import dev.kord.gateway.DefaultGateway
import dev.kord.gateway.Intent
import dev.kord.gateway.Intents
import dev.kord.gateway.PrivilegedIntent
import io.ktor.client.HttpClient
import io.ktor.client.engine.okhttp.OkHttp
import io.ktor.client.plugins.api.createClientPlugin
import io.ktor.http.URLProtocol
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import java.net.URI
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlin.system.exitProcess
import kotlin.time.Duration.Companion.seconds

val WAIT = 20.seconds
private val HTTP = java.net.http.HttpClient.newHttpClient()
private lateinit var base: String

fun step(name: String) = println("OK $name").also { System.out.flush() }

fun check(ok: Boolean, what: () -> String) {
    if (!ok) throw IllegalStateException(what())
}

fun fail(why: String): Nothing {
    println("FAIL $why")
    System.out.flush()
    Runtime.getRuntime().halt(1)
    throw IllegalStateException()
}

fun rest(method: String, path: String, token: String?, body: String?): JsonElement {
    val b = HttpRequest.newBuilder(URI.create(base + path)).timeout(java.time.Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body))
    if (token != null) b.header("authorization", token)
    val r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString())
    check(r.statusCode() / 100 == 2) { "$method $path: ${r.statusCode()} ${r.body()}" }
    return if (r.body().isEmpty()) Json.parseToJsonElement("{}") else Json.parseToJsonElement(r.body())
}

/** A request's status alone. */
fun status(method: String, path: String, token: String?, body: String?): Int {
    val b = HttpRequest.newBuilder(URI.create(base + path)).timeout(java.time.Duration.ofSeconds(20))
        .header("content-type", "application/json").header("authorization", token!!)
        .method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body))
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode()
}

fun JsonElement.str(key: String) = jsonObject[key]!!.jsonPrimitive.content

fun register(name: String, bot: Boolean): String =
    rest("POST", "/auth/register", null, """{"username":"$name","password":"password-$name","bot":$bot}""").str("token")

/** Kord's own HTTP client (OkHttp), its requests for discord.com sent to the node instead. */
fun httpClient(port: Int) = HttpClient(OkHttp) {
    expectSuccess = false
    install(createClientPlugin("pinwheel") {
        onRequest { request, _ ->
            if (request.url.host == "discord.com") {
                request.url.protocol = URLProtocol.HTTP
                request.url.host = "127.0.0.1"
                request.url.port = port
            }
        }
    })
}

/** Waits for the next event of a type that matches, subscribed before the action that causes it runs. */
inline fun <reified T : Event> CoroutineScope.next(kord: Kord, crossinline p: suspend (T) -> Boolean = { true }): Deferred<T> =
    async(start = CoroutineStart.UNDISPATCHED) { withTimeout(WAIT) { kord.events.filterIsInstance<T>().first { p(it) } } }

@OptIn(PrivilegedIntent::class)
suspend fun CoroutineScope.login(token: String, port: Int, gatewayPort: Int, guildId: Snowflake): Kord {
    val kord = Kord(token) {
        httpClient = httpClient(port)
        gateways { resources, shards ->
            shards.map {
                DefaultGateway {
                    client = resources.httpClient
                    url = "ws://127.0.0.1:$gatewayPort/?v=10&encoding=json&compress=zlib-stream"
                }
            }
        }
    }
    val ready = next<GuildCreateEvent>(kord) { it.guild.id == guildId }
    launch { kord.login { intents = Intents(Intent.entries) } }
    ready.await()
    return kord
}

fun main(args: Array<String>) {
    val port = args[0].toInt()
    base = "http://127.0.0.1:$port/api/v10"
    val watchdog = Thread {
        try {
            Thread.sleep(150_000)
            fail("timed out: the whole run")
        } catch (e: InterruptedException) {
            // done
        }
    }
    watchdog.isDaemon = true
    watchdog.start()
    try {
        runBlocking { run(port, args) }
    } catch (t: Throwable) {
        t.printStackTrace()
        fail(t.toString())
    }
    System.out.flush()
    exitProcess(0)
}

suspend fun CoroutineScope.run(port: Int, args: Array<String>) {
    val aliceToken: String
    val bobToken: String
    val carolToken: String
    val guildId: Snowflake
    val channelId: Snowflake
    if (args.size == 6) {
        aliceToken = args[1]; bobToken = args[2]; carolToken = args[3]
        guildId = Snowflake(args[4]); channelId = Snowflake(args[5])
    } else {
        aliceToken = register("kord_alice", true)
        bobToken = register("kord_bob", true)
        carolToken = register("kord_carol", false)
        val guild = rest("POST", "/guilds", aliceToken, """{"name":"Kord guild"}""")
        guildId = Snowflake(guild.str("id"))
        channelId = Snowflake(rest("GET", "/guilds/$guildId/channels", aliceToken, null).let {
            (it as kotlinx.serialization.json.JsonArray).first { c -> c.jsonObject["type"]!!.jsonPrimitive.content == "0" }.str("id")
        })
        val code = rest("POST", "/channels/$channelId/invites", aliceToken, "{}").str("code")
        rest("POST", "/invites/$code", bobToken, "{}")
        rest("POST", "/invites/$code", carolToken, "{}")
    }
    val relay = Relay(port)
    val a = login(aliceToken, port, port, guildId)
    val b = login(bobToken, port, relay.port, guildId)
    step("ready")
    val steps = Steps(this, a, b, guildId, channelId, carolToken, relay)
    steps.all()
    for (k in listOf(a, b)) {
        withTimeoutOrNull(5.seconds) { k.logout() }
        k.shutdown()
    }
    relay.close()
}

/** The steps after login, one method each (one function would be too large for the JVM). */
class Steps(scope: CoroutineScope, val a: Kord, val b: Kord, val guildId: Snowflake, val channelId: Snowflake,
    val carolToken: String, val relay: Relay) : CoroutineScope by scope {
    lateinit var channel: TextChannel
    lateinit var sent: dev.kord.core.entity.Message
    lateinit var bc: TextChannel
    var carolId: Snowflake = Snowflake(0)
    lateinit var guild: dev.kord.core.entity.Guild
    lateinit var role: dev.kord.core.entity.Role
    lateinit var made: TextChannel
    lateinit var second: dev.kord.core.entity.Message

    suspend fun all() {
        messageStep()
        editStep()
        reactionStep()
        historyStep()
        pinStep()
        deleteStep()
        dmStep()
        guildStep()
        applicationStep()
        commandStep()
        fileStep()
        presenceStep()
        eventsStep()
        restStep()
        componentsStep()
        unreactStep()
        categoryStep()
        membersStep()
        appsStep()
        banStep()
        resumeStep()
    }

    suspend fun messageStep() {
        channel = a.getChannelOf<TextChannel>(channelId)!!
        val created = next<MessageCreateEvent>(b) { it.message.content == "hello from kord" }
        sent = channel.createMessage("hello from kord")
        val ev = created.await()
        check(ev.message.id == sent.id && ev.guildId == guildId && ev.member?.id == a.selfId) { "create event $ev" }
        step("message")
    }

    suspend fun editStep() {
        val updated = next<MessageUpdateEvent>(b) { it.messageId == sent.id }
        sent.edit { content = "edited by kord" }
        val up = updated.await()
        check(up.new.content.value == "edited by kord") { "update ${up.new}" }
        step("edit")
    }

    suspend fun reactionStep() {
        val reacted = next<ReactionAddEvent>(a) { it.messageId == sent.id }
        b.getChannelOf<TextChannel>(channelId)!!.getMessage(sent.id).addReaction(ReactionEmoji.Unicode("\uD83D\uDC4D"))
        val re = reacted.await()
        check(re.userId == b.selfId && re.emoji.name == "\uD83D\uDC4D") { "reaction ${re.emoji}" }
        val reactors = sent.getReactors(ReactionEmoji.Unicode("\uD83D\uDC4D")).toList()
        check(reactors.map { it.id } == listOf(b.selfId)) { "reactors $reactors" }
        step("reaction")
    }

    suspend fun historyStep() {
        bc = b.getChannelOf<TextChannel>(channelId)!!
        second = channel.createMessage("second")
        val history = bc.getMessagesBefore(Snowflake.max, 10).toList()
        check(history.map { it.id }.take(2) == listOf(second.id, sent.id)) { "history ${history.map { it.id }}" }
        val around = bc.getMessagesAround(sent.id, 3).toList()
        check(around.any { it.id == sent.id }) { "around" }
        step("history")
    }

    suspend fun pinStep() {
        val pinsUpdated = next<dev.kord.core.event.channel.ChannelPinsUpdateEvent>(b) { it.channelId == channelId }
        sent.pin()
        pinsUpdated.await()
        check(bc.pinnedMessages.toList().map { it.id } == listOf(sent.id)) { "pins" }
        sent.unpin()
        step("pin")
    }

    suspend fun deleteStep() {
        val deleted = next<dev.kord.core.event.message.MessageDeleteEvent>(b) { it.messageId == second.id }
        second.delete()
        deleted.await()
        val m1 = channel.createMessage("bulk 1")
        val m2 = channel.createMessage("bulk 2")
        val bulk = next<dev.kord.core.event.message.MessageBulkDeleteEvent>(b) { it.channelId == channelId }
        channel.bulkDelete(listOf(m1.id, m2.id))
        check(bulk.await().messageIds == setOf(m1.id, m2.id)) { "bulk delete" }
        step("delete")
    }

    suspend fun dmStep() {
        // a DM from carol (a person, over REST as Discord's client does), answered by bob through Kord
        carolId = Snowflake(rest("GET", "/users/@me", carolToken, null).str("id"))
        val dm = rest("POST", "/users/@me/channels", carolToken, """{"recipient_id":"${b.selfId}"}""").str("id")
        val dmIn = next<MessageCreateEvent>(b) { it.message.channelId.toString() == dm }
        rest("POST", "/channels/$dm/messages", carolToken, """{"content":"ping from carol"}""")
        val dmEvent = dmIn.await()
        check(dmEvent.guildId == null && dmEvent.message.author?.id == carolId) { "dm event" }
        val dmChannel = dmEvent.message.channel.asChannel()
        check(dmChannel is dev.kord.core.entity.channel.DmChannel) { "dm channel ${dmChannel::class}" }
        dmEvent.message.channel.createMessage("pong to carol")
        val dmHistory = rest("GET", "/channels/$dm/messages?limit=5", carolToken, null) as kotlinx.serialization.json.JsonArray
        check(dmHistory.first().str("content") == "pong to carol") { "dm reply $dmHistory" }
        step("dm")
    }

    suspend fun guildStep() {
        guild = a.getGuild(guildId)
        role = guild.createRole { name = "kord-role"; hoist = true; mentionable = true }
        val roleGiven = next<dev.kord.core.event.guild.MemberUpdateEvent>(b) { it.member.id == b.selfId && role.id in it.member.roleIds }
        guild.getMember(b.selfId).addRole(role.id)
        roleGiven.await()
        val channelMade = next<dev.kord.core.event.channel.TextChannelCreateEvent>(b) { it.channel.name == "kord-channel" }
        made = guild.createTextChannel("kord-channel") { topic = "made by Kord" }
        check(channelMade.await().channel.id == made.id && made.topic == "made by Kord") { "channel" }
        val nick = next<dev.kord.core.event.guild.MemberUpdateEvent>(a) { it.member.id == b.selfId && it.member.nickname == "bobby" }
        b.getGuild(guildId).editSelfNickname("bobby")
        nick.await()
        step("guild")
    }

    suspend fun applicationStep() {
        val app = b.getApplicationInfo()
        check(app.id == b.selfId) { "application ${app.id}" }
        check(b.getSelf().username == "kord_bob") { "self" }
        step("application")
    }

    suspend fun commandStep() {
        val command = b.createGuildChatInputCommand(guildId, "ping", "Ping") { integer("n", "a number") { required = true } }
        b.on<GuildChatInputCommandInteractionCreateEvent> {
            if (interaction.invokedCommandName == "ping") interaction.respondPublic { content = "pong " + interaction.command.integers["n"] }
        }
        val pong = next<MessageCreateEvent>(a) { it.message.content.startsWith("pong ") }
        rest("POST", "/interactions", carolToken, """{"type":2,"application_id":"${b.selfId}","guild_id":"$guildId",""" +
            """"channel_id":"$channelId","session_id":"web","nonce":"kord-1","data":{"id":"${command.id}","name":"ping",""" +
            """"type":1,"options":[{"name":"n","type":4,"value":7}]}}""")
        val pongEvent = pong.await()
        check(pongEvent.message.content == "pong 7" && pongEvent.message.data.author.id == b.selfId) { "reply ${pongEvent.message.content}" }
        step("command")
    }

    suspend fun fileStep() {
        val bytes = ByteArray(70_000) { (it * 31 + 7).toByte() }
        val fileEvent = next<MessageCreateEvent>(a) { it.message.content == "a file" }
        bc.createMessage {
            content = "a file"
            addFile("data.bin", io.ktor.client.request.forms.ChannelProvider { io.ktor.utils.io.ByteReadChannel(bytes) })
        }
        val att = fileEvent.await().message.attachments.single()
        check(att.filename == "data.bin" && att.size == bytes.size) { "attachment $att" }
        val download = HTTP.send(HttpRequest.newBuilder(URI.create(att.url)).build(), HttpResponse.BodyHandlers.ofByteArray())
        check(download.statusCode() == 200 && download.body().contentEquals(bytes)) { "download ${download.statusCode()}" }
        step("file")
    }

    suspend fun presenceStep() {
        val presence = next<dev.kord.core.event.user.PresenceUpdateEvent>(a) { it.user.id == b.selfId && it.presence.status == PresenceStatus.DoNotDisturb }
        b.editPresence { status = PresenceStatus.DoNotDisturb; playing("chess") }
        val pe = presence.await()
        check(pe.presence.activities.any { it.name == "chess" }) { "activities ${pe.presence.activities}" }
        step("presence")
    }

    suspend fun eventsStep() {
        // every guild event Kord models that Pinwheel sends, one of each
        val channelUpdated = next<dev.kord.core.event.channel.TextChannelUpdateEvent>(b) { it.channel.id == made.id }
        made.edit { name = "kord-renamed" }
        check(channelUpdated.await().channel.name == "kord-renamed") { "channel update" }
        val roleUpdated = next<dev.kord.core.event.role.RoleUpdateEvent>(b) { it.role.id == role.id }
        role.edit { name = "kord-role-2" }
        check(roleUpdated.await().role.name == "kord-role-2") { "role update" }
        val guildUpdated = next<dev.kord.core.event.guild.GuildUpdateEvent>(b) { it.guild.id == guildId }
        guild.edit { name = "Kord guild renamed" }
        check(guildUpdated.await().guild.name == "Kord guild renamed") { "guild update" }
        val inviteMade = next<dev.kord.core.event.guild.InviteCreateEvent>(a) // MANAGE_CHANNELS only
        { it.channelId == made.id }
        val invite = made.createInvite { maxAge = 3600.seconds }
        check(inviteMade.await().code == invite.code) { "invite create" }
        val webhooksUpdated = next<dev.kord.core.event.guild.WebhookUpdateEvent>(b) { it.channelId == made.id }
        val webhook = made.createWebhook("kord-hook")
        webhooksUpdated.await()
        val hooked = next<MessageCreateEvent>(b) { it.message.content == "from the hook" }
        webhook.execute(webhook.token!!) { content = "from the hook" }
        check(hooked.await().message.webhookId == webhook.id) { "webhook message" }
        val typing = next<dev.kord.core.event.channel.TypingStartEvent>(a) { it.userId == b.selfId }
        bc.type()
        typing.await()
        val reply = next<MessageCreateEvent>(b) { it.message.content == "a reply" }
        channel.createMessage {
            content = "a reply"
            messageReference = sent.id
            embeds = mutableListOf(dev.kord.rest.builder.message.EmbedBuilder().apply { title = "t"; description = "an embed" })
        }
        val replied = reply.await().message
        check(replied.referencedMessage?.id == sent.id && replied.embeds.single().description == "an embed") { "reply $replied" }
        val inviteDeleted = next<dev.kord.core.event.guild.InviteDeleteEvent>(a) { it.code == invite.code }
        a.rest.invite.deleteInvite(invite.code)
        inviteDeleted.await()
        val roleDeleted = next<dev.kord.core.event.role.RoleDeleteEvent>(b) { it.roleId == role.id }
        role.delete()
        roleDeleted.await()
        val channelDeleted = next<dev.kord.core.event.channel.TextChannelDeleteEvent>(b) { it.channel.id == made.id }
        made.delete()
        channelDeleted.await()
        // its webhook went with it (Discord deletes a channel's webhooks): executing it is a 404 now
        val gone = runCatching { webhook.execute(webhook.token!!) { content = "into a deleted channel" } }.exceptionOrNull()
        check(gone is dev.kord.rest.request.RestRequestException && gone.status.code == 404) { "deleted channel's webhook: $gone" }
        step("events")
    }

    suspend fun restStep() {
        // reads over REST, not from Kord's cache
        val rg = a.getGuild(guildId, dev.kord.core.supplier.EntitySupplyStrategy.rest)
        check(rg.name == "Kord guild renamed") { "guild ${rg.name}" }
        check(rg.members.toList().map { it.id }.toSet().containsAll(listOf(a.selfId, b.selfId, carolId))) { "members" }
        check(rg.roles.toList().any { it.id == guildId }) { "roles" }
        check(rg.channels.toList().any { it.id == channelId }) { "channels" }
        check(a.rest.user.getUser(carolId).username == "kord_carol") { "user" }
        check(rg.getMember(b.selfId).nickname == "bobby") { "member" }
        check(rg.getAuditLogEntries().toList().isNotEmpty()) { "audit log" }
        val hooks = rg.webhooks.toList()
        check(hooks.isEmpty()) { "webhooks of a deleted channel: ${hooks.map { it.data }}" }
        val code = rg.invites.toList().first().code
        check(a.getInvite(code, withCounts = true)?.code == code) { "invite by code" }
        step("rest")
    }

    suspend fun banStep() {
        val rg = a.getGuild(guildId, dev.kord.core.supplier.EntitySupplyStrategy.rest)
        val banned = next<dev.kord.core.event.guild.BanAddEvent>(a) { it.user.id == carolId }
        val left = next<dev.kord.core.event.guild.MemberLeaveEvent>(a) { it.user.id == carolId }
        guild.ban(carolId) { reason = "a test" }
        banned.await(); left.await()
        check(rg.bans.toList().map { it.userId } == listOf(carolId)) { "bans" }
        check(rg.getBan(carolId).reason == "a test") { "ban reason" }
        val unbanned = next<dev.kord.core.event.guild.BanRemoveEvent>(a) { it.user.id == carolId }
        guild.unban(carolId)
        unbanned.await()
        step("ban")
    }

    /** A button, a select answered with a modal, the modal's submission, a deferred answer and its followup. */
    suspend fun componentsStep() {
        val posted = bc.createMessage {
            content = "vote"
            actionRow { interactionButton(dev.kord.common.entity.ButtonStyle.Primary, "yes") { label = "Yes" } }
            actionRow { stringSelect("pick") { option("A", "a"); option("B", "b") } }
        }
        b.on<dev.kord.core.event.interaction.GuildButtonInteractionCreateEvent> {
            interaction.updatePublicMessage { content = "1 vote" }
        }
        b.on<dev.kord.core.event.interaction.GuildSelectMenuInteractionCreateEvent> {
            interaction.modal("Why?", "why") {
                actionRow { textInput(dev.kord.common.entity.TextInputStyle.Short, "reason", "Reason") }
            }
        }
        b.on<dev.kord.core.event.interaction.GuildModalSubmitInteractionCreateEvent> {
            interaction.respondPublic { content = "because: " + interaction.textInputs["reason"]?.value }
        }
        val voted = next<MessageUpdateEvent>(a) { it.messageId == posted.id && it.new.content.value == "1 vote" }
        rest("POST", "/interactions", carolToken, """{"type":3,"application_id":"${b.selfId}","guild_id":"$guildId",""" +
            """"channel_id":"$channelId","message_id":"${posted.id}","nonce":"c1","data":{"custom_id":"yes",""" +
            """"component_type":2}}""")
        voted.await()
        rest("POST", "/interactions", carolToken, """{"type":3,"application_id":"${b.selfId}","guild_id":"$guildId",""" +
            """"channel_id":"$channelId","message_id":"${posted.id}","nonce":"c2","data":{"custom_id":"pick",""" +
            """"component_type":3,"values":["b"]}}""")
        val because = next<MessageCreateEvent>(a) { it.message.content.startsWith("because") }
        // carol submits the modal once bob has opened it (her client would see INTERACTION_MODAL_CREATE; until
        // then the submission is refused)
        val submit = """{"type":5,"application_id":"${b.selfId}","guild_id":"$guildId","channel_id":"$channelId",""" +
            """"data":{"custom_id":"why","components":[{"type":1,"components":[{"type":4,"custom_id":"reason",""" +
            """"value":"b is better"}]}]}}"""
        withTimeout(WAIT) {
            while (status("POST", "/interactions", carolToken, submit) / 100 != 2) kotlinx.coroutines.delay(50)
        }
        check(because.await().message.content == "because: b is better") { "modal" }
        b.on<GuildChatInputCommandInteractionCreateEvent> {
            if (interaction.invokedCommandName == "later") {
                val resp = interaction.deferPublicResponse()
                val done = resp.respond { content = "later!" }
                done.createPublicFollowup { content = "and a followup" }
            }
        }
        val later = b.createGuildChatInputCommand(guildId, "later", "Later")
        val followup = next<MessageCreateEvent>(a) { it.message.content == "and a followup" }
        rest("POST", "/interactions", carolToken, """{"type":2,"application_id":"${b.selfId}","guild_id":"$guildId",""" +
            """"channel_id":"$channelId","session_id":"web","nonce":"kord-2","data":{"id":"${later.id}",""" +
            """"name":"later","type":1}}""")
        followup.await()
        step("components")
    }

    /** Reactions taken back: one user's, one emoji's, all. */
    suspend fun unreactStep() {
        val r = channel.createMessage("react to me")
        r.addReaction(ReactionEmoji.Unicode("\u2B50"))
        bc.getMessage(r.id).addReaction(ReactionEmoji.Unicode("\u2B50"))
        val removed = next<dev.kord.core.event.message.ReactionRemoveEvent>(a) {
            it.messageId == r.id && it.userId == b.selfId
        }
        bc.getMessage(r.id).deleteOwnReaction(ReactionEmoji.Unicode("\u2B50"))
        removed.await()
        val removedEmoji = next<dev.kord.core.event.message.ReactionRemoveEmojiEvent>(b) { it.messageId == r.id }
        r.deleteReaction(ReactionEmoji.Unicode("\u2B50"))
        removedEmoji.await()
        r.addReaction(ReactionEmoji.Unicode("\uD83D\uDE00"))
        val removedAll = next<dev.kord.core.event.message.ReactionRemoveAllEvent>(b) { it.messageId == r.id }
        r.deleteAllReactions()
        removedAll.await()
        step("unreact")
    }

    /** A category, a channel made in it (Kord sends parent_id as a number), a permission overwrite. */
    suspend fun categoryStep() {
        val catMade = next<dev.kord.core.event.channel.CategoryCreateEvent>(b) { it.channel.name == "kord-cat" }
        val cat = guild.createCategory("kord-cat")
        catMade.await()
        val inCat = guild.createTextChannel("in-cat") { parentId = cat.id }
        check(inCat.categoryId == cat.id) { "parent" }
        val overwritten = next<dev.kord.core.event.channel.TextChannelUpdateEvent>(b) {
            it.channel.id == inCat.id && it.channel.permissionOverwrites.isNotEmpty()
        }
        inCat.editRolePermission(guildId) {
            denied = dev.kord.common.entity.Permissions(dev.kord.common.entity.Permission.SendMessages)
        }
        overwritten.await()
        step("category")
    }

    /** The member list (op 8), a timeout, a kick and a join again through an invite. */
    @OptIn(PrivilegedIntent::class)
    suspend fun membersStep() {
        val chunk = next<dev.kord.core.event.guild.MembersChunkEvent>(b) { it.guildId == guildId }
        b.getGuild(guildId).requestMembers { requestAllMembers() }.first()
        check(chunk.await().members.size >= 3) { "chunk" }
        val timedOut = next<dev.kord.core.event.guild.MemberUpdateEvent>(b) {
            it.member.id == carolId && it.member.communicationDisabledUntil != null
        }
        guild.getMember(carolId).edit { communicationDisabledUntil = kotlinx.datetime.Clock.System.now() + 60.seconds }
        timedOut.await()
        val kicked = next<dev.kord.core.event.guild.MemberLeaveEvent>(b) { it.user.id == carolId }
        guild.kick(carolId)
        kicked.await()
        val joined = next<dev.kord.core.event.guild.MemberJoinEvent>(b) { it.member.id == carolId }
        val code = channel.createInvite { }.code
        rest("POST", "/invites/$code", carolToken, "{}")
        joined.await()
        step("members")
    }

    /** A global command listed, guild commands listed, a webhook renamed and deleted. */
    suspend fun appsStep() {
        val global = b.createGlobalChatInputCommand("hello", "Hello")
        check(b.getGlobalApplicationCommands().toList().any { it.id == global.id }) { "global" }
        check(b.getGuildApplicationCommands(guildId).toList().isNotEmpty()) { "guild commands" }
        val hook = channel.createWebhook("hook2")
        hook.edit { name = "hook3" }
        hook.delete()
        step("apps")
    }

    /**
     * Bob's connection goes silent (the relay drops what either side sends), three messages are sent, then the relay
     * cuts it without a close frame: what was written into the void comes again with the resume, once each and in
     * order, before or after RESUMED.
     */
    suspend fun resumeStep() {
        val connectionsBefore = relay.accepted
        relay.blackhole = true
        val whileCut = ArrayList<Snowflake>()
        for (i in 0 until 3) {
            val seen = next<MessageCreateEvent>(a) { it.message.content == "while cut $i" }
            whileCut += channel.createMessage("while cut $i").id
            seen.await()
        }
        val got = ArrayList<Snowflake>()
        var replayed = 0
        var resumed = false
        val events = async(start = CoroutineStart.UNDISPATCHED) {
            withTimeout(WAIT) {
                b.events.first { e ->
                    if (e is MessageCreateEvent && e.message.content.startsWith("while cut")) {
                        check(e.message.id !in got) { "delivered twice: ${e.message.id}" }
                        got += e.message.id
                        if (!resumed) replayed++
                    } else if (e is dev.kord.core.event.gateway.ResumedEvent) {
                        resumed = true
                    }
                    got.size == whileCut.size && resumed
                }
            }
        }
        relay.cutAll()
        relay.blackhole = false
        events.await()
        check(got == whileCut) { "after the resume $got, sent $whileCut" }
        val after = next<MessageCreateEvent>(b) { e ->
            check(!e.message.content.startsWith("while cut")) { "delivered twice: ${e.message.id}" }
            e.message.content == "after resume"
        }
        channel.createMessage("after resume")
        after.await()
        println("resume: $replayed of 3 replayed before RESUMED; relay connections $connectionsBefore -> ${relay.accepted}")
        step("resume")
    }
}

/** A TCP relay on 127.0.0.1 that can drop every connection it carries without a close frame. */
class Relay(private val target: Int) : AutoCloseable {
    private val listener = java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())
    private val sockets = java.util.concurrent.CopyOnWriteArrayList<java.net.Socket>()
    val port: Int get() = listener.localPort
    @Volatile var accepted = 0
    /** While on, bytes read from either side are dropped: the connections look alive and carry nothing. */
    @Volatile var blackhole = false

    init {
        Thread.ofPlatform().daemon().start {
            while (!listener.isClosed) {
                try {
                    val client = listener.accept()
                    val server = java.net.Socket(java.net.InetAddress.getLoopbackAddress(), target)
                    accepted++
                    sockets += client
                    sockets += server
                    pipe(client, server)
                    pipe(server, client)
                } catch (e: java.io.IOException) {
                    // closed
                }
            }
        }
    }

    private fun pipe(from: java.net.Socket, to: java.net.Socket) {
        Thread.ofPlatform().daemon().start {
            val buf = ByteArray(16384)
            try {
                val input = from.getInputStream()
                val out = to.getOutputStream()
                while (true) {
                    val n = input.read(buf)
                    if (n <= 0) break
                    if (!blackhole) out.write(buf, 0, n)
                }
            } catch (e: java.io.IOException) {
                // cut or closed
            }
            runCatching { from.close() }
            runCatching { to.close() }
        }
    }

    fun cutAll() {
        for (s in sockets) {
            runCatching { s.setSoLinger(true, 0) } // RST, no FIN: nothing orderly reaches either side
            runCatching { s.close() }
        }
        sockets.clear()
    }

    override fun close() {
        listener.close()
        cutAll()
    }
}
