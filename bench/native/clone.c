/*
 * Native anchors of ForkBench: the real kernel creating a process or a thread, timed as the
 * creating call and, separately, as the teardown, as ForkBench times the two kernels.
 *
 *   fork_*          fork() of this process with n more unmergeable VMAs (vmas.h, as forkvma.c
 *                   makes them), n = 10, 100, 1000, 10000, none of their pages faulted in; the
 *                   child calls _exit(0) at once
 *   vfork_*         vfork(); the child calls _exit(0) at once
 *   pthread_*       glibc's pthread_create of a thread that returns at once, then pthread_join.
 *                   glibc 2.34+ creates it with clone3 and the flags CLONE_VM|CLONE_FS|CLONE_FILES|
 *                   CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|
 *                   CLONE_CHILD_CLEARTID, and reuses its cached thread stacks
 *   clone_thread_*  the same flags through clone(2) itself, with no glibc thread around it: a 16 KiB
 *                   child stack, the parent's TLS block (the child touches no thread-local data:
 *                   it returns 0 and glibc's clone wrapper calls SYS_exit), and the parent waits
 *                   on the CLONE_CHILD_CLEARTID word with FUTEX_WAIT until the kernel clears it
 *
 * Each is reported three ways, as the median over the samples:
 *   <x>_call      from the call until it returns in the parent
 *   <x>_teardown  from there until the child is reaped: waitpid, pthread_join, or the futex wake
 *                 of CLONE_CHILD_CLEARTID (a thread is reaped by the kernel as it exits)
 *   <x>_total     both, per sample
 * and for fork also per VMA: fork_call_per_vma and fork_teardown_per_vma @ n (the medians over
 * the number of VMAs the process had when it forked, its own ones included), and the slopes
 * fork_call_slope and fork_teardown_slope @ 0 (least squares over the four n: ns per added VMA).
 *
 * The process pins itself to the CPU it starts on. The child then runs only once the parent
 * waits, so the call and the teardown do not overlap, and one CPU does all the work, as one Java
 * thread does in ForkBench. Without CPU affinity (refused), it runs unpinned and says so.
 */
#include "vmas.h"
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
		      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
#define CHILD_STACK 16384

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* One creation and its teardown, in ns. */
typedef void (*one_fn)(uint64_t *call, uint64_t *teardown);

/* The parent's side after fork or vfork returned pid at t1: reap the child, fill both times. */
static void reap(pid_t pid, const char *call_name, uint64_t t0, uint64_t t1, uint64_t *call, uint64_t *teardown)
{
	int status;
	if (pid < 0)
		die(call_name);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("clone: waitpid");
	uint64_t t2 = now_ns();
	*call = t1 - t0;
	*teardown = t2 - t1;
}

static void one_fork(uint64_t *call, uint64_t *teardown)
{
	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	reap(pid, "clone: fork", t0, now_ns(), call, teardown);
}

/*
 * noinline keeps vfork's caller frame simple: the child borrows it until it calls _exit, and
 * touches nothing in it.
 */
static __attribute__((noinline)) void one_vfork(uint64_t *call, uint64_t *teardown)
{
	volatile uint64_t t0 = now_ns();
	pid_t pid = vfork();
	if (pid == 0)
		_exit(0);
	reap(pid, "clone: vfork", t0, now_ns(), call, teardown);
}

static void *pthread_main(void *arg)
{
	return arg;
}

static void one_pthread(uint64_t *call, uint64_t *teardown)
{
	pthread_t t;
	uint64_t t0 = now_ns();
	int err = pthread_create(&t, NULL, pthread_main, NULL);
	uint64_t t1 = now_ns();
	if (err != 0) {
		errno = err;
		die("clone: pthread_create");
	}
	if ((err = pthread_join(t, NULL)) != 0) {
		errno = err;
		die("clone: pthread_join");
	}
	uint64_t t2 = now_ns();
	*call = t1 - t0;
	*teardown = t2 - t1;
}

#if defined(__x86_64__)
#define HAVE_RAW_CLONE 1
/* The raw thread's stack, reused: the kernel clears the tid word only after the thread is off it. */
static char child_stack[CHILD_STACK] __attribute__((aligned(64)));
/* CLONE_PARENT_SETTID stores the new tid here before clone returns; CLONE_CHILD_CLEARTID zeroes it. */
static pid_t child_tid;
static void *parent_tls;

static int clone_thread_main(void *arg)
{
	(void)arg;
	return 0; /* glibc's clone wrapper then calls SYS_exit: the thread exits, not the process */
}

