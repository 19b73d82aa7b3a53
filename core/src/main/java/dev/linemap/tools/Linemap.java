package dev.linemap.tools;

import dev.linemap.StoreFileException;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * The {@code linemap} command-line tool: {@code java -jar core/target/linemap.jar <command>}. One
 * runnable jar (core and unsafe-layout, {@code Enable-Native-Access} in its manifest) with the
 * subcommands {@code demo}, {@code explain}, {@code inspect} and {@code visualize}; each has
 * {@code --help}. One more, {@code demo-writer}, is left out of the overview: the demo starts it in
 * a child process ({@link DemoWriterCommand}).
 *
 * <p>Exit status: 0 done, 1 failed while running, 2 the command line is wrong (the message says
 * what is wrong).
 */
public final class Linemap {

    private static final List<Command> COMMANDS = List.of(
            new DemoCommand(), new ExplainCommand(), new InspectCommand(), new VisualizeCommand(),
            new DemoWriterCommand());

    private Linemap() {
    }

    /**
     * Runs the tool and exits with its status.
     *
     * @param args the command and its arguments
     */
    public static void main(final String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool.
     *
     * @param args the command and its arguments
     * @param out where results go
     * @param err where progress lines and errors go
     * @return the exit status
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err) {
        if (args.length == 0) {
            err.print(overview());
            return 2;
        }
        if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            if (args.length > 1 && find(args[1]) != null) {
                out.print(find(args[1]).help());
            } else {
                out.print(overview());
            }
            return 0;
        }
        final Command command = find(args[0]);
        if (command == null) {
            err.println("linemap: unknown command '" + args[0] + "' (commands: "
                    + String.join(", ", COMMANDS.stream().filter(c -> !c.hidden()).map(Command::name).toList())
                    + ")");
            err.println("Run 'linemap --help' for usage.");
            return 2;
        }
        try {
            final Options options = Options.parse(command.name(),
                    java.util.Arrays.copyOfRange(args, 1, args.length), command.options());
            if (options.help()) {
                out.print(command.help());
                return 0;
            }
            command.run(options, out, err);
            out.flush();
            return 0;
        } catch (final UsageException e) {
            err.println("linemap " + e.getMessage());
            err.println("Run 'linemap " + command.name() + " --help' for usage.");
            return 2;
        } catch (final IOException e) {
            err.println("linemap " + command.name() + ": " + e);
            return 1;
        } catch (final StoreFileException e) {
            err.println("linemap " + command.name() + ": " + e.getMessage());
            return 1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("linemap " + command.name() + ": interrupted");
            return 1;
        }
    }

    private static Command find(final String name) {
        for (final Command command : COMMANDS) {
            if (command.name().equals(name)) {
                return command;
            }
        }
        return null;
    }

    private static String overview() {
        final StringBuilder sb = new StringBuilder();
        sb.append("usage: java -jar core/target/linemap.jar <command> [options]   (below: linemap <command>)\n\n");
        sb.append("Look inside linemap, an off-heap concurrent hash map: every number comes from the engine's\n");
        sb.append("real memory, read through the same descriptors the engine uses.\n\n");
        sb.append("commands:\n");
        for (final Command command : COMMANDS.stream().filter(c -> !c.hidden()).toList()) {
            sb.append(String.format("  %-10s %s%n", command.name(), command.summary()));
        }
        sb.append("\nRun 'linemap <command> --help' for its options.\n");
        return sb.toString();
    }
}
