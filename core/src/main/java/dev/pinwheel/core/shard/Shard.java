package dev.pinwheel.core.shard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionIndex;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildTable;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.store.ReadPendingException;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StoreCounters;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.tuning.IdleMode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One core's worth of Pinwheel: a single thread running one duty cycle over
 * <pre>
 *            other shards, control plane                 this shard's sockets
 *                      │ tryNext/publish + wakeup                │
 *                      ▼                                          ▼
 *   ┌──────────── inbox ring (Disruptor) ──┐        ┌── IoDriver (Netty ManualIoEventLoop) ──┐
 *   │ TASK: run on owned state             │        │ decode, auth, REST, gateway frames     │
 *   │ FANOUT: deliver to local sessions    │        └────────────────────────────────────────┘
 *   └──────────────────────────────────────┘
 *            │ doWork(): io.poll → inbox.poll (≤ MAX_BATCH entries) → store completions → parked reads
 *            │           re-run → drain outboxes → ticks → flush dirty sessions
 *            ▼ idle: BLOCK (epoll wait until I/O, wakeup or next tick) | BACKOFF | BUSY_SPIN
 * </pre>
 * A shard is the <b>single writer</b> of the sessions it accepted and of the guilds the routing ring gives
 * it: only this thread touches them. Other threads reach them only through {@link ShardGroup#send}.
 * <p>
 * <b>Failures.</b> A task, an acknowledgement or a ticker that throws is counted ({@link ShardCounters#TASK_ERRORS},
 * {@link ShardCounters#STORE_REFUSED}), logged (rate-limited: clients can trigger them) and reported to the task
 * through {@link ShardTask#failed}, so whoever waits for it gets an answer. A fatal failure ({@link ShardFaults})
 * ends the duty cycle: the shard closes its sockets, its thread closes its store and the group's
 * {@link ShardDeathHandler} stops the node.
 * <p>
 * <b>Reads that wait for a database.</b> An asynchronous store never blocks this thread: a read it cannot answer from
 * memory throws {@link ReadPendingException}; the command or task that read is parked (its bytes copied) and run again
 * from the start once the store says that fetch completed, at most {@link ShardStore#ackTimeoutNanos()} after it first
 * parked (then it fails with 503's {@code UNAVAILABLE}). Meanwhile the shard serves everything else.
 */
public final class Shard implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
    private static final ThrottledLog TASK_FAILURES = new ThrottledLog(LOG, Level.ERROR, "shard task failures", 20,
        10_000);
    private static final ThrottledLog STORE_REFUSALS = new ThrottledLog(LOG, Level.WARN, "store refusals", 5, 10_000);
    private static final ThrottledLog DROPS = new ThrottledLog(LOG, Level.ERROR, "dropped hand-offs", 5, 10_000);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * Inbox entries one duty cycle takes at most before it goes back to I/O: the rest wait for the next cycle, so a
     * full ring (65,536 entries) cannot keep this shard's sockets unread for the time it takes to run them all.
     */
    static final int MAX_BATCH = 4096;
    /** Hand-offs waiting for one target shard's ring beyond this are dropped (counted, the task told). */
    static final int MAX_DEFERRED = 1 << 20;
    private int maxDeferred = MAX_DEFERRED;
    private int maxBatch = MAX_BATCH;
    /** Entries the current inbox poll has handled: the poll's handler stops it at {@link #maxBatch}. */
    private int batchTaken;
    private final CommandWriter writer = new CommandWriter();
    /** Offset in {@link #counterValues} of each command type's counter, -1 until it has one. */
    private final int[] commandCounters = new int[CommandReader.MAX_TYPE + 1];
    private final NodeCounters nodeCounters;
    private final AtomicBuffer counterValues;
    private final CommandReader[] readers = new CommandReader[16];
    private final ExpandableArrayBuffer[] inlineCopies = new ExpandableArrayBuffer[16];
    private int commandDepth;
    private CommandReader currentCommand;
    private CommandHandler commandHandler;
    /** While hand-offs wait for room in another shard's ring, block at most this long between retries. */
    private static final long DEFERRED_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final ShardGroup group;
    private final int id;
    private final RingBuffer<ShardCommand> ring;
    /** The buffers typed commands' bytes travel in through {@link #ring}. */
    private final CommandBuffers commandBuffers;
    private final EventPoller<ShardCommand> poller;
    private final EventPoller.Handler<ShardCommand> inboxHandler = this::onCommand;
    private final SessionIndex sessions = new SessionIndex();
    private final GuildTable guilds = new GuildTable();
    private final ShardStore store;
    private final SnowflakeIds ids;
    private final ShardCounters counters;
    private final ShardGauges gauges;
    private final StoreCounters storeCounters;
    private final ArrayDeque<Object>[] deferred;
    private final ArrayList<Runnable> tickers = new ArrayList<>();
    private final ArrayList<Runnable> pendingAcks = new ArrayList<>();
    /** Asynchronous stores: acknowledgements waiting for the durable watermark, oldest first. */
    private final ArrayDeque<DurableAck> durableAcks = new ArrayDeque<>();
    private static final StoreUnavailableException NOT_WRITTEN_FENCED = new StoreUnavailableException(
        StoreUnavailableException.Reason.UNAVAILABLE, "this node lost its ownership before the write was sent");
    /** A write sent once, unanswered, then abandoned: the database may have applied it. */
    private static final StoreUnavailableException UNKNOWN_FENCED = new StoreUnavailableException(
        StoreUnavailableException.Reason.UNAVAILABLE, "this node lost its ownership while the database had not "
        + "answered the write", true);
    /** Still being sent until the database takes it: it may well be applied. */
    private static final StoreUnavailableException NOT_DURABLE_IN_TIME = new StoreUnavailableException(
        StoreUnavailableException.Reason.UNAVAILABLE, "the database did not acknowledge the write in time", true);
    /** Commands and tasks parked until the store's fetch they wait for completes ({@link ReadPendingException}). */
    private final ArrayDeque<ParkedRead> parkedReads = new ArrayDeque<>();
    /** Parked reads beyond this are refused with 503 at once (the database is too slow for this shard's load). */
    static final int MAX_PARKED_READS = 4096;
    /** A parked read waits at most the store's acknowledgement timeout, and never longer than this. */
    private static final long MAX_PARK_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final StoreUnavailableException NOT_READ_IN_TIME = new StoreUnavailableException(
        StoreUnavailableException.Reason.UNAVAILABLE, "the database did not answer a read in time");
    private static final StoreUnavailableException TOO_MANY_PARKED = new StoreUnavailableException(
        StoreUnavailableException.Reason.UNAVAILABLE, "too many reads wait for the database");
    /**
     * The command types held back while this shard waits to be released ({@link #holdCommands}), or null: not
     * holding. Set before the shard starts; read and cleared on its thread.
     */
    private java.util.function.IntPredicate holding;
    /** When the hold ends by itself if nobody released it ({@link #holdCommands}). */
    private long holdDeadlineNanos;
    /** Held commands, their bytes, oldest first. */
    private final ArrayDeque<byte[]> heldCommands = new ArrayDeque<>();
    /**
     * The command types that wait while this node's ownership is {@link ShardGroup#PAUSED} ({@link #pauseWhile}), or
     * null. Set before the shard starts.
     */
    private java.util.function.IntPredicate pausable;
    /** How long a pause holds commands at most ({@link #pauseWhile}). */
    private long pauseMaxNanos;
    /** Whether the current hold is a pause (released when the ownership is no longer paused). */
    private boolean pausedHold;
    /** Whether held commands are being run (they are not held again). */
    private boolean releasing;
    /** Held commands beyond this end the hold at once (they run, oldest first; nothing is refused). */
    static final int MAX_HELD_COMMANDS = 1 << 16;
    /** The deadline of the parked read being run again (0: a first run); taken by the run it is meant for. */
    private long rerunDeadline;
    /** When parked reads are next checked for their deadline even without a completion. */
    private long nextParkedCheckNanos;
    /** Whether the store acknowledges by durable watermark ({@link ShardStore#asynchronous()}). */
    private final boolean asyncStore;
    /** The task that registered each pending acknowledgement (null outside a task), told if it fails. */
    private final ArrayList<ShardTask> pendingAckTasks = new ArrayList<>();
    private final IdleMode idleMode;
    private volatile boolean running = true;
    private volatile boolean ready;
    /** The first fatal failure on this thread: the duty cycle ends at the end of the current cycle. */
    private volatile Throwable fatal;
    private IoDriver io;
    private volatile Thread thread;
    private ShardTask currentTask;
    /**
     * Asynchronous stores: the first write the running task or command may issue ({@link ShardStore#issuedSequence()}
     * + 1 when it began); an acknowledgement it registers fails if one of its own writes was abandoned.
     */
    private long writesFrom = 1;
    private long nextTickNanos;
    /** A tick ran since the store's last idle housekeeping. */
    private boolean ticked;
    private int deferredCount;

    @SuppressWarnings("unchecked")
    Shard(final ShardGroup group, final int id, final int ringSize, final ShardStore store, final int nodeId,
        final IdleMode idleMode)
    {
        this.group = group;
        this.id = id;
        this.ring = RingBuffer.createMultiProducer(ShardCommand::new, ringSize);
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.store = store;
        this.asyncStore = store.asynchronous();
        this.ids = new SnowflakeIds(nodeId & 31, id & 31);
        this.idleMode = idleMode;
        this.deferred = new ArrayDeque[group.shardCount()];
        this.nodeCounters = group.counters();
        this.counterValues = nodeCounters.values();
        this.counters = new ShardCounters(nodeCounters, id);
        this.commandBuffers = new CommandBuffers(counters);
        this.gauges = new ShardGauges(nodeCounters, id);
        this.storeCounters = new StoreCounters(nodeCounters, id);
        java.util.Arrays.fill(commandCounters, -1);
        gauges.set(ShardGauges.RING_CAPACITY, ringSize);
        store.bindCounters(storeCounters);
    }

    /**
     * @return this shard's index on the node.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return the node's shards.
     */
    public ShardGroup group()
    {
        return group;
    }

    /**
     * @return local session index (this thread only).
     */
    public SessionIndex sessions()
    {
        return sessions;
    }

    /**
     * @return guilds this shard owns (this thread only).
     */
    public GuildTable guilds()
    {
        return guilds;
    }

    /**
     * @return this shard's store (this thread only).
     */
    public ShardStore store()
    {
        return store;
    }

    /**
     * @return this shard's id generator (this thread only).
     */
    public SnowflakeIds ids()
    {
        return ids;
    }

    /**
     * @return this shard's counters.
     */
    public ShardCounters counters()
    {
        return counters;
    }

    /**
     * @return this shard's gauges (written on this thread; the transport writes its connections and sessions).
     */
    public ShardGauges gauges()
    {
        return gauges;
    }

    /**
     * @return the I/O driver (set once the shard thread started).
     */
    public IoDriver io()
    {
        return io;
    }

    /**
     * @return whether the caller runs on this shard's thread.
     */
    public boolean inShardThread()
    {
        return Thread.currentThread() == thread;
    }

    /**
     * Registers a periodic action run on this shard about every 50 ms (heartbeat deadlines, rate windows).
     *
     * @param ticker action.
     */
    public void addTicker(final Runnable ticker)
    {
        tickers.add(ticker);
    }

    /**
     * Runs an acknowledgement (reply, fanout) once everything this shard appended so far is durable: at once
     * when the store makes appends durable on return, else after the group commit at the end of this duty
     * cycle's batch — one msync for every write of the batch. With an asynchronous store
     * ({@link ShardStore#asynchronous()}: Cassandra) it runs once the database acknowledged every write issued so far
     * (the durable watermark), in registration order, polled every duty cycle; if that takes longer than the store's
     * {@link ShardStore#ackTimeoutNanos()} the task or command is failed with
     * {@link StoreUnavailableException.Reason#UNAVAILABLE} instead (503).
     *
     * @param ack the acknowledgement.
     */
    public void afterCommit(final Runnable ack)
    {
        if (asyncStore)
        {
            final long seq = store.issuedSequence();
            if (durableAcks.isEmpty() && seq <= store.durableSequence())
            {
                ack.run(); // nothing of it is in flight: acknowledged as a synchronous store would
                return;
            }
            final ShardTask told = currentTask != null || currentCommand == null ? currentTask
                : new CommandFailure(currentCommand.copy());
            // outside a task or command (a ticker), every write not yet durable
            final long from = currentTask != null || currentCommand != null ? writesFrom : store.durableSequence() + 1;
            durableAcks.add(new DurableAck(ack, told, from, seq, System.nanoTime() + store.ackTimeoutNanos()));
        }
        else if (store.groupCommit())
        {
            pendingAcks.add(ack);
            // who hears of a failed commit: the running task, or the running command (a copy of its bytes)
            pendingAckTasks.add(currentTask != null || currentCommand == null ? currentTask
                : new CommandFailure(currentCommand.copy()));
        }
        else
        {
            ack.run();
        }
    }

    /**
     * Asynchronous stores: runs, in order, the acknowledgements whose writes the database acknowledged (every write
     * up to theirs: the durable watermark); fails those still waiting past their deadline with 503
     * ({@link StoreUnavailableException.Reason#UNAVAILABLE}). An acknowledgement never overtakes an older one.
     */
    private int releaseDurable()
    {
        int work = store.pollCompletions();
        if (!parkedReads.isEmpty() && (work > 0 || System.nanoTime() - nextParkedCheckNanos >= 0))
        {
            work += rerunParked();
        }
        if (durableAcks.isEmpty())
        {
            return work;
        }
        final long durable = store.durableSequence();
        long now = 0;
        final ShardTask outer = currentTask;
        try
        {
            while (!durableAcks.isEmpty())
            {
                final DurableAck p = durableAcks.peekFirst();
                if (p.seq() <= durable && store.abandoned(p.from(), p.seq()))
                {
                    durableAcks.pollFirst(); // this node lost its keys before it went out or was answered
                    onFailure(p.told(), store.abandonedAfterSending(p.from(), p.seq()) ? UNKNOWN_FENCED
                        : NOT_WRITTEN_FENCED,
                        "durable wait");
                }
                else if (p.seq() <= durable)
                {
                    durableAcks.pollFirst();
                    currentTask = p.told();
                    try
                    {
                        p.ack().run();
                    }
                    catch (final Throwable ex)
                    {
                        onFailure(p.told(), ex, "acknowledgement");
                        rethrowIfFatal(ex);
                    }
                }
                else
                {
                    if (now == 0)
                    {
                        now = System.nanoTime();
                    }
                    if (now - p.deadline() < 0)
                    {
                        break;
                    }
                    durableAcks.pollFirst();
                    onFailure(p.told(), NOT_DURABLE_IN_TIME, "durable wait");
                }
                work++;
            }
        }
        finally
        {
            currentTask = outer;
        }
        return work;
    }

    /**
     * An acknowledgement waiting for the asynchronous store's durable watermark to reach {@code seq}; it covers the
     * writes {@code from} to {@code seq} (those of the task or command that registered it).
     */
    private record DurableAck(Runnable ack, ShardTask told, long from, long seq, long deadline)
    {
    }

    /** A task or a command (its bytes) that read what the store had to fetch: run again once fetch {@code ticket} is in. */
    private record ParkedRead(ShardTask task, byte[] command, long ticket, long deadline)
    {
    }

    /**
     * Parks what just read a value the store is fetching; refused (503) when too many wait already.
     *
     * @param deadline the original deadline of a re-run that missed again, 0 for a first miss.
     */
    private void park(final ShardTask task, final CommandReader command, final long ticket, final long deadline)
    {
        if (parkedReads.size() >= MAX_PARKED_READS || !asyncStore)
        {
            final RuntimeException refused = asyncStore ? TOO_MANY_PARKED
                : new IllegalStateException("a synchronous store cannot defer a read (" + ticket + ")");
            if (task != null)
            {
                onFailure(task, refused, "parked read");
            }
            else
            {
                onFailure(null, refused, "parked read");
                notifyCommandFailed(command.rewind(), refused);
            }
            return;
        }
        counters.increment(ShardCounters.READS_PARKED);
        parkedReads.addLast(new ParkedRead(task, task == null ? command.copy() : null, ticket,
            deadline != 0 ? deadline : System.nanoTime() + Math.min(store.ackTimeoutNanos(), MAX_PARK_NANOS)));
    }

    /**
     * Runs again, oldest first, the parked reads whose fetch completed (a re-run that misses again parks again, with
     * its first deadline); fails those past their deadline with 503.
     *
     * @return parked reads run or failed.
     */
    private int rerunParked()
    {
        final long now = System.nanoTime();
        nextParkedCheckNanos = now + TICK_NANOS;
        int work = 0;
        for (int i = 0, n = parkedReads.size(); i < n; i++)
        {
            final ParkedRead p = parkedReads.pollFirst();
            if (store.readComplete(p.ticket()))
            {
                work++;
                rerunDeadline = p.deadline();
                if (p.task() != null)
                {
                    runTask(p.task());
                }
                else
                {
                    runCommand(new UnsafeBuffer(p.command()), p.command().length, false);
                }
                rerunDeadline = 0;
            }
            else if (now - p.deadline() >= 0)
            {
                work++;
                if (p.task() != null)
                {
                    onFailure(p.task(), NOT_READ_IN_TIME, "parked read");
                }
                else
                {
                    onFailure(null, NOT_READ_IN_TIME, "parked read");
                    notifyCommandFailed(new CommandReader().wrap(new UnsafeBuffer(p.command()), 0,
                        p.command().length), NOT_READ_IN_TIME);
                }
            }
            else
            {
                parkedReads.addLast(p);
            }
        }
        return work;
    }

    /**
     * @return commands and tasks parked until a read of the store completes (shard thread only).
     */
    public int parkedReads()
    {
        return parkedReads.size();
    }

    private int commitBatch()
    {
        final int n = pendingAcks.size();
        if (n == 0)
        {
            return 0;
        }
        try
        {
            store.commit();
        }
        catch (final Throwable ex)
        {
            // Nothing of this batch is durable: no acknowledgement runs, every waiting task hears of the failure.
            ShardTask previous = null;
            for (int i = 0; i < n; i++)
            {
                final ShardTask task = pendingAckTasks.get(i);
                if (task != previous)
                {
                    onFailure(task, ex, "group commit");
                    previous = task;
                }
            }
            pendingAcks.clear();
            pendingAckTasks.clear();
            rethrowIfFatal(ex);
            return n;
        }
        Throwable fatalAck = null;
        final ShardTask outer = currentTask;
        for (int i = 0; i < pendingAcks.size(); i++)
        {
            currentTask = pendingAckTasks.get(i);
            try
            {
                pendingAcks.get(i).run();
            }
            catch (final Throwable ex)
            {
                onFailure(currentTask, ex, "acknowledgement");
                if (ShardFaults.isFatal(ex))
                {
                    fatalAck = ex;
                    break;
                }
            }
        }
        currentTask = outer;
        pendingAcks.clear();
        pendingAckTasks.clear();
        if (fatalAck != null)
        {
            rethrowIfFatal(fatalAck);
        }
        return n;
    }

    /**
     * @return inbox capacity.
     */
    public int ringCapacity()
    {
        return ring.getBufferSize();
    }

    /**
     * @return entries waiting in the inbox.
     */
    public long ringDepth()
    {
        return ring.getCursor() - poller.getSequence().get();
    }

    /**
     * @return true if the inbox has entries claimed or published but not yet consumed: the shard must not
     * block. Safe from any thread.
     */
    public boolean hasPendingInbox()
    {
        return ring.getCursor() > poller.getSequence().get() || asyncStore && store.hasCompletions();
    }

    /**
     * Publishes an event of a guild this shard owns to every interested shard: local sessions directly,
     * one ring hand-off per other interested shard (never one per recipient). Order per guild holds
     * because this thread is the guild's only producer and every hop is FIFO.
     *
     * @param guild    the guild (owned here).
     * @param dispatch the encoded event.
     */
    public void publish(final Guild guild, final Dispatch dispatch)
    {
        publishToOtherNodes(guild, dispatch);
        publishOnThisNode(guild, dispatch);
    }

    /**
     * The first half of {@link #publish}: the event to every other node whose sessions follow the guild (one link
     * message per node). A caller with something slow to do before this node's sessions get the event (a REST answer's
     * write) does it between the halves, so that the other nodes' deliveries start first; the event's order per guild
     * holds on every node, since each half keeps it. Nothing on a single node.
     *
     * @param guild    the guild (owned here).
     * @param dispatch the encoded event.
     */
    public void publishToOtherNodes(final Guild guild, final Dispatch dispatch)
    {
        requireOwn(guild, dispatch);
        final ClusterLink link = group.clusterLink();
        if (link != null && !dropRemoteEvents)
        {
            final int self = group.nodeId();
            long nodes = guild.interestedNodes() & ~(1L << self);
            if (nodes == 0)
            {
                return;
            }
            while (nodes != 0)
            {
                final int node = Long.numberOfTrailingZeros(nodes);
                nodes &= nodes - 1;
                // one message per (event, interested node); that node hands it to each of its shards in the mask
                link.offerDispatch(id, node, guild.interestedShardsOf(node), dispatch);
            }
            link.sendOffered(id); // every node's copy on the wire before this node's own sessions get theirs
        }
    }

    /** Test only ({@code FaultInjection}, {@link #dropEventsToOtherNodes}). */
    private static volatile boolean dropRemoteEvents;

    /**
     * <b>Test only</b> ({@code -Dpinwheel.debug.fault-injection=true}): from now on this node's owners send their
     * guilds' events to no other node — as when the node dies after a write and before its event leaves (a test then
     * kills it).
     */
    public static void dropEventsToOtherNodes()
    {
        dropRemoteEvents = true;
    }

    private static void requireOwn(final Guild guild, final Dispatch dispatch)
    {
        if (dispatch.guildId() != guild.id())
        {
            throw new IllegalArgumentException("dispatch of guild " + dispatch.guildId() + " published to " + guild.id());
        }
    }

    /**
     * The second half of {@link #publish}: the event to this node's sessions (this shard's directly, one hand-off
     * per other interested shard of this node).
     *
     * @param guild    the guild (owned here).
     * @param dispatch the encoded event.
     */
    public void publishOnThisNode(final Guild guild, final Dispatch dispatch)
    {
        requireOwn(guild, dispatch);
        long mask = guild.interestedShards();
        if (group.clusterLink() != null)
        {
            mask |= guild.interestedShardsOf(group.nodeId());
        }
        while (mask != 0)
        {
            final int target = Long.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            if (target == id)
            {
                counters.add(ShardCounters.DELIVERIES, sessions.deliver(dispatch));
            }
            else
            {
                sendOrdered(target, dispatch);
            }
        }
    }

    /**
     * Sends a task to another shard from this shard, keeping FIFO order with this shard's fanouts to it.
     * Never blocks: a full target ring defers the entry to a local overflow queue drained every cycle.
     *
     * @param target target shard.
     * @param task   task.
     */
    public void send(final int route, final ShardTask task)
    {
        if (ShardRoute.remote(route, group.nodeId()))
        {
            throw new IllegalArgumentException("a task cannot cross nodes (route " + Integer.toHexString(route)
                + "): send a typed command");
        }
        final int target = ShardRoute.shard(route);
        if (target == id)
        {
            runTask(task);
        }
        else
        {
            sendOrdered(target, task);
        }
    }

    /**
     * Sends a typed command ({@link CommandWriter}) to a shard — its {@link CommandHandler} runs it on that shard's
     * thread — keeping FIFO order with everything else this shard sends there. The command's bytes are copied (into
     * the target's ring slot, or aside while the target's ring is full): the writer may be reused at once. To this
     * very shard, the command runs now. Never blocks; a command dropped because the overflow is full is reported to
     * this shard's handler ({@link CommandHandler#failed}) with a {@link HandoffDroppedException}.
     *
     * @param target  target shard.
     * @param command the command just written.
     */
    public void send(final int route, final CommandWriter command)
    {
        send(route, command, false);
    }

    /**
     * Sends the answer to a request back to the shard that asked (the request's origin), like
     * {@link #send(int, CommandWriter)} — FIFO with this shard's other sends there — except that it is never refused
     * for a full queue: to another node it waits in the link's queue past {@code pinwheel.cluster.maxPending}, to a
     * shard of this node in the overflow past its limit. The owner has done the work by then (a message journaled,
     * say), and a dropped answer would leave the client waiting for the origin's timeout (504) and retrying it. The
     * requests the origin waits on bound the answers.
     *
     * @param route   the origin shard.
     * @param command the answer just written.
     */
    public void answer(final int route, final CommandWriter command)
    {
        send(route, command, true);
    }

    private void send(final int route, final CommandWriter command, final boolean answer)
    {
        if (ShardRoute.clustered(route) && ShardRoute.node(route) != group.nodeId())
        {
            sendToNode(route, command.buffer(), command.length(), answer);
            return;
        }
        final int target = ShardRoute.shard(route);
        if (target == id)
        {
            runInline(command.buffer(), command.length());
            return;
        }
        final ArrayDeque<Object> q = deferred[target];
        if ((q == null || q.isEmpty()) && group.tryPublishCommand(target, command.buffer(), 0, command.length()))
        {
            counters.increment(ShardCounters.HANDOFFS_OUT);
            return;
        }
        final byte[] copy = new byte[command.length()]; // only while the target's ring is full
        command.buffer().getBytes(0, copy);
        sendOrdered(target, new DeferredCommand(copy), answer);
    }

    /**
     * A command for a shard of another node: onto the link's stream to that node (FIFO with this shard's other sends
     * there). Refused (node down, queue full): the command's handler is told at once, on this thread, so the request
     * is answered (503) rather than left waiting.
     */
    /** A command held back by back-pressure whose node then went down: answered like a refused send. */
    private final ClusterLink.Refused linkRefused = this::onLinkRefused;

    private void onLinkRefused(final int node, final DirectBuffer bytes, final int offset, final int length)
    {
        counters.increment(ShardCounters.HANDOFFS_DROPPED);
        final byte[] copy = new byte[length];
        bytes.getBytes(offset, copy);
        notifyCommandFailed(new CommandReader().wrap(new UnsafeBuffer(copy), 0, copy.length),
            new NodeUnavailableException(node));
    }

    void sendToNode(final int route, final DirectBuffer bytes, final int length, final boolean answer)
    {
        final ClusterLink link = group.clusterLink();
        final int node = ShardRoute.node(route);
        final int result = link == null ? ClusterLink.NODE_DOWN
            : link.offerCommand(id, node, ShardRoute.shard(route), bytes, 0, length, answer);
        if (result == ClusterLink.SENT)
        {
            link.sendOffered(id);
            counters.increment(ShardCounters.HANDOFFS_OUT);
            if (commandHandler != null)
            {
                commandHandler.sentToNode(this, node, bytes, length);
            }
            return;
        }
        counters.increment(ShardCounters.HANDOFFS_DROPPED);
        final byte[] copy = new byte[length]; // the handler may reuse the writer to answer
        bytes.getBytes(0, copy);
        notifyCommandFailed(new CommandReader().wrap(new UnsafeBuffer(copy), 0, copy.length),
            result == ClusterLink.NODE_DOWN ? new NodeUnavailableException(node) : new HandoffDroppedException(id, route));
    }

    /**
     * @return where commands reach this shard from anywhere (the origin written into a request, so that the answer
     *         comes back here): the shard's index on a single node, a clustered route naming this node in a cluster.
     */
    public int address()
    {
        return group.clusterLink() == null ? id : ShardRoute.of(group.nodeId(), id);
    }

    /**
     * @return this shard's command writer, reused for every command it sends (shard thread only; finish one command
     *         — {@link #send(int, CommandWriter)} — before beginning the next).
     */
    public CommandWriter commandWriter()
    {
        return writer;
    }

    /**
     * Sets the handler of the typed commands sent to this shard, and registers a counter for every command type it
     * names ({@link CommandHandler#commandName}). Once, before the shard serves.
     *
     * @param handler runs the typed commands sent to this shard.
     */
    public void commandHandler(final CommandHandler handler)
    {
        this.commandHandler = handler;
        for (int type = 0; type <= CommandReader.MAX_TYPE; type++)
        {
            if (commandCounters[type] < 0 && handler.commandName(type) != null)
            {
                commandCounter(type);
            }
        }
    }

    /**
     * @param type a command type.
     * @return commands of that type this shard ran so far (any thread).
     */
    public long commandCount(final int type)
    {
        final int offset = commandCounters[type];
        return offset < 0 ? 0 : counterValues.getLongAcquire(offset);
    }

    /** Registers the counter of a command type (once per type: at start, or the first time an unnamed one runs). */
    private int commandCounter(final int type)
    {
        final String name = commandHandler == null ? null : commandHandler.commandName(type);
        final int counterId = nodeCounters.allocate(CounterTypes.COMMAND, id, type,
            "pinwheel_shard_commands_total{shard=\"" + id + "\",type=\"" + (name != null ? name : type) + "\"}");
        final int offset = NodeCounters.valueOffset(counterId);
        commandCounters[type] = offset;
        return offset;
    }

    /** A command whose acknowledgement waits for a group commit: told if the commit fails. */
    private record CommandFailure(byte[] bytes) implements ShardTask
    {
        @Override
        public void run(final Shard shard)
        {
        }

        @Override
        public void failed(final Shard shard, final Throwable cause)
        {
            shard.notifyCommandFailed(new CommandReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length), cause);
        }
    }

    /** A command's bytes waiting aside while its target's ring is full. */
    private record DeferredCommand(byte[] bytes)
    {
        @Override
        public String toString()
        {
            return "command of type " + new UnsafeBuffer(bytes).getInt(0) + " (" + bytes.length + " bytes)";
        }
    }

    private void runInline(final DirectBuffer bytes, final int length)
    {
        // the sender's writer may be reused by the handler (to reply): run from a copy
        final int depth = commandDepth;
        if (inlineCopies[depth] == null)
        {
            inlineCopies[depth] = new ExpandableArrayBuffer(Math.max(256, length));
        }
        final ExpandableArrayBuffer copy = inlineCopies[depth];
        copy.putBytes(0, bytes, 0, length);
        runCommand(copy, length, true);
    }

    /**
     * Holds back, from the start of this shard, every command whose type {@code types} accepts: each is kept (its
     * bytes) in arrival order instead of being run, until {@link #releaseHeldCommands} runs them all, oldest first,
     * before anything that arrives after. Commands of other types run as they arrive. A node restarted in a cluster
     * holds the commands that could produce events until its peers have told it again which of their sessions follow
     * it. The hold ends by itself after {@code maxNanos} (logged), or at once when {@value #MAX_HELD_COMMANDS}
     * commands wait. Call before the shard starts.
     *
     * @param types    the command types to hold.
     * @param maxNanos how long the hold may last at most.
     */
    public void holdCommands(final java.util.function.IntPredicate types, final long maxNanos)
    {
        if (thread != null)
        {
            throw new IllegalStateException("shard " + id + " already started");
        }
        holding = java.util.Objects.requireNonNull(types, "types");
        holdDeadlineNanos = System.nanoTime() + maxNanos;
    }

    /**
     * Holds back the commands whose type {@code types} accepts while this node's ownership is
     * {@link ShardGroup#PAUSED} (a cluster node past its ownership lease that may still be the owner): a command of
     * those types that arrives then starts a hold as {@link #holdCommands} does, and the hold ends on the first tick
     * the ownership is no longer paused (the lease renewed: they run; the node not live any more: they run and are
     * refused), or after {@code maxNanos}. So a node that resumes from a stall neither runs with stale state what
     * another node may own by now nor refuses what it still owns. Call before the shard starts.
     *
     * @param types    the command types (owner commands).
     * @param maxNanos how long a pause may hold them at most.
     */
    public void pauseWhile(final java.util.function.IntPredicate types, final long maxNanos)
    {
        if (thread != null)
        {
            throw new IllegalStateException("shard " + id + " already started");
        }
        pausable = java.util.Objects.requireNonNull(types, "types");
        pauseMaxNanos = maxNanos;
    }

    /**
     * Ends the hold ({@link #holdCommands}): the held commands run now, oldest first. On this shard's thread; nothing
     * happens if it does not hold.
     *
     * @return commands that had been held.
     */
    public int releaseHeldCommands()
    {
        holding = null;
        pausedHold = false;
        final int n = heldCommands.size();
        gauges.set(ShardGauges.HELD_COMMANDS, 0);
        byte[] bytes;
        releasing = true;
        try
        {
            while ((bytes = heldCommands.pollFirst()) != null)
            {
                runCommand(new UnsafeBuffer(bytes), bytes.length, true); // not held again: the hold is over
            }
        }
        finally
        {
            releasing = false;
        }
        return n;
    }

    private void runCommand(final DirectBuffer bytes, final int length, final boolean count)
    {
        if (pausable != null && holding == null && count && !releasing && pausable.test(bytes.getInt(0))
            && group.ownership() == ShardGroup.PAUSED)
        {
            holding = pausable; // this node's ownership lease ran out: owner commands wait (pauseWhile)
            pausedHold = true;
            holdDeadlineNanos = System.nanoTime() + pauseMaxNanos;
            LOG.warn("shard {}: this node's ownership lease ran out (a stall, or cut off from the cluster): owner "
                + "commands wait until it is renewed or the ring epoch without this node arrives", id);
        }
        if (holding != null && count && !releasing && holding.test(bytes.getInt(0)))
        {
            if (heldCommands.size() < MAX_HELD_COMMANDS)
            {
                final byte[] copy = new byte[length];
                bytes.getBytes(0, copy);
                heldCommands.addLast(copy); // counted when it runs
                return;
            }
            LOG.warn("shard {}: {} commands held back: the hold ends now, they run", id, heldCommands.size());
            releaseHeldCommands();
        }
        final long parkedDeadline = rerunDeadline;
        rerunDeadline = 0;
        final int depth = commandDepth;
        if (depth + 1 >= readers.length)
        {
            throw new IllegalStateException("commands nested " + depth + " deep on shard " + id);
        }
        if (readers[depth] == null)
        {
            readers[depth] = new CommandReader();
        }
        final CommandReader command = readers[depth].wrap(bytes, 0, length);
        final int type = command.type();
        final int counter = commandCounters[type];
        if (count)
        {
            counterValues.addLongRelease(counter >= 0 ? counter : commandCounter(type), 1);
        }
        commandDepth = depth + 1;
        final ShardTask outerTask = currentTask;
        final CommandReader outerCommand = currentCommand;
        final long outerWritesFrom = writesFrom;
        currentTask = null;
        currentCommand = command;
        if (asyncStore)
        {
            writesFrom = store.issuedSequence() + 1;
        }
        try
        {
            if (commandHandler == null)
            {
                throw new IllegalStateException("shard " + id + " has no command handler for command " + type);
            }
            commandHandler.onCommand(this, command);
        }
        catch (final ReadPendingException pending)
        {
            park(null, command, pending.ticket(), parkedDeadline);
        }
        catch (final Throwable ex)
        {
            onFailure(null, ex, "command " + type);
            if (!ShardFaults.isFatal(ex))
            {
                notifyCommandFailed(command.rewind(), ex);
            }
            rethrowIfFatal(ex);
        }
        finally
        {
            commandDepth = depth;
            currentTask = outerTask;
            currentCommand = outerCommand;
            writesFrom = outerWritesFrom;
        }
    }

    private void notifyCommandFailed(final CommandReader command, final Throwable cause)
    {
        try
        {
            if (commandHandler != null)
            {
                commandHandler.failed(this, command, cause);
            }
        }
        catch (final Throwable ex)
        {
            counters.increment(ShardCounters.TASK_ERRORS);
            LOG.error("shard {}: failure handler of command {} threw", id, command.type(), ex);
            if (ShardFaults.isFatal(ex) && fatal == null)
            {
                fatal = ex;
            }
        }
    }

    private void sendOrdered(final int target, final Object entry)
    {
        sendOrdered(target, entry, false);
    }

    /** @param unbounded an answer ({@link #answer}): queued past {@code maxDeferred}, never dropped. */
    private void sendOrdered(final int target, final Object entry, final boolean unbounded)
    {
        final ArrayDeque<Object> q = deferred[target];
        if ((q == null || q.isEmpty()) && group.tryPublish(target, entry))
        {
            counters.increment(ShardCounters.HANDOFFS_OUT);
            return;
        }
        ArrayDeque<Object> queue = q;
        if (queue == null)
        {
            queue = new ArrayDeque<>();
            deferred[target] = queue;
        }
        if (queue.size() >= maxDeferred && !unbounded)
        {
            counters.increment(ShardCounters.HANDOFFS_DROPPED);
            if (DROPS.admit())
            {
                LOG.error("shard {}: overflow to shard {} full, dropping {}", id, target, entry);
            }
            if (entry instanceof ShardTask task)
            {
                notifyFailed(task, new HandoffDroppedException(id, target));
            }
            else if (entry instanceof DeferredCommand c)
            {
                final CommandReader command = new CommandReader().wrap(new UnsafeBuffer(c.bytes()), 0,
                    c.bytes().length);
                notifyCommandFailed(command, new HandoffDroppedException(id, target));
            }
            return;
        }
        counters.increment(ShardCounters.HANDOFFS_DEFERRED);
        queue.add(entry);
        deferredCount++;
    }

    private int drainDeferred()
    {
        int work = 0;
        if (deferredCount == 0)
        {
            return 0;
        }
        for (int t = 0; t < deferred.length; t++)
        {
            final ArrayDeque<Object> q = deferred[t];
            while (q != null && !q.isEmpty() && group.tryPublish(t, q.peek()))
            {
                q.poll();
                deferredCount--;
                counters.increment(ShardCounters.HANDOFFS_OUT);
                work++;
            }
        }
        return work;
    }

    boolean tryClaimAndPublish(final Object entry)
    {
        final long seq;
        try
        {
            seq = ring.tryNext();
        }
        catch (final com.lmax.disruptor.InsufficientCapacityException ex)
        {
            return false;
        }
        final ShardCommand cmd = ring.get(seq);
        if (entry instanceof Dispatch d)
        {
            cmd.kind = ShardCommand.FANOUT;
            cmd.dispatch = d;
        }
        else if (entry instanceof DeferredCommand c)
        {
            cmd.kind = ShardCommand.COMMAND;
            cmd.bytes(c.bytes().length, commandBuffers).putBytes(0, c.bytes());
            cmd.length = c.bytes().length;
        }
        else
        {
            cmd.kind = ShardCommand.TASK;
            cmd.task = (ShardTask)entry;
        }
        ring.publish(seq);
        final IoDriver driver = io;
        if (driver != null)
        {
            driver.wakeup();
        }
        return true;
    }

    boolean tryClaimAndPublishCommand(final DirectBuffer bytes, final int offset, final int length)
    {
        final long seq;
        try
        {
            seq = ring.tryNext();
        }
        catch (final com.lmax.disruptor.InsufficientCapacityException ex)
        {
            return false;
        }
        final ShardCommand cmd = ring.get(seq);
        cmd.kind = ShardCommand.COMMAND;
        cmd.bytes(length, commandBuffers).putBytes(0, bytes, offset, length);
        cmd.length = length;
        ring.publish(seq);
        final IoDriver driver = io;
        if (driver != null)
        {
            driver.wakeup();
        }
        return true;
    }

    private boolean onCommand(final ShardCommand cmd, final long sequence, final boolean endOfBatch)
    {
        try
        {
            if (cmd.kind == ShardCommand.FANOUT)
            {
                deliver(cmd.dispatch);
            }
            else if (cmd.kind == ShardCommand.TASK)
            {
                runTask(cmd.task);
            }
            else if (cmd.kind == ShardCommand.COMMAND)
            {
                runCommand(cmd.bytes, cmd.length, true);
            }
        }
        finally
        {
            cmd.clear(commandBuffers);
        }
        return ++batchTaken < maxBatch; // false ends this poll after this entry; the rest stay for the next cycle
    }

    private void deliver(final Dispatch dispatch)
    {
        try
        {
            counters.add(ShardCounters.DELIVERIES, sessions.deliver(dispatch));
        }
        catch (final Throwable ex)
        {
            onFailure(null, ex, "fanout of " + dispatch.type());
            rethrowIfFatal(ex);
        }
    }

    /**
     * Runs a task on this thread. Whatever it throws is counted, logged and reported to {@link ShardTask#failed};
     * a fatal failure ({@link ShardFaults}) is rethrown after that and ends the duty cycle, even if a caller (a
     * Netty handler running the task inline) swallows it.
     */
    private void runTask(final ShardTask task)
    {
        final long parkedDeadline = rerunDeadline;
        rerunDeadline = 0;
        final ShardTask outer = currentTask;
        final long outerWritesFrom = writesFrom;
        currentTask = task;
        if (asyncStore)
        {
            writesFrom = store.issuedSequence() + 1;
        }
        try
        {
            task.run(this);
        }
        catch (final ReadPendingException pending)
        {
            park(task, null, pending.ticket(), parkedDeadline);
        }
        catch (final Throwable ex)
        {
            onFailure(task, ex, "task");
            rethrowIfFatal(ex);
        }
        finally
        {
            currentTask = outer;
            writesFrom = outerWritesFrom;
        }
    }

    /**
     * Counts, logs and reports one failure; records it if it is fatal.
     *
     * @param task the task to tell (null: nobody waits).
     * @param ex   the failure.
     * @param what what failed, for the log.
     */
    private void onFailure(final ShardTask task, final Throwable ex, final String what)
    {
        final boolean fatalFailure = ShardFaults.isFatal(ex);
        if (ex != fatal) // a fatal failure rethrown through nested tasks is counted and logged once
        {
            counters.increment(ShardCounters.TASK_ERRORS);
            if (fatalFailure)
            {
                LOG.error("shard {}: FATAL {} failure, the shard stops", id, what, ex);
                if (fatal == null)
                {
                    fatal = ex;
                }
            }
            else if (ex instanceof StoreUnavailableException refused)
            {
                counters.increment(ShardCounters.STORE_REFUSED);
                if (STORE_REFUSALS.admit())
                {
                    LOG.warn("shard {}: store refused a request ({}): {}", id, refused.reason(), refused.getMessage());
                }
            }
            else if (TASK_FAILURES.admit())
            {
                LOG.error("shard {}: {} failed", id, what, ex);
            }
        }
        if (task != null)
        {
            notifyFailed(task, ex);
        }
    }

    private void notifyFailed(final ShardTask task, final Throwable cause)
    {
        try
        {
            task.failed(this, cause);
        }
        catch (final Throwable ex)
        {
            counters.increment(ShardCounters.TASK_ERRORS);
            LOG.error("shard {}: failure handler of {} threw", id, task, ex);
            if (ShardFaults.isFatal(ex) && fatal == null)
            {
                fatal = ex;
            }
        }
    }

    private static void rethrowIfFatal(final Throwable ex)
    {
        if (ShardFaults.isFatal(ex))
        {
            throw (Error)ex;
        }
    }

    /**
     * One duty cycle: I/O, inbox, overflow, timers, then one flush per session that received output.
     *
     * @return work done.
     */
    int doWork()
    {
        int work = io.poll();
        work += pollInbox();
        work += asyncStore ? releaseDurable() : commitBatch();
        work += drainDeferred();
        final ClusterLink link = group.clusterLink();
        if (link != null)
        {
            work += link.retryPending(id, linkRefused);
        }
        final long now = System.nanoTime();
        if (now - nextTickNanos >= 0)
        {
            nextTickNanos = now + TICK_NANOS;
            ticked = true;
            if (holding != null && pausedHold && group.ownership() != ShardGroup.PAUSED)
            {
                LOG.info("shard {}: the ownership pause is over: {} owner command(s) that waited run now", id,
                    releaseHeldCommands());
            }
            else if (holding != null && now - holdDeadlineNanos >= 0)
            {
                LOG.warn("shard {}: nobody released the commands held back {} in time: {} run now", id,
                    pausedHold ? "while this node's ownership lease had run out" : "at start", releaseHeldCommands());
            }
            sampleGauges();
            for (int i = 0; i < tickers.size(); i++)
            {
                try
                {
                    tickers.get(i).run();
                }
                catch (final Throwable ex)
                {
                    onFailure(null, ex, "ticker");
                    rethrowIfFatal(ex);
                }
            }
        }
        work += sessions.flushDirty();
        if (link != null)
        {
            work += link.endOfCycle(id); // after the writes: the link's work left from this cycle
        }
        return work;
    }

    /** At every tick: what a reader of the counters sees of this shard's state. */
    private void sampleGauges()
    {
        gauges.set(ShardGauges.RING_DEPTH, ringDepth());
        gauges.set(ShardGauges.GUILDS_OWNED, guilds.size());
        gauges.set(ShardGauges.GUILDS_FOLLOWED, sessions.guildCount());
        gauges.set(ShardGauges.TICK_EPOCH_MILLIS, System.currentTimeMillis());
        gauges.set(ShardGauges.HELD_COMMANDS, heldCommands.size());
        storeCounters.writable(store.writable());
    }

    /**
     * Runs at most {@link #MAX_BATCH} inbox entries, oldest first.
     *
     * @return entries run.
     */
    private int pollInbox()
    {
        batchTaken = 0;
        try
        {
            poller.poll(inboxHandler);
        }
        catch (final Exception ex)
        {
            onFailure(null, ex, "inbox poll");
        }
        final int work = batchTaken;
        counters.add(ShardCounters.INBOX_EVENTS, work);
        return work;
    }

    /**
     * The shard thread's duty cycle, until {@link #stop()} or a fatal failure. Afterwards the I/O driver is closed
     * (every socket of this shard); the caller (the group's thread body) then closes the store on this same thread
     * and reports a death ({@link #death()}).
     */
    @Override
    public void run()
    {
        thread = Thread.currentThread();
        try
        {
            io = group.ioFactory().create(this, thread);
            if (io instanceof ParkingIoDriver p)
            {
                p.bind(this);
            }
            if (asyncStore)
            {
                final IoDriver driver = io;
                store.bindWakeup(driver::wakeup);
            }
            nextTickNanos = System.nanoTime() + TICK_NANOS;
        }
        catch (final RuntimeException ex)
        {
            LOG.error("shard {}: could not start", id, ex);
            group.startFailed(ex);
            return;
        }
        ready = true;
        group.shardStarted();
        try
        {
            dutyCycle();
            if (fatal == null)
            {
                // Final drain so replies queued before shutdown still go out.
                doWork();
            }
        }
        catch (final Throwable ex)
        {
            if (fatal == null)
            {
                fatal = ex;
            }
        }
        finally
        {
            closeIo();
        }
    }

    private void dutyCycle()
    {
        int idleCount = 0;
        while (running && fatal == null)
        {
            final long start = System.nanoTime();
            final int work = doWork();
            if (work > 0)
            {
                counters.increment(ShardCounters.BUSY_CYCLES);
                counters.add(ShardCounters.BUSY_NANOS, System.nanoTime() - start);
                idleCount = 0;
                continue;
            }
            if (++idleCount == 1 || ticked)
            {
                ticked = false;
                idleStore(); // after work, and once per tick while idle (background store work reports in there)
            }
            switch (idleMode)
            {
                case BUSY_SPIN -> Thread.onSpinWait();
                case BACKOFF -> idleBackoff(idleCount);
                default -> io.await(deferredCount > 0 || linkPending() ? DEFERRED_RETRY_NANOS
                    : Math.max(1000, nextTickNanos - System.nanoTime()));
            }
        }
    }

    private boolean linkPending()
    {
        final ClusterLink link = group.clusterLink();
        return link != null && link.hasPending(id);
    }

    private void closeIo()
    {
        try
        {
            io.close();
            if (fatal == null)
            {
                doWork();
            }
        }
        catch (final Throwable ex)
        {
            LOG.error("shard {}: closing its sockets failed", id, ex);
        }
    }

    /**
     * Closes the store: the last act of the shard thread (or of the group's closing thread for a shard whose thread
     * never started: then the store was never handed over).
     */
    void closeStore()
    {
        try
        {
            store.close();
        }
        catch (final Throwable ex)
        {
            LOG.error("shard {}: closing its store failed", id, ex);
        }
    }

    /**
     * @return what ended the duty cycle abnormally (a fatal failure or anything that escaped it), or null.
     */
    Throwable death()
    {
        return fatal;
    }

    /** First idle pass after work: the store pre-faults what the next append will touch. */
    private void idleStore()
    {
        try
        {
            store.idle();
        }
        catch (final Throwable ex)
        {
            onFailure(null, ex, "store idle housekeeping");
            rethrowIfFatal(ex);
        }
    }

    private void idleBackoff(final int idleCount)
    {
        if (idleCount < 100)
        {
            Thread.onSpinWait();
        }
        else if (idleCount < 1100)
        {
            Thread.yield();
        }
        else
        {
            io.await(TimeUnit.MICROSECONDS.toNanos(Math.min(20, idleCount - 1099)));
        }
    }

    /**
     * @return whether the shard thread is running its duty cycle.
     */
    public boolean isReady()
    {
        return ready;
    }

    void stop()
    {
        running = false;
        final IoDriver driver = io;
        if (driver != null)
        {
            driver.wakeup();
        }
    }

    /**
     * @param value hand-offs waiting for one target beyond which they are dropped (tests make it small: draining a
     *              million deferred hand-offs through a small ring takes long on a shared box). Before start only.
     */
    void maxDeferred(final int value)
    {
        maxDeferred = value;
    }

    /**
     * @param value inbox entries per duty cycle at most (tests make it small). Before start only.
     */
    void maxBatch(final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException("max batch must be >= 1: " + value);
        }
        maxBatch = value;
    }

    Thread thread()
    {
        return thread;
    }

    /**
     * Names this shard's thread before it starts, so that recovery on it already counts as {@link #inShardThread}.
     */
    void bindThread(final Thread value)
    {
        thread = value;
    }
}
