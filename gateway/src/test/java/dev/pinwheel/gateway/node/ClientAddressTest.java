package dev.pinwheel.gateway.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Client keys: IPv4 as is, IPv6 by its /64, and {@code X-Forwarded-For} believed only from a trusted proxy.
 */
class ClientAddressTest
{
    private static InetSocketAddress peer(final String ip) throws Exception
    {
        return new InetSocketAddress(InetAddress.getByName(ip), 40_000);
    }

    @Test
    void ipv4IsItselfAndIpv6IsItsSlash64() throws Exception
    {
        assertEquals("203.0.113.9", ClientAddress.key(peer("203.0.113.9")));
        assertEquals(ClientAddress.key(peer("2001:db8:1:2::1")), ClientAddress.key(peer("2001:db8:1:2:ffff::9")),
            "one /64 is one client");
        assertEquals("2001:db8:1:2::/64", ClientAddress.key(peer("2001:db8:1:2::1")));
        assertEquals("192.0.2.1", ClientAddress.key(InetAddress.getByAddress(
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xff, (byte)0xff, (byte)192, 0, 2, 1})));
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() throws Exception
    {
        final Set<String> trusted = Set.of(ClientAddress.canonical("127.0.0.1"), ClientAddress.canonical("10.0.0.2"));
        assertEquals("198.51.100.4", ClientAddress.forRequest(peer("127.0.0.1"), "198.51.100.4", trusted));
        assertEquals("203.0.113.5", ClientAddress.forRequest(peer("203.0.113.5"), "198.51.100.4", trusted),
            "an untrusted peer cannot claim another address");
        assertEquals("198.51.100.4", ClientAddress.forRequest(peer("127.0.0.1"), "1.2.3.4, 198.51.100.4, 10.0.0.2",
            trusted), "the right-most hop that is not a trusted proxy; what the client wrote before it is ignored");
        assertEquals("127.0.0.1", ClientAddress.forRequest(peer("127.0.0.1"), "not-an-ip", trusted));
        assertEquals("127.0.0.1", ClientAddress.forRequest(peer("127.0.0.1"), "198.51.100.4", Set.of()));
    }

    @Test
    void trustedProxiesMustBeAddressesNotNames()
    {
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.canonical("proxy.example"));
        assertEquals(Set.of("127.0.0.1", "0:0:0:0:0:0:0:1"),
            new EdgeConfig().trustedProxies("127.0.0.1, ::1").trustedProxies());
    }
}
