package org.kfork.heap.fork;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.locking.HeapSpinlock;

/**
 * HeapTask.copyFrom is the heap twin of arch_dup_task_struct's memcpy, so it must copy every
 * field: this test gives every field of a source task a value of its own (by reflection, so that
 * a field added later is covered without editing the test) and checks the copy. Plain fields are
 * copied as they are; embedded arrays by content; embedded objects are never shared, and their
 * plain fields are copied, except the lists and locks, which start fresh (HeapTask's comment says
 * why).
 */
class HeapTaskCopyTest {

    private static boolean isStatic(Field f) {
        return Modifier.isStatic(f.getModifiers());
    }

    private static boolean freshByDesign(Object o) {
        return o instanceof HeapIntrusiveList || o instanceof HeapSpinlock || o instanceof HeapHList.Node;
    }

    /** A value of {@code type} that no other field gets: {@code i} makes it distinct. */
    private static Object valueOf(Class<?> type, int i) throws ReflectiveOperationException {
        if (type == long.class) {
            return 0x1_0000_0000L + i;
        }
        if (type == int.class) {
            return 1000 + i;
        }
        if (type == short.class) {
            return (short) (100 + i);
        }
        if (type == byte.class) {
            return (byte) (10 + i);
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == char.class) {
            return (char) ('a' + i);
        }
        if (type == String.class) {
            return "comm" + i;
        }
        if (type.isEnum()) {
            Object[] cs = type.getEnumConstants();
            return cs[i % cs.length];
        }
        if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> null);
        }
        if (type.isArray()) {
            Object a = Array.newInstance(type.getComponentType(), 1);
            Array.set(a, 0, valueOf(type.getComponentType(), i));
            return a;
        }
        if (type == Object.class) {
            return new Object();
        }
        // the first constructor, with zero arguments (HeapPid takes its level, for instance)
        var c = type.getDeclaredConstructors()[0];
        c.setAccessible(true);
        Object[] args = new Object[c.getParameterCount()];
        Class<?>[] types = c.getParameterTypes();
        for (int k = 0; k < args.length; k++) {
            args[k] = types[k].isPrimitive() ? Array.get(Array.newInstance(types[k], 1), 0) : null;
        }
        return c.newInstance(args);
    }

    /** Fills the plain fields of an embedded object and the contents of an embedded array. */
    private static void fillEmbedded(Object o, int i) throws ReflectiveOperationException {
        if (o.getClass().isArray()) {
            if (!o.getClass().getComponentType().isPrimitive()) {
                return; // an array of embedded nodes (pid_links): each starts fresh, as the lists do
            }
            for (int k = 0; k < Array.getLength(o); k++) {
                Array.set(o, k, valueOf(o.getClass().getComponentType(), i + k));
            }
            return;
        }
        for (Field f : o.getClass().getDeclaredFields()) {
            if (!isStatic(f) && !Modifier.isFinal(f.getModifiers()) && f.getType().isPrimitive()) {
                f.setAccessible(true);
                f.set(o, valueOf(f.getType(), i));
            }
        }
    }

    @Test
    void copyFromCopiesEveryFieldOfTheTask() throws ReflectiveOperationException {
        HeapTask src = new HeapTask();
        HeapTask dst = new HeapTask();
        List<Field> fields = new ArrayList<>();
        int i = 0;
        for (Field f : HeapTask.class.getDeclaredFields()) {
            if (isStatic(f)) {
                continue;
            }
            f.setAccessible(true);
            fields.add(f);
            if (Modifier.isFinal(f.getModifiers())) {
                fillEmbedded(f.get(src), i++);
            } else {
                f.set(src, valueOf(f.getType(), i++));
            }
        }
        assertTrue(fields.size() > 100, "HeapTask has " + fields.size() + " fields");
        dst.copyFrom(src);
        for (Field f : fields) {
            Object s = f.get(src);
            Object d = f.get(dst);
            if (!Modifier.isFinal(f.getModifiers())) {
                if (f.getType().isPrimitive()) {
                    assertEquals(s, d, f.getName() + " is copied");
                } else {
                    assertSame(s, d, f.getName() + " is copied");
                }
                continue;
            }
            assertNotSame(s, d, f.getName() + " is embedded: never shared");
            if (s.getClass().isArray()) {
                if (s instanceof long[] sl) {
                    assertArrayEquals(sl, (long[]) d, f.getName() + "'s contents are copied");
                } else if (s instanceof Object[] so) {
                    for (int k = 0; k < so.length; k++) {
                        assertNotSame(so[k], ((Object[]) d)[k], f.getName() + "[" + k + "] is embedded");
                        assertTrue(freshByDesign(so[k]), f.getName() + "[" + k + "] starts fresh");
                    }
                } else {
                    assertArrayEquals((int[]) s, (int[]) d, f.getName() + "'s contents are copied");
                }
            } else if (!freshByDesign(s)) {
                for (Field sub : s.getClass().getDeclaredFields()) {
                    if (!isStatic(sub) && !Modifier.isFinal(sub.getModifiers()) && sub.getType().isPrimitive()) {
                        sub.setAccessible(true);
                        assertEquals(sub.get(s), sub.get(d), f.getName() + "." + sub.getName() + " is copied");
                    }
                }
            }
        }
    }
}
