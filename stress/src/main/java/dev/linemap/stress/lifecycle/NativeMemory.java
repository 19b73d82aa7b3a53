package dev.linemap.stress.lifecycle;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Native Memory Tracking from inside the JVM (the {@code VM.native_memory summary}
 * diagnostic command, as {@code jcmd} would). FFM allocations ({@code Arena.allocate}) are
 * malloc'ed through {@code Unsafe.allocateMemory} and counted in NMT's "Other" category.
 */
final class NativeMemory {

    private static final Pattern OTHER = Pattern.compile("-\\s*Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private NativeMemory() {
    }

    /** @return the raw summary, or a text saying NMT is off */
    static String summary() {
        try {
            final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            return (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "vmNativeMemory", new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        } catch (final Exception e) {
            return "NMT unavailable: " + e;
        }
    }

    /** @return NMT "Other" committed bytes, or -1 if NMT is not enabled */
    static long otherCommittedBytes() {
        final Matcher m = OTHER.matcher(summary());
        return m.find() ? Long.parseLong(m.group(2)) * 1024 : -1;
    }
}
