/**
 * Every byte offset of linemap lives in this module: the {@code StructLayout}s of the off-heap
 * structures, the descriptor classes that derive offsets and {@code VarHandle}s from them, the bit
 * helpers of the state words, aligned allocation of line segments and the layout printer.
 *
 * <p>Nothing outside this module names a number of bytes. The module depends on {@code java.base}
 * only and uses no restricted method, so it needs no {@code --enable-native-access}.
 */
module dev.linemap.layout {
    exports dev.linemap.layout;
}
