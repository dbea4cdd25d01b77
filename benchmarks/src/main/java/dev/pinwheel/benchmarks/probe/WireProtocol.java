package dev.pinwheel.benchmarks.probe;

import java.util.Locale;

/**
 * The part of a pub/sub peer's protocol that differs between systems, spoken in WebSocket text frames by
 * {@link PeerWsClient}: what to send once the socket is open (connect handshake, subscribe), how to publish,
 * and how to find deliveries in a frame. One instance per connection (a parser may keep state).
 */
public interface WireProtocol
{
    /** Topic every subscriber joins. */
    String TOPIC = "guild";

    /** What a parsed frame asks of the connection. */
    interface Sink
    {
        /** @param frame a text frame to send back (handshake step, PONG). */
        void reply(String frame);

        /** The server confirmed the subscription (or the connection is usable, for the publisher). */
        void subscribed();

        /** @param payload one delivered message's payload. */
        void delivery(String payload);

        /** @param what a protocol error the server reported. */
        void error(String what);
    }

    /** @return request path of the WebSocket upgrade. */
    String path();

    /**
     * Called once the WebSocket handshake completed.
     *
     * @param subscriber true for a subscriber, false for the publisher.
     * @param sink       where to send frames and report readiness.
     */
    void opened(boolean subscriber, Sink sink);

    /**
     * @param frame      one text frame's content.
     * @param subscriber true for a subscriber.
     * @param sink       where to report what it holds.
     */
    void parse(String frame, boolean subscriber, Sink sink);

    /**
     * @param payload message payload (ASCII).
     * @return the text frame that publishes it to {@link #TOPIC}.
     */
    String publish(String payload);

    /**
     * uWebSockets.js pub/sub ({@code benchmarks/peers/uws-pubsub.js}): the server subscribes every connection to
     * the topic when it opens and publishes every text frame it receives; a frame is one payload.
     */
    final class Uws implements WireProtocol
    {
        @Override
        public String path()
        {
            return "/";
        }

        @Override
        public void opened(final boolean subscriber, final Sink sink)
        {
            sink.subscribed();
        }

        @Override
        public void parse(final String frame, final boolean subscriber, final Sink sink)
        {
            sink.delivery(frame);
        }

        @Override
        public String publish(final String payload)
        {
            return payload;
        }
    }

    /**
     * The NATS text protocol in WebSocket frames: after INFO, {@code CONNECT}, {@code SUB guild 1} (subscribers)
     * and {@code PING}; the PONG that answers that PING confirms the SUB (the server handles a connection's
     * commands in order). Deliveries arrive as {@code MSG guild 1 <len>\r\n<payload>\r\n}, several per frame or
     * split over frames; a server PING is answered with PONG.
     */
    final class Nats implements WireProtocol
    {
        private final StringBuilder buf = new StringBuilder();
        private boolean connected;

        @Override
        public String path()
        {
            return "/";
        }

        @Override
        public void opened(final boolean subscriber, final Sink sink)
        {
            // wait for INFO
        }

        @Override
        public void parse(final String frame, final boolean subscriber, final Sink sink)
        {
            buf.append(frame);
            int at = 0;
            while (true)
            {
                final int eol = buf.indexOf("\r\n", at);
                if (eol < 0)
                {
                    break;
                }
                if (eol - at > 4 && buf.charAt(at) == 'M' && buf.charAt(at + 1) == 'S' && buf.charAt(at + 2) == 'G'
                    && buf.charAt(at + 3) == ' ')
                {
                    final int sp = buf.lastIndexOf(" ", eol);
                    final int len = Integer.parseInt(buf, sp + 1, eol, 10);
                    if (eol + 2 + len + 2 > buf.length())
                    {
                        break;
                    }
                    sink.delivery(buf.substring(eol + 2, eol + 2 + len));
                    at = eol + 2 + len + 2;
                    continue;
                }
                final String line = buf.substring(at, eol);
                at = eol + 2;
                if (line.startsWith("PING"))
                {
                    sink.reply("PONG\r\n");
                }
                else if (line.startsWith("PONG"))
                {
                    sink.subscribed();
                }
                else if (line.startsWith("INFO") && !connected)
                {
                    connected = true;
                    sink.reply("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"
                        + (subscriber ? "SUB " + TOPIC + " 1\r\n" : "") + "PING\r\n");
                }
                else if (line.startsWith("-ERR"))
                {
                    sink.error(line);
                }
            }
            buf.delete(0, at);
        }

        @Override
        public String publish(final String payload)
        {
            return String.format(Locale.ROOT, "PUB %s %d\r\n%s\r\n", TOPIC, payload.length(), payload);
        }
    }
}
