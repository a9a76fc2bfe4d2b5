package org.kfork.machine.layout;

/** Entry points for declaring unions: {@code Union.anonymous().field(...)...build()}. */
public final class Union {
    private Union() {
    }

    /** {@code union TAG { ... }} */
    public static LayoutBuilder named(String tag) {
        return new LayoutBuilder(tag, false, StructLayout.Kind.UNION);
    }

    /** An anonymous {@code union { ... }}. */
    public static LayoutBuilder anonymous() {
        return new LayoutBuilder(null, false, StructLayout.Kind.UNION);
    }
}
