package dev.pinwheel.gateway.node;

import java.util.concurrent.ExecutorService;

import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.voice.VoiceAdmission;

/**
 * What the whole node shares, below every other package of the gateway: its settings, its directories (the node
 * state), the control-plane executor (password hashing, which must never run on a shard thread) and its id
 * generator, the bound ports and the voice server's admission interface. Built once by the composition root before
 * the shards start, so that each shard's gateway can be built with it.
 * <p>
 * What belongs to one package lives in that package and is handed to whoever needs it: the token and password
 * checks and the login limits in {@code auth}, the session start limits in {@code session}, the REST rate limiter in
 * {@code http}, the per-address connection cap in {@code edge}. What belongs to one shard lives in that shard's
 * {@code GatewayShard}. The shards themselves are reached through {@code Shard#group()}: code that runs on a shard
 * has one.
 * <p>
 * Thread-safe: the ports and the voice interface are set by the composition root before clients can connect.
 */
public final class GatewayContext
{
    private final GatewayConfig config;
    private final NodeState node;
    private final ExecutorService control;
    private final SnowflakeIds controlIds;
    private volatile int port;
    private final int[] resumePorts;
    private volatile VoiceAdmission voice = VoiceAdmission.NONE;
    private volatile FileStore files;
    private volatile PeerHttp peers;

    /**
     * @param config     the settings (concluded).
     * @param node       the node's directories.
     * @param control    the control-plane executor.
     * @param nodeId     this node's id (0..31): the control plane's snowflake worker.
     * @param shardCount shards on this node.
     */
    public GatewayContext(final GatewayConfig config, final NodeState node, final ExecutorService control,
        final int nodeId, final int shardCount)
    {
        this.config = config;
        this.node = node;
        this.control = control;
        this.controlIds = new SnowflakeIds(nodeId & 31, 31);
        this.resumePorts = new int[shardCount];
    }

    /**
     * @return the settings.
     */
    public GatewayConfig config()
    {
        return config;
    }

    /**
     * @return the node's directories (accounts, guild directory).
     */
    public NodeState node()
    {
        return node;
    }

    /**
     * @return executor for blocking control-plane work (never a shard thread).
     */
    public ExecutorService control()
    {
        return control;
    }

    /**
     * @return a new snowflake from the control plane's generator (process 31).
     */
    public long nextControlId()
    {
        synchronized (controlIds)
        {
            return controlIds.next();
        }
    }

    /**
     * @return the main (gateway + REST) port.
     */
    public int port()
    {
        return port;
    }

    /**
     * @param value the bound main port (composition root, before any other shard accepts).
     */
    public void port(final int value)
    {
        port = value;
    }

    /**
     * @param shard shard.
     * @return the port of that shard's own listener (its resume URL).
     */
    public int resumePort(final int shard)
    {
        return resumePorts[shard];
    }

    /**
     * @param shard shard.
     * @param value the port its own listener is bound to (composition root, before the main port accepts).
     */
    public void resumePort(final int shard, final int value)
    {
        resumePorts[shard] = value;
    }

    /**
     * @return the voice server's admission interface ({@link VoiceAdmission#NONE} when voice is off).
     */
    public VoiceAdmission voice()
    {
        return voice;
    }

    /**
     * Connects the voice server; call before clients connect.
     *
     * @param value the voice server's admission interface.
     */
    public void voice(final VoiceAdmission value)
    {
        voice = value == null ? VoiceAdmission.NONE : value;
    }

    /**
     * @return the node's file store (attachments, avatars, icons), or null when the node keeps no files.
     */
    public FileStore files()
    {
        return files;
    }

    /**
     * @param value the node's file store, set by the composition root before the shards start.
     */
    public void files(final FileStore value)
    {
        this.files = value;
    }

    /**
     * @return HTTP to the other nodes of the cluster (files live with their owner), or null on a single node.
     */
    public PeerHttp peers()
    {
        return peers;
    }

    /**
     * @param value HTTP to the other nodes, set by the composition root before the shards start.
     */
    public void peers(final PeerHttp value)
    {
        this.peers = value;
    }
}
