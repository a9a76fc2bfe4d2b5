package org.kfork.tests;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The floors of DESIGN.md, kept by ArchUnit over the main classes of every module: machine, then
 * alloc and ds, then kernel, then bench and the CLI; no cycles between the top-level packages;
 * alloc is a pure allocator library that knows no kernel class; the struct layouts depend on no
 * other kernel package; and core (the heap twins and what both kernels share) depends on nothing
 * of offheap. {@link #theRulesCatchAnAllocClassThatImportsAKernelClass} shows that a violation
 * fails them.
 */
class LayeringTest {
    /** The packages of core: the heap twins and what both kernels share. */
    private static final String[] CORE = {
        "org.kfork", "org.kfork.heap..", "org.kfork.uapi..", "org.kfork.mm..", "org.kfork.sched..",
        "org.kfork.smp..", "org.kfork.arch..", "org.kfork.cred..", "org.kfork.nsproxy.."};
    /** The packages of offheap and bench. */
    private static final String[] OFFHEAP_AND_TOOLS = {
        "org.kfork.machine..", "org.kfork.alloc..", "org.kfork.ds..", "org.kfork.kernel..", "org.kfork.bench..",
        "org.kfork.cli..", "org.kfork.stress.."};
    private static final String FIXTURE = "AllocImportsKernelFixture";

    /** Main classes only: no test classes of any module (a test-jar included). */
    private static final ImportOption MAIN_ONLY = location -> !isTest(location);

    private static boolean isTest(Location location) {
        return isTestUri(location.asURI().toString());
    }

    /** A test-classes directory or a test-jar, of any module. */
    private static boolean isTestUri(String uri) {
        return uri.contains("/test-classes/") || uri.contains("-tests.jar!");
    }

    private static final JavaClasses MAIN = new ClassFileImporter().withImportOption(MAIN_ONLY).importPackages("org.kfork");

    static final ArchRule FLOORS = layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("machine").definedBy("org.kfork.machine..")
        .layer("alloc").definedBy("org.kfork.alloc..")
        .layer("ds").definedBy("org.kfork.ds..")
        .layer("kernel").definedBy("org.kfork.kernel..")
        .layer("tools").definedBy("org.kfork.bench..", "org.kfork.cli..", "org.kfork.stress..")
        .whereLayer("tools").mayNotBeAccessedByAnyLayer()
        .whereLayer("kernel").mayOnlyBeAccessedByLayers("tools")
        .whereLayer("alloc").mayOnlyBeAccessedByLayers("ds", "kernel", "tools")
        .whereLayer("ds").mayOnlyBeAccessedByLayers("alloc", "kernel", "tools")
        .whereLayer("machine").mayOnlyBeAccessedByLayers("alloc", "ds", "kernel", "tools")
        .because("DESIGN.md's floors: machine, then alloc and ds, then kernel, then bench and the CLI");

    static final ArchRule NO_CYCLES = slices().matching("org.kfork.(*)..").should().beFreeOfCycles();

    static final ArchRule ALLOC_KNOWS_NO_KERNEL = noClasses().that().resideInAPackage("org.kfork.alloc..")
        .should().dependOnClassesThat().resideInAPackage("org.kfork.kernel..")
        .because("alloc is a pure allocator library");

    static final ArchRule STRUCTS_STAND_ALONE = noClasses().that().resideInAPackage("org.kfork.kernel.struct..")
        .should().dependOnClassesThat(resideInAPackage("org.kfork.kernel..")
            .and(not(resideInAPackage("org.kfork.kernel.struct.."))))
        .because("a struct layout depends on other layouts and on the layout engine only");

    static final ArchRule CORE_KNOWS_NO_OFFHEAP = noClasses().that().resideInAnyPackage(CORE)
        .should().dependOnClassesThat().resideInAnyPackage(OFFHEAP_AND_TOOLS)
        .because("core holds the heap twins and what both kernels share, below offheap");

    private static final List<ArchRule> RULES =
        List.of(FLOORS, NO_CYCLES, ALLOC_KNOWS_NO_KERNEL, STRUCTS_STAND_ALONE, CORE_KNOWS_NO_OFFHEAP);

    @Test
    void everyModuleIsImported() {
        for (String name : List.of("org.kfork.JvmFlags", "org.kfork.heap.fork.HeapThreadStacks", "org.kfork.machine.Mem",
            "org.kfork.alloc.KmemCache", "org.kfork.ds.RbTree", "org.kfork.kernel.fork.ThreadStacks",
            "org.kfork.kernel.struct.TaskStruct", "org.kfork.bench.RbTreeBench", "org.kfork.cli.KforkMain")) {
            assertTrue(MAIN.contain(name), name + " was not imported");
        }
        List<String> tests = MAIN.stream()
            .filter(c -> c.getSource().map(src -> isTestUri(src.getUri().toString())).orElse(false))
            .map(c -> c.getName()).toList();
        assertTrue(tests.isEmpty(), "test classes were imported: " + tests);
        assertFalse(MAIN.contain("org.kfork.alloc." + FIXTURE));
    }

    @Test
    void theFloorsHold() {
        FLOORS.check(MAIN);
    }

    @Test
    void noCyclesBetweenTopLevelPackages() {
        NO_CYCLES.check(MAIN);
    }

    @Test
    void allocImportsNoKernelClass() {
        ALLOC_KNOWS_NO_KERNEL.check(MAIN);
    }

    @Test
    void structLayoutsDependOnNoOtherKernelPackage() {
        STRUCTS_STAND_ALONE.check(MAIN);
    }

    @Test
    void coreDependsOnNothingOfOffheap() {
        CORE_KNOWS_NO_OFFHEAP.check(MAIN);
    }

    /** The main classes plus one alloc class that reads a TaskStruct offset: the floors and the alloc rule fail. */
    @Test
    void theRulesCatchAnAllocClassThatImportsAKernelClass() {
        JavaClasses withViolation = new ClassFileImporter()
            .withImportOption(location -> !isTest(location) || location.contains(FIXTURE))
            .importPackages("org.kfork");
        assertTrue(withViolation.contain("org.kfork.alloc." + FIXTURE));
        for (ArchRule rule : List.of(FLOORS, ALLOC_KNOWS_NO_KERNEL)) {
            AssertionError e = assertThrows(AssertionError.class, () -> rule.check(withViolation), rule.getDescription());
            assertTrue(e.getMessage().contains(FIXTURE) && e.getMessage().contains("TaskStruct"), e.getMessage());
        }
        for (ArchRule rule : RULES) {
            if (rule != FLOORS && rule != ALLOC_KNOWS_NO_KERNEL && rule != NO_CYCLES) {
                rule.check(withViolation); // the others are about other packages
            }
        }
    }
}
