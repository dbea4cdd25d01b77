package dev.pinwheel.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The route table: parameters captured in order, a literal segment before a parameter at the same place, the methods
 * of a path for 405, and nothing for a path that is no route.
 */
class RouteTableTest
{
    private static final RouteTable.Handler HISTORY = (ex, r) -> { };
    private static final RouteTable.Handler POST = (ex, r) -> { };
    private static final RouteTable.Handler ONE = (ex, r) -> { };
    private static final RouteTable.Handler BULK = (ex, r) -> { };
    private static final RouteTable.Handler GATEWAY = (ex, r) -> { };

    private static RouteTable table()
    {
        return new RouteTable()
            .add("GET", "/channels/{channel}/messages", HISTORY)
            .add("POST", "/channels/{channel}/messages", POST)
            .add("GET", "/channels/{channel}/messages/{message}", ONE)
            .add("POST", "/channels/{channel}/messages/bulk-delete", BULK)
            .add("GET", "/gateway", GATEWAY, false);
    }

    @Test
    void matchesTemplatesAndCapturesTheirParameters()
    {
        final RouteTable.Match m = table().match("GET", new String[] {"channels", "12", "messages", "34"});
        assertSame(ONE, m.handler());
        assertArrayEquals(new String[] {"12", "34"}, m.params());
        assertTrue(m.authenticated());
        assertSame(HISTORY, table().match("GET", new String[] {"channels", "12", "messages"}).handler());
        assertFalse(table().match("GET", new String[] {"gateway"}).authenticated());
    }

    @Test
    void aLiteralWinsOverAParameterOnlyWhereItIsARoute()
    {
        final RouteTable t = table();
        assertSame(BULK, t.match("POST", new String[] {"channels", "1", "messages", "bulk-delete"}).handler());
        final RouteTable.Match asMessage = t.match("GET", new String[] {"channels", "1", "messages", "bulk-delete"});
        assertTrue(asMessage.wrongMethod(), "bulk-delete is POST only");
        assertEquals("POST", asMessage.allow());
    }

    @Test
    void wrongMethodsListWhatIsAllowedAndUnknownPathsAreNoMatch()
    {
        final RouteTable.Match m = table().match("DELETE", new String[] {"channels", "1", "messages"});
        assertTrue(m.wrongMethod());
        assertEquals("GET, POST", m.allow());
        assertNull(table().match("GET", new String[] {"channels", "1", "typing"}));
        assertNull(table().match("GET", new String[] {"channels", "1", "messages", "2", "reactions"}));
        assertNull(table().match("GET", new String[] {"channels", "", "messages"}), "an empty segment is no id");
    }

    @Test
    void routesAreListedAndNotDefinedTwice()
    {
        assertEquals(List.of("GET /channels/{channel}/messages", "GET /channels/{channel}/messages/{message}",
            "GET /gateway", "POST /channels/{channel}/messages", "POST /channels/{channel}/messages/bulk-delete"),
            table().routes());
        assertThrows(IllegalArgumentException.class, () -> table().add("GET", "/gateway", GATEWAY));
    }
}
