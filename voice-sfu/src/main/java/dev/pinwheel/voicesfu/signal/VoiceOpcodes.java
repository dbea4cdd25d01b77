package dev.pinwheel.voicesfu.signal;

/** Discord voice gateway v8 opcodes (JSON); 21-31 are DAVE, not used at protocol version 0. */
public final class VoiceOpcodes
{
    public static final int IDENTIFY = 0;
    public static final int SELECT_PROTOCOL = 1;
    public static final int READY = 2;
    public static final int HEARTBEAT = 3;
    public static final int SESSION_DESCRIPTION = 4;
    public static final int SPEAKING = 5;
    public static final int HEARTBEAT_ACK = 6;
    public static final int RESUME = 7;
    public static final int HELLO = 8;
    public static final int RESUMED = 9;
    public static final int CLIENTS_CONNECT = 11;
    public static final int VIDEO = 12;
    public static final int CLIENT_DISCONNECT = 13;
    public static final int SESSION_UPDATE = 14;
    public static final int MEDIA_SINK_WANTS = 15;
    public static final int VOICE_BACKEND_VERSION = 16;
    public static final int DAVE_FIRST = 21;
    public static final int DAVE_LAST = 31;

    private VoiceOpcodes()
    {
    }
}
