/*
 * Native anchors for the least work a fork and a thread creation must do, ForkBench's physical
 * limits:
 *
 *   fork_copy @ n    memcpy of every structure a fork of a process with n VMAs copies, plus the
 *                    memset of a cached thread stack, n = 10, 100, 1000, 10000
 *   thread_copy @ 0  what the thread-creating clone cannot avoid: the per-CPU cached stack taken
 *                    and given back (take = xchg, put = cmpxchg, as percpu.c), the task_struct
 *                    copied, the stack zeroed
 *
 * The sizes come from kfork's own layouts (org.kfork.kernel.struct, through
 * org.kfork.bench.harness.ForkCopySizes), never from this file:
 *   --sizes name=size:align,name=size:align,...
 * in the order a fork touches them. "thread_stack" is memset, "vm_area_struct" is copied n times,
 * every other name is one structure copied once; task_struct, vm_area_struct and thread_stack must
 * be there. Each result's detail lists the sizes used.
 *
 * Placement, as the slab caches hold objects: each structure has an arena of objects at its size
 * rounded up to its alignment. The parent's objects (the sources) sit at random slots of it; the
 * child's (the destinations) at other random slots, in DST_SETS sets used in turn, as a slab hands
 * out recently freed objects again. The stack is one page-aligned buffer, reused, like a cached stack.
 * Every arena is written before timing, so no page fault is timed.
 */
#include "common.h"
#include <errno.h>

#define MAX_KINDS 16
#define DST_SETS 4
#define NR_CACHED_STACKS 2
#define STRIDE 128

struct kind {
	char name[32];
	long size, align;
	long count;   /* objects per fork: 1, or n for vm_area_struct */
	char **src;   /* count parent objects */
	char **dst;   /* DST_SETS * count child objects */
	char *arena;
};

static struct kind kinds[MAX_KINDS];
static int nkinds;
static long stack_size;
static char *stack;

static void die(const char *what)
{
	fprintf(stderr, "forkcopy: %s\n", what);
	exit(2);
}

