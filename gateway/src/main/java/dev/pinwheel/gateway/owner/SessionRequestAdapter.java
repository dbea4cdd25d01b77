package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.shard.Shard;

/**
 * Receives the requests of gateway sessions sent to a shard ({@link OwnerCommands}, types 160-199) and runs each in
 * its area's service: subscriptions, op 8 member lists, voice signalling, the shards holding each user's sessions. A
 * subscription whose handling fails, or that was dropped on its way, is answered to its session as unavailable; the
 * other requests, like Discord's, have no answer to give. One per shard; shard thread only.
 */
public final class SessionRequestAdapter
{
    private final SubscriptionService subscriptions;
    private final MemberListService members;
    private final VoiceService voice;
    private final UserSessionService users;
    private final TemporaryMembers temporary;
    private PresenceService presences;
    private LazyMemberLists lists;
    private final ReadStateService readStates;

    /**
     * @param subscriptions this shard's subscriptions.
     * @param members       its op 8 member lists.
     * @param voice         its voice states.
     * @param users         where the users it owns have sessions.
     */
    public SessionRequestAdapter(final SubscriptionService subscriptions, final MemberListService members,
        final VoiceService voice, final UserSessionService users)
    {
        this(subscriptions, members, voice, users, null);
    }

    /**
     * @param subscriptions this shard's subscriptions.
     * @param members       its op 8 member lists.
     * @param voice         its voice states.
     * @param users         where the users it owns have sessions.
     * @param temporary     removes temporary members whose last session ended ({@link OwnerCommandAdapter}'s), or
     *                      null to keep them.
     */
    public SessionRequestAdapter(final SubscriptionService subscriptions, final MemberListService members,
        final VoiceService voice, final UserSessionService users, final TemporaryMembers temporary)
    {
        this(subscriptions, members, voice, users, temporary, null);
    }

    /**
     * @param subscriptions this shard's subscriptions.
     * @param members       its op 8 member lists.
     * @param voice         its voice states.
     * @param users         where the users it owns have sessions.
     * @param temporary     removes temporary members whose last session ended, or null to keep them.
     * @param readStates    the read states of the users it owns ({@link OwnerCommandAdapter}'s), or null: READY
     *                      read states come back empty and mentions are not counted.
     */
    public SessionRequestAdapter(final SubscriptionService subscriptions, final MemberListService members,
        final VoiceService voice, final UserSessionService users, final TemporaryMembers temporary,
        final ReadStateService readStates)
    {
        this.readStates = readStates;
        this.subscriptions = subscriptions;
        this.members = members;
        this.voice = voice;
        this.users = users;
        this.temporary = temporary;
    }

    /**
     * @param service this shard's presences (op 2/op 3 and their fanout to guilds).
     * @return this.
     */
    public SessionRequestAdapter presences(final PresenceService service)
    {
        this.presences = service;
        return this;
    }

    /**
     * @param service this shard's lazy member lists (op 14).
     * @return this.
     */
    public SessionRequestAdapter memberLists(final LazyMemberLists service)
    {
        this.lists = service;
        return this;
    }

    /**
     * @param type a command type.
     * @return whether it is a session request this adapter runs.
     */
    public static boolean handles(final int type)
    {
        return type >= OwnerCommands.FIRST_SESSION_REQUEST && type <= OwnerCommands.LAST_SESSION_REQUEST;
    }

    /**
     * Runs a session request.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    public void onCommand(final Shard owner, final CommandReader command)
    {
        switch (command.type())
        {
            case OwnerCommands.SUBSCRIBE -> subscriptions.subscribe(owner, command);
            case OwnerCommands.UNSUBSCRIBE -> subscriptions.unsubscribe(owner, command);
            case OwnerCommands.REQUEST_MEMBERS -> members.requestMembers(owner, command);
            case OwnerCommands.VOICE_STATE -> voice.onStateUpdate(owner, command);
            case OwnerCommands.VOICE_SESSION_ENDED -> voice.onSessionEnded(owner, command);
            case OwnerCommands.USER_SESSIONS -> users.sessionsOn(owner, command);
            case OwnerCommands.USER_OFFLINE ->
            {
                if (temporary != null)
                {
                    temporary.offline(owner, command);
                }
            }
            case OwnerCommands.USER_EVENT -> users.relay(command);
            case OwnerCommands.PRESENCE_SET -> presences.onSessionPresence(owner, command);
            case OwnerCommands.PRESENCE_GUILDS -> presences.onGuildPresence(owner, command);
            case OwnerCommands.MEMBER_LIST_SUBSCRIBE -> lists.subscribe(owner, command);
            case OwnerCommands.MEMBER_LIST_UNSUBSCRIBE -> lists.unsubscribe(owner, command);
            case OwnerCommands.READ_STATE_MENTIONS ->
            {
                if (readStates != null)
                {
                    readStates.mentioned(owner, command);
                }
            }
            case OwnerCommands.READ_STATES_GET ->
            {
                if (readStates != null)
                {
                    readStates.snapshot(owner, command);
                }
                else
                {
                    ReadStateService.answerEmpty(owner, command);
                }
            }
            default -> throw new IllegalArgumentException("unknown session request type " + command.type());
        }
    }

    /**
     * A session request failed on this shard, or was dropped on its way from this shard.
     *
     * @param shard   this shard.
     * @param command the command, rewound.
     * @param cause   why.
     */
    public void failed(final Shard shard, final CommandReader command, final Throwable cause)
    {
        if (command.type() == OwnerCommands.SUBSCRIBE)
        {
            subscriptions.failed(command, cause);
        }
        else if (command.type() == OwnerCommands.READ_STATES_GET)
        {
            ReadStateService.answerEmpty(shard, command); // READY goes without read states rather than never
        }
        else if (command.type() == OwnerCommands.USER_EVENT
            && cause instanceof dev.pinwheel.core.shard.NodeUnavailableException)
        {
            users.ownerUnreachable(command); // the user's owner is away: every shard of the cluster gets the event
        }
    }
}
