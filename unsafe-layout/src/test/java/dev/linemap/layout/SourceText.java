package dev.linemap.layout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads text files relative to the module directory (surefire runs tests with the module's
 * basedir as working directory and also passes it as the {@code basedir} property).
 */
final class SourceText {

    private SourceText() {
    }

    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "."));
    }

    static String read(final String relative) {
        final Path path = moduleDir().resolve(relative).normalize();
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path.toAbsolutePath()
                    + " (tests expect to run with the unsafe-layout module as working directory)", e);
        }
    }

    /** The lines of the first {@code <pre>} block of a javadoc, without the leading {@code " * "}. */
    static List<String> firstPre(final String javaSourceRelative) {
        final String source = read(javaSourceRelative);
        final int start = source.indexOf("<pre>");
        final int end = source.indexOf("</pre>", start);
        if (start < 0 || end < 0) {
            throw new AssertionError(javaSourceRelative + " has no <pre> diagram in its javadoc");
        }
        final List<String> lines = new ArrayList<>();
        for (final String line : source.substring(start + "<pre>".length(), end).split("\n")) {
            lines.add(line.replaceFirst("^\\s*\\* ?", ""));
        }
        return lines;
    }
}
