package dev.linemap.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytecode sizes the JIT's inlining depends on. {@code LongLongFormat.valueOrDefault} must stay
 * within C1's {@code MaxInlineSize} (35 bytes): above it the get's tier-3 code calls it, C2 may
 * compile it on its own into a method too big to inline, and the get then runs in one of two
 * speeds per JVM ({@code docs/notes/fast-path.md}, "A bimodal get"). The speed itself is the
 * bench's to measure; this keeps the size that decides it from creeping back.
 */
class InlineBudgetTest {

    /** C1's and C2's {@code MaxInlineSize} default. */
    private static final int MAX_INLINE_SIZE = 35;

    @Test
    void theFastGetsHomeLineLookupFitsC1sInlineSize() throws IOException {
        final int size = codeLength(LongLongFormat.class, "valueOrDefault");
        assertTrue(size <= MAX_INLINE_SIZE, "LongLongFormat.valueOrDefault is " + size
                + " bytes of bytecode, more than MaxInlineSize (" + MAX_INLINE_SIZE + ")");
    }

    private static int codeLength(final Class<?> owner, final String method) throws IOException {
        final byte[] bytes;
        try (InputStream in = owner.getResourceAsStream(owner.getSimpleName() + ".class")) {
            bytes = in.readAllBytes();
        }
        final ClassModel model = ClassFile.of().parse(bytes);
        int found = -1;
        for (final MethodModel m : model.methods()) {
            if (m.methodName().equalsString(method)) {
                if (found >= 0) {
                    throw new AssertionError(owner.getName() + "." + method + " is overloaded");
                }
                found = m.findAttribute(java.lang.classfile.Attributes.code())
                        .map(CodeAttribute::codeLength).orElseThrow();
            }
        }
        if (found < 0) {
            throw new AssertionError(owner.getName() + " has no method " + method);
        }
        return found;
    }
}
