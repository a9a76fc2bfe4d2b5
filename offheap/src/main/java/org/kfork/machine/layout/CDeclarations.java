package org.kfork.machine.layout;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generates a C program from layouts, for an independent check of the engine by gcc: struct
 * definitions with stdint types, {@code __attribute__((aligned))} and bitfields, and a main that
 * prints what gcc decided for every flattened field.
 *
 * <p>Named layouts become {@code struct kf_TAG}; opaque blocks become char arrays of their size in
 * a struct aligned like them. The program prints one line per field:
 * <ul>
 *   <li>{@code TAG,PATH,OFFSET,SIZE,ALIGN} for a plain member (offsetof, sizeof, __alignof__);</li>
 *   <li>{@code TAG,PATH,bits,BITOFFSET,WIDTH} for a bitfield (found by setting it to all ones in a
 *       zeroed struct and scanning the bytes);</li>
 *   <li>{@code TAG,__SIZEOF__,SIZE,ALIGN} per struct.</li>
 * </ul>
 */
public final class CDeclarations {
    private final Map<String, StructLayout> named = new LinkedHashMap<>();
    private final Set<String> opaques = new LinkedHashSet<>();
    private final StringBuilder defs = new StringBuilder();

    private CDeclarations() {
    }

    /** The complete C source checking {@code roots} (and every named layout they contain). */
    public static String program(List<StructLayout> roots) {
        CDeclarations gen = new CDeclarations();
        for (StructLayout r : roots) {
            gen.define(r);
        }
        StringBuilder src = new StringBuilder();
        src.append("#include <stdint.h>\n#include <stddef.h>\n#include <stdio.h>\n#include <string.h>\n\n");
        for (String o : gen.opaques) {
            String[] p = o.split("_");
            src.append("typedef struct { unsigned char b[").append(p[0]).append("]; } __attribute__((aligned(")
                    .append(p[1]).append("))) kf_opaque_").append(o).append(";\n");
        }
        src.append('\n').append(gen.defs);
        src.append("static void bits(const char *tag, const char *path, const unsigned char *p, size_t n) {\n")
                .append("  long first = -1, width = 0;\n")
                .append("  for (size_t i = 0; i < n * 8; i++) if (p[i / 8] >> (i % 8) & 1) { if (first < 0) first = (long) i; width++; }\n")
                .append("  printf(\"%s,%s,bits,%ld,%ld\\n\", tag, path, first, width);\n}\n\n");
        src.append("int main(void) {\n");
        for (StructLayout r : roots) {
            String c = cName(r);
            for (FlatField f : r.flatten()) {
                if (f.container()) {
                    continue;
                }
                Member m = f.member();
                if (m.isBitfield()) {
                    src.append("  { ").append(c).append(" v; memset(&v, 0, sizeof v); v.").append(f.path())
                            .append(" = -1; bits(\"").append(r.tag()).append("\", \"").append(f.path())
                            .append("\", (const unsigned char *) &v, sizeof v); }\n");
                } else {
                    String size = m.isFlexibleArray() ? "(size_t) 0" : "sizeof(((" + c + " *) 0)->" + f.path() + ")";
                    src.append("  printf(\"%s,%s,%zu,%zu,%zu\\n\", \"").append(r.tag()).append("\", \"").append(f.path())
                            .append("\", offsetof(").append(c).append(", ").append(f.path()).append("), ").append(size)
                            .append(", (size_t) __alignof__(((").append(c).append(" *) 0)->").append(f.path()).append("));\n");
                }
            }
            src.append("  printf(\"%s,__SIZEOF__,%zu,%zu\\n\", \"").append(r.tag()).append("\", sizeof(").append(c)
                    .append("), (size_t) __alignof__(").append(c).append("));\n");
        }
        src.append("  return 0;\n}\n");
        return src.toString();
    }

    private static String cName(StructLayout s) {
        return s.kind().keyword() + " kf_" + s.tag();
    }

    /** Defines a named layout after every named layout it contains. */
    private void define(StructLayout s) {
        if (named.containsKey(s.tag())) {
            return;
        }
        named.put(s.tag(), s);
        dependencies(s);
        defs.append(cName(s)).append(" {\n");
        members(s, "  ");
        defs.append('}');
        if (s.alignAttr() > 0) {
            defs.append(" __attribute__((aligned(").append(s.alignAttr()).append(")))");
        }
        defs.append(";\n\n");
    }

    private void dependencies(StructLayout s) {
        for (Member m : s.members()) {
            CType t = m.type().resolve();
            while (t instanceof ArrayType a) {
                t = a.element().resolve();
            }
            if (t instanceof StructLayout inner) {
                if (inner.isAnonymous()) {
                    dependencies(inner);
                } else {
                    define(inner);
                }
            } else if (t instanceof Opaque o) {
                opaques.add(o.size() + "_" + o.align());
            }
        }
    }

    private void members(StructLayout s, String indent) {
        for (Member m : s.members()) {
            String name = m.name() == null ? "" : m.name();
            String attr = m.alignAttr() > 0 ? " __attribute__((aligned(" + m.alignAttr() + ")))" : "";
            if (m.isBitfield()) {
                defs.append(indent).append(spell(m.type())).append(' ').append(name).append(" : ")
                        .append(m.bitWidth()).append(";\n");
                continue;
            }
            CType t = m.type().resolve();
            String suffix = "";
            while (t instanceof ArrayType a) {
                suffix = suffix + (a.flexible() ? "[]" : "[" + a.length() + "]");
                t = a.element().resolve();
            }
            if (t instanceof StructLayout inner && inner.isAnonymous()) {
                defs.append(indent).append(inner.kind().keyword()).append(" {\n");
                members(inner, indent + "  ");
                defs.append(indent).append('}');
                if (inner.alignAttr() > 0) {
                    defs.append(" __attribute__((aligned(").append(inner.alignAttr()).append(")))");
                }
                defs.append(name.isEmpty() ? "" : " " + name).append(suffix).append(attr).append(";\n");
            } else {
                defs.append(indent).append(spell(t)).append(' ').append(name).append(suffix).append(attr).append(";\n");
            }
        }
    }

    private static String spell(CType type) {
        CType t = type.resolve();
        if (t instanceof Scalar s) {
            return s.cSpelling();
        } else if (t instanceof PointerType) {
            return "void *";
        } else if (t instanceof Opaque o) {
            return "kf_opaque_" + o.size() + "_" + o.align();
        } else if (t instanceof StructLayout s && !s.isAnonymous()) {
            return cName(s);
        }
        throw new IllegalArgumentException("cannot spell " + type.name() + " here");
    }
}