static struct kind *kind_named(const char *name)
{
	for (int i = 0; i < nkinds; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* Parses "name=size:align,..." into kinds[]; exits with status 2 on a malformed list. */
static void parse_sizes(const char *spec)
{
	char *copy = strdup(spec), *save = NULL;
	if (!copy)
		die("out of memory");
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct kind *k = &kinds[nkinds];
		char *eq = strchr(item, '='), *colon, *end;
		if (nkinds == MAX_KINDS || !eq || eq == item || eq - item >= (long)sizeof(k->name))
			die("bad --sizes item (want name=size:align)");
		memcpy(k->name, item, (size_t)(eq - item));
		errno = 0;
		k->size = strtol(eq + 1, &colon, 10);
		if (errno || *colon != ':' || k->size <= 0 || k->size > (1L << 20))
			die("bad size in --sizes");
		k->align = strtol(colon + 1, &end, 10);
		if (errno || *end || k->align <= 0 || (k->align & (k->align - 1)) || k->align > 4096)
			die("bad alignment in --sizes (a power of two up to 4096)");
		if (kind_named(k->name))
			die("a name appears twice in --sizes");
		nkinds++;
	}
	free(copy);
	if (!kind_named("task_struct") || !kind_named("vm_area_struct") || !kind_named("thread_stack"))
		die("--sizes must name task_struct, vm_area_struct and thread_stack");
}

/* Lays out every arena for a fork of n VMAs; frees the previous ones. */
static void place(long n)
{
	for (int i = 0; i < nkinds; i++) {
		struct kind *k = &kinds[i];
		free(k->arena);
		free(k->src);
		free(k->dst);
		k->arena = NULL;
		k->src = k->dst = NULL;
		if (strcmp(k->name, "thread_stack") == 0)
			continue;
		k->count = strcmp(k->name, "vm_area_struct") == 0 ? n : 1;
		long stride = (k->size + k->align - 1) / k->align * k->align;
		long slots = k->count * (1 + DST_SETS);
		long *perm = malloc(sizeof(long) * (size_t)slots);
		k->arena = aligned_alloc(4096, (size_t)((slots * stride + 4095) / 4096 * 4096));
		k->src = malloc(sizeof(char *) * (size_t)k->count);
		k->dst = malloc(sizeof(char *) * (size_t)(DST_SETS * k->count));
		if (!perm || !k->arena || !k->src || !k->dst)
			die("out of memory");
		memset(k->arena, 0x5a, (size_t)(slots * stride));
		for (long s = 0; s < slots; s++)
			perm[s] = s;
		shuffle(perm, slots);
		for (long j = 0; j < k->count; j++)
			k->src[j] = k->arena + perm[j] * stride;
		for (long j = 0; j < DST_SETS * k->count; j++)
			k->dst[j] = k->arena + perm[k->count + j] * stride;
		free(perm);
	}
}

/* One fork's copies into destination set d, in the order of --sizes. */
static void fork_copy(int d)
{
	for (int i = 0; i < nkinds; i++) {
		struct kind *k = &kinds[i];
		if (!k->src) {
			memset(stack, 0, (size_t)stack_size);
			continue;
		}
		char **dst = k->dst + (long)d * k->count;
		for (long j = 0; j < k->count; j++)
			memcpy(dst[j], k->src[j], (size_t)k->size);
	}
	CLOBBER();
}

/* The sizes used, for the detail field: "task_struct=7040 ... vm_area_struct=200x10 ...". */
static void describe(char *out, size_t len, long n, long *copied)
{
	size_t used = 0;
	*copied = 0;
	for (int i = 0; i < nkinds && used < len; i++) {
		struct kind *k = &kinds[i];
		int vma = strcmp(k->name, "vm_area_struct") == 0;
		if (strcmp(k->name, "thread_stack") == 0)
			used += (size_t)snprintf(out + used, len - used, "%s%s=%ld set", used ? " " : "", k->name, k->size);
		else if (vma)
			used += (size_t)snprintf(out + used, len - used, "%s%s=%ldx%ld", used ? " " : "", k->name, k->size, n);
		else
			used += (size_t)snprintf(out + used, len - used, "%s%s=%ld", used ? " " : "", k->name, k->size);
		if (strcmp(k->name, "thread_stack") != 0)
			*copied += vma ? k->size * n : k->size;
	}
}

struct cpu_slots {
	void *slot[NR_CACHED_STACKS];
	char pad[STRIDE - NR_CACHED_STACKS * sizeof(void *)];
} __attribute__((aligned(STRIDE)));

static struct cpu_slots cpu0;

/* One thread creation's unavoidable work, into task_struct destination d. */
static void thread_copy(const struct kind *task, int d)
{
	void *s = __atomic_exchange_n(&cpu0.slot[0], NULL, __ATOMIC_SEQ_CST);
	memcpy(task->dst[d], task->src[0], (size_t)task->size);
	memset(s, 0, (size_t)stack_size);
	void *expected = NULL;
	if (!__atomic_compare_exchange_n(&cpu0.slot[0], &expected, s, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		die("the cached stack slot was refilled behind our back");
	CLOBBER();
}

static const char *sizes_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--sizes=", 8) == 0)
			return argv[i] + 8;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const long sizes[] = { 10, 100, 1000, 10000 };
	int full = full_mode(argc, argv);
	int smoke = smoke_mode(argc, argv);
	int samples = full ? 21 : smoke ? 3 : 7;
	double s[21];
	char detail[512];
	const char *spec = sizes_arg(argc, argv);

	if (!spec)
		die("usage: forkcopy [--quick|--full|--smoke] --sizes name=size:align,... (from ForkCopySizes)");
	parse_sizes(spec);
	stack_size = kind_named("thread_stack")->size;
	stack = aligned_alloc(4096, (size_t)((stack_size + 4095) / 4096 * 4096));
	if (!stack)
		die("out of memory");
	memset(stack, 1, (size_t)stack_size);

	for (unsigned si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		long n = sizes[si], copied;
		place(n);
		describe(detail, sizeof(detail), n, &copied);
		size_t used = strlen(detail);
		snprintf(detail + used, sizeof(detail) - used, "; %ld B copied, %ld B set; %d destination sets", copied,
			 stack_size, DST_SETS);
		/* About 20 MB moved per sample: 0.5 to 5 ms. */
		long reps = (long)(20e6 / (double)(copied + stack_size)) + 1;
		for (long r = 0; r < DST_SETS; r++)
			fork_copy((int)r);
		for (int k = 0; k < samples; k++) {
			uint64_t t0 = now_ns();
			for (long r = 0; r < reps; r++)
				fork_copy((int)(r % DST_SETS));
			s[k] = (double)(now_ns() - t0) / (double)reps;
		}
		emit_detail("forkcopy", "fork_copy", n, median(s, samples), samples, detail);
	}

	place(1);
	struct kind *task = kind_named("task_struct");
	cpu0.slot[0] = stack;
	snprintf(detail, sizeof(detail), "xchg+cmpxchg of a cached stack slot, task_struct=%ld copied, thread_stack=%ld set; "
		 "%d destination sets", task->size, stack_size, DST_SETS);
	long reps = smoke ? 2000 : 20000;
	for (long r = 0; r < reps / 10; r++)
		thread_copy(task, (int)(r % DST_SETS));
	for (int k = 0; k < samples; k++) {
		uint64_t t0 = now_ns();
		for (long r = 0; r < reps; r++)
			thread_copy(task, (int)(r % DST_SETS));
		s[k] = (double)(now_ns() - t0) / (double)reps;
	}
	emit_detail("forkcopy", "thread_copy", 0, median(s, samples), samples, detail);
	return 0;
}
