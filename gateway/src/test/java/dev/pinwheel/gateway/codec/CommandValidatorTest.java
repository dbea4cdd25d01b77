package dev.pinwheel.gateway.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/**
 * Discord's option limits, one rule at a time, each with the path its 50035 error names.
 */
class CommandValidatorTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(final String s)
    {
        try
        {
            return JSON.readTree(s.replace('\'', '"'));
        }
        catch (final java.io.IOException e)
        {
            throw new IllegalArgumentException(e);
        }
    }

    private static CommandValidator.Problem check(final String command)
    {
        return CommandValidator.check(json(command));
    }

    private static void assertProblem(final String command, final List<String> path, final String code)
    {
        final CommandValidator.Problem p = check(command);
        assertNotNull(p, "expected a problem with " + command);
        assertEquals(path, p.path(), p.toString());
        assertEquals(code, p.code(), p.toString());
    }

    private static String option(final String name, final int type, final String extra)
    {
        return "{'name':'" + name + "','description':'d','type':" + type + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static String repeat(final int n, final java.util.function.IntFunction<String> item)
    {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            s.append(i == 0 ? "" : ",").append(item.apply(i));
        }
        return s.toString();
    }

    @Test
    void commandsWithinTheLimitsPass()
    {
        assertNull(check("{'name':'ping','description':'Ping!'}"));
        assertNull(check("{'name':'Report','type':2,'options':[]}"), "context menu commands may send an empty list");
        assertNull(check("{'name':'roll','description':'d','options':[" + option("sides", 4,
            "'required':true,'min_value':2,'max_value':100") + "," + option("label", 3,
            "'choices':[" + repeat(25, i -> "{'name':'c" + i + "','value':'v" + i + "'}") + "]") + ","
            + option("where", 7, "'channel_types':[0,2]") + "," + option("text", 3, "'min_length':0,'max_length':6000")
            + "]}"));
        assertNull(check("{'name':'admin','description':'d','options':[" + option("user", 2, "'options':["
            + option("add", 1, "'options':[" + option("who", 6, "'required':true") + "]") + ","
            + option("list", 1, "") + "]") + "," + option("ping", 1, "") + "]}"), "a group of sub-commands");
        assertNull(check("{'name':'pick','description':'d','options':[" + option("n", 10,
            "'choices':[{'name':'pi','value':3.14},{'name':'e','value':2.72}]") + "]}"));
    }

    @Test
    void tooManyOptionsOrChoices()
    {
        assertProblem("{'name':'x','description':'d','options':[" + repeat(26, i -> option("o" + i, 3, "")) + "]}",
            List.of("options"), "BASE_TYPE_MAX_LENGTH");
        assertProblem("{'name':'x','description':'d','options':[" + option("o", 3, "'choices':["
            + repeat(1000, i -> "{'name':'c" + i + "','value':'v'}") + "]") + "]}",
            List.of("options", "0", "choices"), "BASE_TYPE_MAX_LENGTH");
    }

    @Test
    void namesDescriptionsAndTypes()
    {
        assertProblem("{'name':'x','description':'d','options':[" + option("Bad Name", 3, "") + "]}",
            List.of("options", "0", "name"), "APPLICATION_COMMAND_INVALID_NAME");
        assertProblem("{'name':'x','description':'d','options':[" + option("x".repeat(33), 3, "") + "]}",
            List.of("options", "0", "name"), "APPLICATION_COMMAND_INVALID_NAME");
        assertProblem("{'name':'x','description':'d','options':[{'name':'a','type':3,'description':''}]}",
            List.of("options", "0", "description"), "BASE_TYPE_BAD_LENGTH");
        assertProblem("{'name':'x','description':'d','options':[{'name':'a','type':3,'description':'"
            + "y".repeat(101) + "'}]}", List.of("options", "0", "description"), "BASE_TYPE_BAD_LENGTH");
        assertProblem("{'name':'x','description':'d','options':[" + option("a", 12, "") + "]}",
            List.of("options", "0", "type"), "BASE_TYPE_CHOICES");
        assertProblem("{'name':'x','description':'d','options':[" + option("a", 3, "") + "," + option("a", 4, "")
            + "]}", List.of("options", "1"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS");
        assertProblem("{'name':'Report','type':2,'options':[" + option("a", 3, "") + "]}", List.of("options"),
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID");
    }

    @Test
    void requiredOptionsComeFirst()
    {
        assertProblem("{'name':'x','description':'d','options':[" + option("a", 3, "") + "," + option("b", 3,
            "'required':true") + "]}", List.of("options", "1"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID");
    }

    @Test
    void nestingRules()
    {
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 1, "") + "," + option("v", 3, "")
            + "]}", List.of("options", "1"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID");
        assertProblem("{'name':'x','description':'d','options':[" + option("g", 2, "'options':[" + option("v", 3, "")
            + "]") + "]}", List.of("options", "0", "options", "0", "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID");
        assertProblem("{'name':'x','description':'d','options':[" + option("v", 3, "'options':[" + option("w", 3, "")
            + "]") + "]}", List.of("options", "0", "options"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 1, "'options':[" + option("t", 1, "")
            + "]") + "]}", List.of("options", "0", "options", "0", "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID");
        assertProblem("{'name':'x','description':'d','options':[" + option("g", 2, "") + "]}",
            List.of("options", "0", "options"), "BASE_TYPE_REQUIRED");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 1, "'options':["
            + repeat(26, i -> option("o" + i, 3, "")) + "]") + "]}", List.of("options", "0", "options"),
            "BASE_TYPE_MAX_LENGTH");
    }

    @Test
    void choicesRangesAndLengthsBelongToTheirTypes()
    {
        assertProblem("{'name':'x','description':'d','options':[" + option("b", 5, "'choices':[{'name':'y',"
            + "'value':true}]") + "]}", List.of("options", "0", "choices"),
            "APPLICATION_COMMAND_OPTION_CHOICES_INVALID");
        assertProblem("{'name':'x','description':'d','options':[" + option("i", 4, "'choices':[{'name':'y',"
            + "'value':'1'}]") + "]}", List.of("options", "0", "choices", "0", "value"), "BASE_TYPE_BAD_VALUE");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 3, "'choices':[{'name':'',"
            + "'value':'1'}]") + "]}", List.of("options", "0", "choices", "0", "name"), "BASE_TYPE_BAD_LENGTH");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 3, "'choices':[{'name':'y',"
            + "'value':'" + "v".repeat(101) + "'}]") + "]}", List.of("options", "0", "choices", "0", "value"),
            "BASE_TYPE_BAD_VALUE");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 3, "'autocomplete':true,"
            + "'choices':[{'name':'y','value':'1'}]") + "]}", List.of("options", "0", "autocomplete"),
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 3, "'min_value':1") + "]}",
            List.of("options", "0", "min_value"), "BASE_TYPE_BAD_VALUE");
        assertProblem("{'name':'x','description':'d','options':[" + option("i", 4, "'min_value':5,'max_value':1")
            + "]}", List.of("options", "0", "min_value"), "BASE_TYPE_BAD_VALUE");
        assertProblem("{'name':'x','description':'d','options':[" + option("i", 4, "'min_value':1.5") + "]}",
            List.of("options", "0", "min_value"), "NUMBER_TYPE_MAX");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 3, "'max_length':6001") + "]}",
            List.of("options", "0", "max_length"), "NUMBER_TYPE_MAX");
        assertProblem("{'name':'x','description':'d','options':[" + option("i", 4, "'max_length':5") + "]}",
            List.of("options", "0", "max_length"), "BASE_TYPE_BAD_VALUE");
        assertProblem("{'name':'x','description':'d','options':[" + option("s", 3, "'channel_types':[0]") + "]}",
            List.of("options", "0", "channel_types"), "BASE_TYPE_BAD_VALUE");
    }
}
