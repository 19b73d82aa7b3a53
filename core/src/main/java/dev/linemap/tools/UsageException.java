package dev.linemap.tools;

/**
 * A command line the tool cannot run: an unknown command or option, a missing or malformed value.
 * The message says what is wrong and what would be right; the tool prints it with a pointer to
 * {@code --help} and exits with status 2.
 */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(final String message) {
        super(message);
    }
}
