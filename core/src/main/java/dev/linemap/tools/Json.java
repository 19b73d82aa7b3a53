package dev.linemap.tools;

/**
 * A minimal JSON writer for the data of the growth page: objects, arrays, strings, numbers and
 * booleans appended to one buffer, commas placed automatically. The output is meant to sit inside a
 * {@code <script>} element, so {@code </} is written as {@code <\/}.
 *
 * <p>Not thread-safe.
 */
final class Json {

    private final StringBuilder out = new StringBuilder();
    /** Whether the next value needs a comma before it. */
    private boolean comma;

    /**
     * Opens an object.
     *
     * @return this
     */
    Json object() {
        separate();
        out.append('{');
        comma = false;
        return this;
    }

    /**
     * Opens an array.
     *
     * @return this
     */
    Json array() {
        separate();
        out.append('[');
        comma = false;
        return this;
    }

    /**
     * Closes the innermost object.
     *
     * @return this
     */
    Json endObject() {
        out.append('}');
        comma = true;
        return this;
    }

    /**
     * Closes the innermost array.
     *
     * @return this
     */
    Json endArray() {
        out.append(']');
        comma = true;
        return this;
    }

    /**
     * Writes an object member's name; its value follows.
     *
     * @param name the name
     * @return this
     */
    Json name(final String name) {
        value(name);
        out.append(':');
        comma = false;
        return this;
    }

    /**
     * Writes a string.
     *
     * @param value the string
     * @return this
     */
    Json value(final String value) {
        separate();
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '/' -> out.append(i > 0 && value.charAt(i - 1) == '<' ? "\\/" : "/");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        comma = true;
        return this;
    }

    /**
     * Writes a number that JavaScript holds exactly (below 2^53 in magnitude); write larger ones,
     * like 64-bit words, as strings.
     *
     * @param value the number
     * @return this
     */
    Json value(final long value) {
        if (value > 1L << 53 || value < -(1L << 53)) {
            throw new IllegalArgumentException(value + " does not survive a JavaScript number; write it as a string");
        }
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    /**
     * Writes a boolean.
     *
     * @param value the boolean
     * @return this
     */
    Json value(final boolean value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    /**
     * Writes a value that is JSON already (built by another {@code Json}).
     *
     * @param json the JSON text of one value
     * @return this
     */
    Json raw(final String json) {
        separate();
        out.append(json);
        comma = true;
        return this;
    }

    /**
     * Writes {@code null}.
     *
     * @return this
     */
    Json nullValue() {
        separate();
        out.append("null");
        comma = true;
        return this;
    }

    private void separate() {
        if (comma) {
            out.append(',');
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
