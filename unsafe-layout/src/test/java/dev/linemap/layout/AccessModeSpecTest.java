package dev.linemap.layout;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The access mode of every memory accessor of {@link BucketDescriptor},
 * {@link OverflowLineDescriptor} and {@link DenseLineDescriptor} is read from the descriptors'
 * SOURCE (the {@code VH_X.mode(} call in the accessor's body) and checked twice: against the
 * accessor's name (house style rule 6, the mode is in the name) and against the
 * {@code access-modes} table of {@code docs/spec/bucket.md} (rule 21, the prose cannot say
 * "opaque" where the code is plain).
 */
class AccessModeSpecTest {

    private static final String SRC = "src/main/java/dev/linemap/layout/";

    private static final List<Class<?>> DESCRIPTORS =
            List.of(BucketDescriptor.class, OverflowLineDescriptor.class, DenseLineDescriptor.class);

    /** A public static method header up to its opening brace; group 1 is the name, group 2 the parameters. */
    private static final Pattern PUBLIC_STATIC =
            Pattern.compile("public\\s+static\\s+[\\w.<>\\[\\]]+\\s+(\\w+)\\s*\\(([^)]*)\\)[^{;]*\\{");

    /**
     * A call of a descriptor's VarHandle: {@code VH_CTRL.getAcquire(segment, line)} or
     * {@code VH_SLOT_WORD.set(segment, keyOffset(line, slot), key)}. Group 1 is the handle, group 2
     * the access mode method, group 3 the first word of the offset argument.
     */
    private static final Pattern VH_CALL =
            Pattern.compile("\\b(VH_\\w+)\\s*\\.\\s*(\\w+)\\s*\\(\\s*\\w+\\s*,\\s*(\\w+)");

    /** One memory accessor as its source shows it. */
    record Accessor(String owner, String name, List<String> fields, List<String> calls) {

        String qualifiedName() {
            return owner + "." + name;
        }

        /** The row of the spec's table that this accessor must have (without "Used for"). */
        String row() {
            return qualifiedName() + " | " + String.join(", ", fields) + " | "
                    + String.join(", ", calls.stream().map(AccessModeSpecTest::modeCell).toList());
        }
    }

    // ------------------------------------------------------------------------ the descriptors

    @Test
    void everyPublicMemoryAccessorOfTheDescriptorsIsReadFromTheirSource() {
        final List<Accessor> accessors = accessors();
        final List<String> fromSource = accessors.stream().map(Accessor::qualifiedName).sorted().toList();
        final List<String> fromReflection = new ArrayList<>();
        for (final Class<?> descriptor : DESCRIPTORS) {
            for (final Method m : descriptor.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())
                        && Arrays.asList(m.getParameterTypes()).contains(MemorySegment.class)) {
                    fromReflection.add(descriptor.getSimpleName() + "." + m.getName());
                }
            }
        }
        TextDiff.assertSameLines("public static methods taking a MemorySegment (reflection) vs source",
                fromReflection.stream().sorted().toList(), fromSource);
        // Sanity: the parser saw the accessors this test was written against.
        assertTrue(fromSource.contains("BucketDescriptor.keyPlain")
                && fromSource.contains("OverflowLineDescriptor.nextOpaque")
                && fromSource.contains("DenseLineDescriptor.setSlotPlain"), "source parser found " + fromSource);
    }

    @Test
    void everyAccessorNameSaysTheAccessModeItsBodyUses() {
        final List<String> problems = problems(accessors());
        if (!problems.isEmpty()) {
            fail("accessor names and VarHandle calls disagree (house style rule 6):\n  "
                    + String.join("\n  ", problems) + "\n");
        }
    }

    @Test
    void accessModeTableInTheSpecMatchesTheDescriptors() {
        final List<String[]> table = SpecDocumentTest.table("access-modes");
        TextDiff.assertSameLines(SpecDocumentTest.SPEC + " table access-modes (accessor | field | access mode)",
                accessors().stream().map(Accessor::row).toList(), SpecDocumentTest.columns(table, 3));
        for (final String[] row : table) {
            assertTrue(row.length >= 4 && !row[3].isBlank(),
                    SpecDocumentTest.SPEC + " table access-modes: row " + row[0] + " says nothing under 'Used for'");
        }
    }

    // ------------------------------------------------------------ the checker can fail

    @Test
    void nameRuleAcceptsOnlyNamesThatSayTheirMode() {
        assertEquals("get", expectedCall("keyPlain"));
        assertEquals("set", expectedCall("setSlotPlain"));
        assertEquals("getOpaque", expectedCall("metaOpaque"));
        assertEquals("setOpaque", expectedCall("setNextOpaque"));
        assertEquals("getAcquire", expectedCall("ctrlAcquire"));
        assertEquals("setRelease", expectedCall("ctrlRelease"));
        assertEquals("compareAndSet", expectedCall("casCtrl"));
        assertNull(expectedCall("ctrl"));
        assertNull(expectedCall("getKey"));
        assertNull(expectedCall("setCtrlAcquire"));
    }

    @Test
    void sourceReaderReportsAnAccessorWhoseBodyUsesAnotherModeThanItsName() {
        final String source = """
                /** Not a real accessor. */
                public static long keyOpaque(final MemorySegment segment, final long line, final int slot) {
                    // VH_CTRL.getOpaque(segment, line) in a comment does not count
                    return (long) VH_SLOT_WORD.get(segment, keyOffset(line, slot));
                }

                public static long ctrlSomehow(final MemorySegment segment, final long line) {
                    return (long) VH_CTRL.getVolatile(segment, line);
                }

                public static long lineOffset(final long index) {
                    return index << 6;
                }
                """;
        final List<Accessor> parsed = accessors("Fake", source);
        assertEquals(List.of("Fake.keyOpaque | slots[i].key | get (plain)", "Fake.ctrlSomehow | ctrl | getVolatile"),
                parsed.stream().map(Accessor::row).toList());
        final List<String> problems = problems(parsed);
        assertEquals(2, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).startsWith("Fake.keyOpaque: its name says getOpaque, its body calls get"),
                problems.get(0));
        assertTrue(problems.get(1).startsWith("Fake.ctrlSomehow: its name does not say its access mode"),
                problems.get(1));
    }

    // ------------------------------------------------------------------------ helpers

    /** Every accessor of the descriptors, in source order, in the order of {@link #DESCRIPTORS}. */
    private static List<Accessor> accessors() {
        final List<Accessor> all = new ArrayList<>();
        for (final Class<?> descriptor : DESCRIPTORS) {
            final String name = descriptor.getSimpleName();
            all.addAll(accessors(name, SourceText.read(SRC + name + ".java")));
        }
        return all;
    }

    /** The public static methods of {@code source} that take a {@code MemorySegment}, with their VarHandle calls. */
    static List<Accessor> accessors(final String owner, final String source) {
        final String code = withoutComments(source);
        final Map<String, Accessor> byName = new LinkedHashMap<>();
        final Matcher header = PUBLIC_STATIC.matcher(code);
        while (header.find()) {
            if (!header.group(2).contains("MemorySegment")) {
                continue;
            }
            final String body = body(code, header.end() - 1);
            final List<String> fields = new ArrayList<>();
            final List<String> calls = new ArrayList<>();
            final Matcher call = VH_CALL.matcher(body);
            while (call.find()) {
                addOnce(fields, field(call.group(1), call.group(3)));
                addOnce(calls, call.group(2));
            }
            if (calls.isEmpty()) {
                calls.add("(no VarHandle call)");
                fields.add("(none)");
            }
            final Accessor previous = byName.put(header.group(1), new Accessor(owner, header.group(1), fields, calls));
            if (previous != null) {
                throw new AssertionError(owner + "." + header.group(1) + " is overloaded; the access-mode table"
                        + " names accessors by name, so give each overload its own name");
            }
        }
        return List.copyOf(byName.values());
    }

    /** One line per accessor whose name does not say the one VarHandle access mode its body calls. */
    static List<String> problems(final List<Accessor> accessors) {
        final List<String> problems = new ArrayList<>();
        for (final Accessor a : accessors) {
            final String expected = expectedCall(a.name());
            final String actual = String.join(", ", a.calls());
            if (expected == null) {
                problems.add(a.qualifiedName() + ": its name does not say its access mode (end it in Plain,"
                        + " Opaque, Acquire or Release, or start it with cas); its body calls " + actual);
            } else if (!a.calls().equals(List.of(expected))) {
                problems.add(a.qualifiedName() + ": its name says " + expected + ", its body calls " + actual);
            }
        }
        return problems;
    }

    /**
     * The VarHandle method an accessor's name promises: {@code cas*} a volatile
     * {@code compareAndSet}; {@code *Acquire} {@code getAcquire}; {@code *Release}
     * {@code setRelease}; {@code *Opaque} and {@code *Plain} a load, or a store if the name starts
     * with {@code set}. {@code null} if the name does not say its mode.
     */
    static String expectedCall(final String name) {
        final boolean store = name.startsWith("set");
        if (name.startsWith("cas")) {
            return "compareAndSet";
        } else if (name.endsWith("Acquire")) {
            return store ? null : "getAcquire";
        } else if (name.endsWith("Release")) {
            return "setRelease";
        } else if (name.endsWith("Opaque")) {
            return store ? "setOpaque" : "getOpaque";
        } else if (name.endsWith("Plain")) {
            return store ? "set" : "get";
        }
        return null;
    }

    /** The spec's spelling of a VarHandle method: plain and volatile modes say so. */
    private static String modeCell(final String call) {
        return switch (call) {
            case "get", "set" -> call + " (plain)";
            case "compareAndSet" -> call + " (volatile)";
            default -> call;
        };
    }

    /**
     * The field a handle reaches: {@code VH_META} is {@code meta}; the slot words of the bucket
     * ({@code VH_SLOT_WORD}) and of the dense line ({@code VH_WORD}) by their offset helper.
     */
    private static String field(final String handle, final String offsetWord) {
        if (handle.equals("VH_SLOT_WORD") || handle.equals("VH_WORD")) {
            return switch (offsetWord) {
                case "keyOffset" -> "slots[i].key";
                case "valueOffset" -> "slots[i].value";
                case "tagOffset" -> "tags[i]";
                case "refOffset" -> "refs[i]";
                default -> "slot word at " + offsetWord + "(...)";
            };
        }
        return handle.substring("VH_".length()).toLowerCase(Locale.ROOT);
    }

    private static void addOnce(final List<String> list, final String s) {
        if (!list.contains(s)) {
            list.add(s);
        }
    }

    /** The text between the brace at {@code open} and its matching closing brace. */
    private static String body(final String code, final int open) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            if (code.charAt(i) == '{') {
                depth++;
            } else if (code.charAt(i) == '}' && --depth == 0) {
                return code.substring(open + 1, i);
            }
        }
        throw new AssertionError("unbalanced braces after offset " + open);
    }

    /** {@code source} with comments blanked out; string and char literals are kept as they are. */
    private static String withoutComments(final String source) {
        final StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            final char c = source.charAt(i);
            if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(source, i, Math.min(j + 1, source.length()));
                i = j + 1;
            } else if (source.startsWith("//", i)) {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                final int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 2;
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
