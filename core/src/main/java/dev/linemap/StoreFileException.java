package dev.linemap;

import java.nio.file.Path;

/**
 * A map file cannot be used: it is not a linemap file, was written by another format version or
 * layout, holds another map shape or other codecs, is truncated, fails a checksum, is structurally
 * corrupt, or is open for writing by another process. The message says which, with the values
 * found and what to do. An open that throws leaves the file unlocked and not marked as closed
 * cleanly; it may have applied recovery rules (docs/spec/file.md) to the parts it read before it
 * found the damage, never anything else.
 */
public class StoreFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the file. */
    public enum Reason {
        /** The file does not start with a linemap header. */
        NOT_A_MAP_FILE,
        /** Another format version wrote it. */
        VERSION,
        /** Code with another byte layout (or another machine's byte order) wrote it. */
        LAYOUT,
        /** It holds another map shape ({@code LongLongMap} vs {@code LineMap}). */
        SHAPE,
        /** It holds other codecs or another table geometry than the builder asks for. */
        CONFIGURATION,
        /** It is shorter than its own structure says. */
        TRUNCATED,
        /** A checksum does not match. */
        CHECKSUM,
        /** Its structure is impossible (a link outside its table, a length past its chunk, ...). */
        CORRUPT,
        /** Another process (or another map in this JVM) has it open. */
        LOCKED,
        /** The operating system refused an operation on it. */
        IO
    }

    private final transient Path file;
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param file the file
     * @param reason what is wrong
     * @param message the details: values found, what to do
     */
    public StoreFileException(final Path file, final Reason reason, final String message) {
        this(file, reason, message, null);
    }

    /**
     * Creates the exception.
     *
     * @param file the file
     * @param reason what is wrong
     * @param message the details: values found, what to do
     * @param cause the underlying failure, or {@code null}
     */
    public StoreFileException(final Path file, final Reason reason, final String message, final Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
        this.reason = reason;
    }

    /**
     * Returns the file.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }

    /**
     * Returns what is wrong with the file.
     *
     * @return what is wrong with the file
     */
    public Reason reason() {
        return reason;
    }
}
