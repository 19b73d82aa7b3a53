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
 * Bytecode sizes the JIT's inlining depends on. {@code LongLongStore.storeValue} (the put's store)
 * runs and is compiled on its own as well as inside its caller (C1 does not inline it: its stack
 * use is above {@code C1InlineStackLimit}, 5 on JDK 25), and C2 inlines a callee that already has
 * compiled code only while that code is small ({@code InlineSmallCode}, 2,500 bytes at a hot call
 * site, 625 at a cold one). When it grew past that, the put ran at one of two speeds per JVM
 * ({@code docs/notes/fast-path.md}, "A bimodal put"; the get's home-line lookup had the same trap,
 * "A bimodal get", and is now written out in its caller). Compiled sizes cannot be read here;
 * bytecode size is the proxy kept: at most {@code MaxInlineSize} (35 bytes), which C2 also
 * requires at a cold call site. The speed itself is the bench's to measure.
 */
class InlineBudgetTest {

    /** C1's and C2's {@code MaxInlineSize} default. */
    private static final int MAX_INLINE_SIZE = 35;

    @Test
    void thePutsValueStoreFitsMaxInlineSize() throws IOException {
        assertFits(LongLongStore.class, "storeValue");
    }

    private static void assertFits(final Class<?> owner, final String method) throws IOException {
        final CodeAttribute code = method(owner, method).findAttribute(java.lang.classfile.Attributes.code())
                .orElseThrow();
        assertTrue(code.codeLength() <= MAX_INLINE_SIZE, owner.getSimpleName() + "." + method + " is "
                + code.codeLength() + " bytes of bytecode, more than MaxInlineSize (" + MAX_INLINE_SIZE + ")");
    }

    private static MethodModel method(final Class<?> owner, final String method) throws IOException {
        final byte[] bytes;
        try (InputStream in = owner.getResourceAsStream(owner.getSimpleName() + ".class")) {
            bytes = in.readAllBytes();
        }
        final ClassModel model = ClassFile.of().parse(bytes);
        MethodModel found = null;
        for (final MethodModel m : model.methods()) {
            if (m.methodName().equalsString(method)) {
                if (found != null) {
                    throw new AssertionError(owner.getName() + "." + method + " is overloaded");
                }
                found = m;
            }
        }
        if (found == null) {
            throw new AssertionError(owner.getName() + " has no method " + method);
        }
        return found;
    }
}
