package dev.linemap.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parsed arguments of one subcommand: {@code --name value} (or {@code --name=value}) options,
 * {@code --help}, and positional arguments. Every malformed argument becomes a
 * {@link UsageException} whose message names the argument, what was expected and what was given.
 */
final class Options {

    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();
    private boolean help;

    private Options(final String command) {
        this.command = command;
    }

    /**
     * Parses a subcommand's arguments.
     *
     * @param command the subcommand, for messages
     * @param args its arguments (without the subcommand itself)
     * @param known the option names it accepts, without dashes; each takes one value
     * @return the options
     * @throws UsageException on an unknown option, a missing value or a repeated option
     */
    static Options parse(final String command, final String[] args, final Set<String> known) throws UsageException {
        final Options options = new Options(command);
        for (int i = 0; i < args.length; i++) {
            final String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                options.help = true;
            } else if (arg.startsWith("--") && arg.length() > 2) {
                final int eq = arg.indexOf('=');
                final String name = arg.substring(2, eq < 0 ? arg.length() : eq);
                if (!known.contains(name)) {
                    throw new UsageException(command + ": unknown option --" + name + " (options: "
                            + String.join(", ", new TreeSet<>(known).stream().map(k -> "--" + k).toList())
                            + ", --help)");
                }
                final String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException(command + ": option --" + name + " needs a value");
                }
                if (options.values.put(name, value) != null) {
                    throw new UsageException(command + ": option --" + name + " given twice");
                }
            } else {
                options.positional.add(arg);
            }
        }
        return options;
    }

    /**
     * Returns whether {@code --help} was given.
     *
     * @return whether help was asked for
     */
    boolean help() {
        return help;
    }

    /**
     * Returns whether an option was given.
     *
     * @param name the option, without dashes
     * @return whether it was given
     */
    boolean has(final String name) {
        return values.containsKey(name);
    }

    /**
     * Returns the positional arguments.
     *
     * @return them, in order
     */
    List<String> positional() {
        return positional;
    }

    /**
     * Returns a string option.
     *
     * @param name the option, without dashes
     * @param fallback its value when absent
     * @return the value
     */
    String string(final String name, final String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /**
     * Returns a whole-number option within bounds. Accepts {@code _} and {@code ,} as digit
     * separators and {@code 0x} hexadecimal.
     *
     * @param name the option, without dashes
     * @param fallback its value when absent
     * @param min smallest accepted value
     * @param max largest accepted value
     * @return the value
     * @throws UsageException if it is not a number in {@code [min, max]}
     */
    long number(final String name, final long fallback, final long min, final long max) throws UsageException {
        if (!values.containsKey(name)) {
            return fallback;
        }
        final long value = parseLong(command + ": --" + name, values.get(name));
        if (value < min || value > max) {
            throw new UsageException(command + ": --" + name + " " + value + " is out of range [" + min + ", " + max
                    + "]");
        }
        return value;
    }

    /**
     * Parses a whole number as the options do.
     *
     * @param what what is being parsed, for the message
     * @param text the text
     * @return the number
     * @throws UsageException if it is not a 64-bit whole number
     */
    static long parseLong(final String what, final String text) throws UsageException {
        final String digits = text.replace("_", "").replace(",", "");
        try {
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                return Long.parseUnsignedLong(digits.substring(2), 16);
            }
            if (digits.startsWith("-0x") || digits.startsWith("-0X")) {
                return -Long.parseUnsignedLong(digits.substring(3), 16);
            }
            return Long.parseLong(digits);
        } catch (final NumberFormatException e) {
            throw new UsageException(what + ": expected a whole number (like 42, 1_000_000 or 0x2a), got '"
                    + text + "'");
        }
    }
}
