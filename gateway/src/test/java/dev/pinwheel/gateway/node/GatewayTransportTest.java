package dev.pinwheel.gateway.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;

import org.junit.jupiter.api.Test;

/** {@code pinwheel.gateway.transport}: names, defaults, and a clear refusal of what cannot run. */
class GatewayTransportTest
{
    @Test
    void namesAndDefault()
    {
        assertEquals(Epoll.isAvailable() ? GatewayTransport.EPOLL : GatewayTransport.NIO, GatewayTransport.parse(null));
        assertEquals(GatewayTransport.NIO, GatewayTransport.parse(" NIO "));
        if (Epoll.isAvailable())
        {
            assertEquals(GatewayTransport.EPOLL, GatewayTransport.parse("epoll"));
            assertTrue(GatewayTransport.EPOLL.writesDirectly());
        }
        if (IoUring.isAvailable())
        {
            assertEquals(GatewayTransport.IO_URING, GatewayTransport.parse("io_uring"));
            assertEquals(GatewayTransport.IO_URING, GatewayTransport.parse("io-uring"));
        }
        else
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> GatewayTransport.parse("io_uring"));
            assertTrue(ex.getMessage().contains("cannot run on this machine"), ex.getMessage());
        }
        // io_uring's sockets block; NIO's channels are not UnixChannels: only epoll writes past Netty
        assertTrue(!GatewayTransport.IO_URING.writesDirectly() && !GatewayTransport.NIO.writesDirectly());
    }

    @Test
    void anUnknownTransportIsRefusedWithTheChoices()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> GatewayTransport.parse("kqueue"));
        assertEquals("pinwheel.gateway.transport=kqueue: expected epoll, io_uring or nio", ex.getMessage());
    }
}
