/**
 * {@link java.lang.foreign.MemorySegment} views of the buffers of other off-heap libraries, so
 * that their users can hand their bytes to {@code LineMap}'s zero-copy methods ({@code getBytes},
 * {@code putBytes}, {@code removeBytes}, {@code containsKeyBytes}, {@code readValue},
 * {@code updateValue}) without copying them: {@link dev.linemap.interop.AgronaSegments} for
 * Agrona's {@code DirectBuffer}, {@link dev.linemap.interop.ChronicleSegments} for Chronicle's
 * {@code BytesStore} and {@code Bytes}.
 *
 * <p>Agrona and Chronicle Bytes are optional dependencies of this module: add the one you use.
 * Each class needs only its own library at run time.
 *
 * <h2>Native access</h2>
 * A view of off-heap memory is made with {@code MemorySegment.ofAddress(address).reinterpret(length)},
 * a restricted method. Enable native access for this module: {@code --enable-native-access=ALL-UNNAMED}
 * when it is on the class path, {@code --enable-native-access=dev.linemap.interop} on the module
 * path (its automatic module name), or {@code Enable-Native-Access: ALL-UNNAMED} in an executable
 * jar's manifest. Without it, JDK 25 prints a warning on the first off-heap view and goes on; with
 * {@code --illegal-native-access=deny} (the announced future default) every off-heap view throws
 * {@link java.lang.IllegalCallerException}. Views of heap buffers ({@code byte[]}-backed) never
 * need native access.
 *
 * <h2>Lifetime</h2>
 * A view of off-heap memory has the global scope: nothing checks that the memory is still there.
 * It is valid while the buffer's memory is: keep the buffer (and a direct {@code ByteBuffer} it
 * wraps) reachable, unreleased and not re-wrapped while the view is in use, as for any raw address.
 * A view of a heap buffer holds its array; a buffer that later grows or re-wraps onto another array
 * is no longer seen through an older view.
 *
 * <h2>Allocation</h2>
 * A view that is made and used inside compiled code is scalar-replaced: no allocation. A view
 * passed to {@code LineMap}'s zero-copy methods escapes into them (their read and write paths are
 * not inlined into the caller) and is allocated, 40 bytes. For 0 bytes per operation, make a view
 * once per buffer and key length and reuse it, writing each key into the buffer.
 */
package dev.linemap.interop;
