package dev.linemap.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/**
 * One subcommand of the {@code linemap} tool ({@link Linemap}): its name, its help and its run.
 * Output goes to {@code out}; progress lines and messages to {@code err}.
 */
interface Command {

    /**
     * Returns the name typed on the command line.
     *
     * @return for example {@code explain}
     */
    String name();

    /**
     * Returns one line for the tool's overview.
     *
     * @return the summary
     */
    String summary();

    /**
     * Returns the text {@code --help} prints: usage, what it does, every option.
     *
     * @return the help, ending with a newline
     */
    String help();

    /**
     * Returns the options it accepts, without dashes; each takes a value.
     *
     * @return the option names
     */
    Set<String> options();

    /**
     * Returns whether the tool's overview and its list of commands leave it out: a command that
     * the tool starts itself in a child process, not one for people to type.
     *
     * @return {@code false} unless overridden
     */
    default boolean hidden() {
        return false;
    }

    /**
     * Runs it.
     *
     * @param options its parsed arguments ({@code --help} is handled by the caller)
     * @param out where its result goes
     * @param err where progress and notes go
     * @throws UsageException if an argument is wrong
     * @throws IOException if a file cannot be written
     * @throws InterruptedException if interrupted while waiting for a thread
     */
    void run(Options options, PrintStream out, PrintStream err)
            throws UsageException, IOException, InterruptedException;
}
