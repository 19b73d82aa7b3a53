package dev.linemap.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line options, with defaults and a clear error for a missing one. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    /**
     * Parses options; a flag without value (followed by another option or nothing) reads as {@code true}.
     *
     * @param args the arguments after the command name
     */
    public Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got '" + a + "'");
            }
            String name = a.substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(name, args[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    /**
     * A string option.
     *
     * @param name option name without dashes
     * @param def default, or null when the option is required
     * @return the value
     */
    public String get(String name, String def) {
        String v = values.getOrDefault(name, def);
        if (v == null) {
            throw new IllegalArgumentException("missing required option --" + name);
        }
        return v;
    }

    /**
     * A numeric option; accepts {@code 16M}, {@code 100K} and {@code 1G} suffixes (powers of 1000 are
     * not used: {@code 16M} is 16,777,216 to match the JMH size parameter).
     *
     * @param name option name
     * @param def default
     * @return the value
     */
    public long number(String name, long def) {
        String v = values.get(name);
        return v == null ? def : parseSize(v);
    }

    /**
     * A boolean flag.
     *
     * @param name option name
     * @return true when given
     */
    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    /**
     * Parses {@code 123}, {@code 1K} (1024), {@code 16M} (16·2²⁰) or {@code 1G}.
     *
     * @param v the text
     * @return the number
     */
    public static long parseSize(String v) {
        String t = v.trim().toUpperCase(java.util.Locale.ROOT).replace("_", "");
        long mul = 1;
        if (t.endsWith("K")) {
            mul = 1L << 10;
        } else if (t.endsWith("M")) {
            mul = 1L << 20;
        } else if (t.endsWith("G")) {
            mul = 1L << 30;
        }
        if (mul != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mul;
    }

    /**
     * Parses a comma-separated list of sizes.
     *
     * @param csv for example {@code 1000000,10000000}
     * @return the numbers
     */
    public static long[] sizes(String csv) {
        if (csv.isBlank()) {
            return new long[0];
        }
        String[] parts = csv.split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseSize(parts[i]);
        }
        return out;
    }
}