static void one_clone_thread(uint64_t *call, uint64_t *teardown)
{
	uint64_t t0 = now_ns();
	int tid = clone(clone_thread_main, child_stack + CHILD_STACK, THREAD_FLAGS, NULL, &child_tid, parent_tls,
			&child_tid);
	uint64_t t1 = now_ns();
	if (tid < 0)
		die("clone: clone(thread flags)");
	/* A shared futex: the kernel's wake on thread exit (mm_release) is not FUTEX_PRIVATE. */
	pid_t seen;
	while ((seen = __atomic_load_n(&child_tid, __ATOMIC_ACQUIRE)) != 0) {
		if (syscall(SYS_futex, &child_tid, FUTEX_WAIT, seen, NULL, NULL, 0) != 0 && errno != EAGAIN &&
		    errno != EINTR)
			die("clone: futex wait");
	}
	uint64_t t2 = now_ns();
	*call = t1 - t0;
	*teardown = t2 - t1;
}
#else
#define HAVE_RAW_CLONE 0
#endif

/* The medians of one measurement: call, teardown and total. */
struct medians {
	double call, teardown, total;
};

/* warmup untimed rounds, then samples timed ones. */
static struct medians measure(one_fn one, int warmup, int samples)
{
	double *c = malloc(sizeof(double) * (size_t)samples);
	double *d = malloc(sizeof(double) * (size_t)samples);
	double *t = malloc(sizeof(double) * (size_t)samples);
	uint64_t call, teardown;
	if (!c || !d || !t)
		die("clone: malloc");
	for (int k = 0; k < warmup; k++)
		one(&call, &teardown);
	for (int k = 0; k < samples; k++) {
		one(&call, &teardown);
		c[k] = (double)call;
		d[k] = (double)teardown;
		t[k] = (double)(call + teardown);
	}
	struct medians m = { median(c, samples), median(d, samples), median(t, samples) };
	free(c);
	free(d);
	free(t);
	return m;
}

static void emit3(const char *what, long n, struct medians m, int samples, const char *detail)
{
	char op[64];
	snprintf(op, sizeof(op), "%s_call", what);
	emit_detail("clone", op, n, m.call, samples, detail);
	snprintf(op, sizeof(op), "%s_teardown", what);
	emit_detail("clone", op, n, m.teardown, samples, detail);
	snprintf(op, sizeof(op), "%s_total", what);
	emit_detail("clone", op, n, m.total, samples, detail);
}

/* Pins this process to the CPU it runs on; returns 0, or -1 when the kernel refuses. */
static int pin_to_this_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;
	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	static const long sizes[] = { 10, 100, 1000, 10000 };
	enum { NSIZES = sizeof(sizes) / sizeof(sizes[0]) };
	int full = full_mode(argc, argv);
	int smoke = smoke_mode(argc, argv);
	int fork_samples = full ? 51 : smoke ? 3 : 15;
	int samples = full ? 2001 : smoke ? 21 : 301;
	int warmup = smoke ? 2 : 20;
	const char *where = pin_to_this_cpu() == 0 ? "pinned to one CPU" : "NOT pinned (sched_setaffinity refused)";
	char detail[160];
	double xs[NSIZES], calls[NSIZES], teardowns[NSIZES];

	for (int s = 0; s < NSIZES; s++) {
		long n = sizes[s];
		long before = count_vmas();
		char *base = map_vmas(n, 0);
		long vmas = count_vmas();
		if (vmas - before < n) {
			fprintf(stderr, "clone: expected at least %ld new VMAs, got %ld\n", n, vmas - before);
			exit(1);
		}
		struct medians m = measure(one_fork, 1, fork_samples);
		snprintf(detail, sizeof(detail), "%s; %ld VMAs at fork: %ld of the process and %ld added", where,
			 vmas, before, vmas - before);
		emit3("fork", n, m, fork_samples, detail);
		emit_detail("clone", "fork_call_per_vma", n, m.call / (double)vmas, fork_samples, detail);
		emit_detail("clone", "fork_teardown_per_vma", n, m.teardown / (double)vmas, fork_samples, detail);
		xs[s] = (double)n;
		calls[s] = m.call;
		teardowns[s] = m.teardown;
		unmap_vmas(base, n);
	}
	snprintf(detail, sizeof(detail), "%s; least squares over n = 10, 100, 1000, 10000 added VMAs", where);
	emit_detail("clone", "fork_call_slope", 0, slope(xs, calls, NSIZES), fork_samples, detail);
	emit_detail("clone", "fork_teardown_slope", 0, slope(xs, teardowns, NSIZES), fork_samples, detail);

	snprintf(detail, sizeof(detail), "%s; %ld VMAs", where, count_vmas());
	emit3("vfork", 0, measure(one_vfork, warmup, samples), samples, detail);
	emit3("pthread", 0, measure(one_pthread, warmup, samples), samples, detail);
#if HAVE_RAW_CLONE
	__asm__("mov %%fs:0, %0" : "=r"(parent_tls)); /* the TCB's self pointer: the thread pointer */
	snprintf(detail, sizeof(detail), "%s; %d-byte child stack, the parent's TLS, futex wait on the tid word",
		 where, CHILD_STACK);
	emit3("clone_thread", 0, measure(one_clone_thread, warmup, samples), samples, detail);
#else
	fprintf(stderr, "clone: the raw clone(2) thread is x86_64 only; clone_thread_* not measured\n");
#endif
	return 0;
}
