package org.kfork.kernel.struct;

import java.util.List;
import java.util.Random;
import org.kfork.machine.layout.CType;
import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.LayoutBuilder;
import org.kfork.machine.layout.Opaque;
import org.kfork.machine.layout.Scalar;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/** Random struct and union declarations for the gcc cross-check, from a seeded Random. */
final class RandomLayouts {
    private static final List<Scalar> SCALARS = List.of(CTypes.CHAR, CTypes.UCHAR, CTypes.SHORT, CTypes.USHORT,
            CTypes.INT, CTypes.UINT, CTypes.LONG, CTypes.ULONG, CTypes.ULLONG, CTypes.BOOL, CTypes.U8, CTypes.U16,
            CTypes.U32, CTypes.U64);
    private static final List<Scalar> BITFIELD_TYPES = List.of(CTypes.UCHAR, CTypes.CHAR, CTypes.USHORT,
            CTypes.SHORT, CTypes.UINT, CTypes.INT, CTypes.ULONG, CTypes.LONG, CTypes.ULLONG);

    private final Random random;
    private int names;

    RandomLayouts(Random random) {
        this.random = random;
    }

    /** A random named struct (sometimes a union). */
    StructLayout layout(String tag) {
        boolean union = random.nextInt(6) == 0;
        LayoutBuilder b = union ? Union.named(tag) : Struct.named(tag);
        members(b, 0);
        if (!union && random.nextInt(8) == 0) {
            b.flexibleArray(name(), scalar());
        }
        if (random.nextInt(10) == 0) {
            b.aligned(1 << random.nextInt(7));
        }
        return b.build();
    }

    private void members(LayoutBuilder b, int depth) {
        int n = 1 + random.nextInt(depth == 0 ? 9 : 4);
        b.field(name(), scalar()); // at least one named member, so that C accepts every shape
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(12)) {
                case 0, 1, 2 -> b.field(name(), scalar());
                case 3 -> b.field(name(), scalar(), 1 << random.nextInt(7));
                case 4 -> b.array(name(), scalar(), 1 + random.nextInt(5));
                case 5, 6 -> bitfields(b);
                case 7 -> b.field(name(), CTypes.ptr("void *"));
                case 8 -> {
                    int align = 1 << random.nextInt(5);
                    b.field(name(), new Opaque("struct blob", (long) align * random.nextInt(4), align));
                }
                case 9 -> {
                    if (depth < 2) {
                        LayoutBuilder inner = random.nextBoolean() ? Struct.anonymous() : Union.anonymous();
                        members(inner, depth + 1);
                        b.anonymous(inner);
                    }
                }
                case 10 -> {
                    if (depth < 2) {
                        LayoutBuilder inner = random.nextBoolean() ? Struct.anonymous() : Union.anonymous();
                        members(inner, depth + 1);
                        b.field(name(), inner.build());
                    }
                }
                default -> b.field(name(), named(depth));
            }
        }
    }

    private void bitfields(LayoutBuilder b) {
        int run = 1 + random.nextInt(5);
        for (int i = 0; i < run; i++) {
            Scalar t = BITFIELD_TYPES.get(random.nextInt(BITFIELD_TYPES.size()));
            int bits = (int) t.size() * 8;
            int kind = random.nextInt(10);
            if (kind == 0) {
                b.unnamedBitfield(t, 0);
            } else if (kind == 1) {
                b.unnamedBitfield(t, 1 + random.nextInt(bits));
            } else {
                b.bitfield(name(), t, 1 + random.nextInt(bits));
            }
        }
    }

    /** A small named struct to nest, sometimes aligned. */
    private CType named(int depth) {
        LayoutBuilder inner = Struct.named("nested" + (names++));
        inner.field(name(), scalar());
        if (random.nextBoolean()) {
            inner.field(name(), scalar());
        }
        if (random.nextInt(4) == 0) {
            inner.aligned(1 << random.nextInt(7));
        }
        return inner.build();
    }

    private Scalar scalar() {
        return SCALARS.get(random.nextInt(SCALARS.size()));
    }

    private String name() {
        return "m" + (names++);
    }
}
