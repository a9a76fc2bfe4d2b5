package org.kfork.machine.layout;

/** Entry points for declaring structs: {@code Struct.named("vm_area_struct").field(...)...build()}. */
public final class Struct {
    private Struct() {
    }

    /** {@code struct TAG { ... }} */
    public static LayoutBuilder named(String tag) {
        return new LayoutBuilder(tag, false, StructLayout.Kind.STRUCT);
    }

    /** {@code typedef struct { ... } NAME;} (e.g. mm_context_t). */
    public static LayoutBuilder typedef(String name) {
        return new LayoutBuilder(name, true, StructLayout.Kind.STRUCT);
    }

    /** An anonymous {@code struct { ... }}, for an anonymous member or a named member's type. */
    public static LayoutBuilder anonymous() {
        return new LayoutBuilder(null, false, StructLayout.Kind.STRUCT);
    }
}
